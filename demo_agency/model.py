"""The simulated agency's world: clients, campaigns, daily ad stats, calls, leads and invoices.

Plain frozen dataclasses, free of any file format: the format writers (:mod:`demo_agency.formats`)
and, later, fake vendor APIs render views of this one model. Money is ``Decimal`` in RUB with
kopeck precision; ad costs are net of VAT; instants are timezone-aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

__all__ = [
    "AdChannel",
    "AdStat",
    "Agency",
    "AgencySettings",
    "Call",
    "Campaign",
    "Client",
    "ClientAccount",
    "CrmLead",
    "FormRequest",
    "GoalReaches",
    "Invoice",
    "LeadSource",
    "Manager",
    "MetrikaGoal",
    "MonthlyPlan",
    "Payment",
    "Tracker",
]

AdChannel = Literal["yandex_direct", "vk_ads", "google_ads"]
Tracker = Literal["calltouch", "comagic"]
LeadSource = Literal["calltouch_requests", "yandex_metrika", "amocrm", "bitrix24_leads"]
"""The lead systems besides the call trackers (registry source names)."""
CrmSystem = Literal["amocrm", "bitrix24_leads"]
AccountSource = Literal[
    "yandex_direct",
    "vk_ads",
    "calltouch",
    "comagic",
    "cabinet",
    "calltouch_requests",
    "yandex_metrika",
    "amocrm",
    "bitrix24_leads",
]

KOPECK = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Round to kopecks, half up (how 1C and the ad cabinets round)."""
    return value.quantize(KOPECK, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AgencySettings:
    name: str
    legal_name: str
    """The agency's organisation as printed in its 1C registers."""
    reporting_currency: str = "RUB"
    target_call_min_talk_seconds: int = 30
    unique_call_window_days: int = 30
    default_vat_rate: int = 22


@dataclass(frozen=True)
class Manager:
    id: str
    name: str
    email: str | None = None


@dataclass(frozen=True)
class ClientAccount:
    source: AccountSource
    id: str
    """Direct login, VK account id, Calltouch site id, CoMagic account id, the cabinet platform,
    Metrika counter id, amoCRM subdomain or Bitrix24 portal host."""
    timezone: str | None = None
    """Only when the account's time zone differs from the client's."""
    goals: tuple[int, ...] = ()
    """Metrika only: the goal ids the client counts as leads (as configured; may include an
    automatic goal someone listed by mistake)."""
    attribution: str | None = None
    """Metrika only: the attribution model of the goal reaches."""
    via_inbox: bool = False
    """Delivered as export files dropped into the inbox instead of pulled from the API."""


@dataclass(frozen=True)
class MonthlyPlan:
    month: dt.date
    budget: Decimal
    leads: int
    cpl_target: Decimal
    fee: Decimal | None = None  # the agency's revenue (fee) plan, RUB net of VAT


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    register_name: str
    """The counterparty name as the agency's 1C writes it (matched to the client by ИНН, not by name)."""
    inn: str
    manager_id: str
    timezone: str
    city: str
    """Latin city slug, as Calltouch reports it."""
    segment: Literal["b2b", "b2c"]
    start_date: dt.date
    end_date: dt.date | None
    payment_terms_days: int
    fee_rate: Decimal
    """Agency fee as a share of the ad budget (0.12 = 12 %)."""
    behaviour: Literal["regular", "late_payer", "churned", "new"]
    accounts: tuple[ClientAccount, ...]
    plans: tuple[MonthlyPlan, ...] = ()
    lead_priority: tuple[str, ...] = ()
    """Lead systems (source names) that win a merged lead first; the rest follow the default order."""

    def account(self, source: AccountSource) -> ClientAccount | None:
        for account in self.accounts:
            if account.source == source:
                return account
        return None

    def account_timezone(self, account: ClientAccount) -> str:
        return account.timezone or self.timezone

    def active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    @property
    def fee_share(self) -> Decimal:
        """The agency's share of each invoice, as configured: the demo invoices the ad budget
        plus the fee, so fee / (budget + fee) = fee_rate / (1 + fee_rate), to 6 decimals."""
        return (self.fee_rate / (1 + self.fee_rate)).quantize(Decimal("0.000001"))


@dataclass(frozen=True)
class Campaign:
    client_id: str
    channel: AdChannel
    account_id: str
    id: str
    name: str
    """Verbatim, including leading spaces and ``|`` where a specialist typed them."""
    campaign_type: str
    active_from: dt.date
    active_to: dt.date | None
    tracks_goals: bool
    """Whether the platform reports conversions for it (Direct writes ``--`` otherwise)."""


@dataclass(frozen=True)
class AdStat:
    """One campaign's figures for one day (the account's, equal to the client's, local date)."""

    client_id: str
    channel: AdChannel
    account_id: str
    campaign_id: str
    date: dt.date
    impressions: int
    clicks: int
    cost: Decimal
    """RUB net of VAT, kopecks."""
    conversions: int | None


@dataclass(frozen=True)
class Call:
    """One incoming call as the call tracker recorded it."""

    tracker: Tracker
    client_id: str
    account_id: str
    call_id: int
    started_at: dt.datetime
    """UTC, timezone-aware."""
    caller_number: str
    tracking_number: str
    wait_seconds: int
    talk_seconds: int
    """Negative for the odd broken Calltouch record (real data has them)."""
    answered: bool
    target_flag: bool | None
    """Calltouch's own ``targetCall``; ``None`` for CoMagic, which has no such flag."""
    tracker_unique: bool | None
    """Calltouch's own ``uniqueCall`` (informational; we compute uniqueness ourselves)."""
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_content: str | None
    utm_term: str | None
    source: str | None
    """The tracker's own session source (Calltouch ``source``); ``None`` for CoMagic."""
    medium: str | None
    city: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormRequest:
    """One request (a site form, a callback order or a chat) in the Calltouch requests journal."""

    client_id: str
    account_id: str
    """The Calltouch site id."""
    request_id: int
    created_at: dt.datetime
    """UTC, timezone-aware (the journal shows it on the cabinet's Moscow clock)."""
    request_type: str
    """``form``, ``callback`` or ``chat``."""
    subject: str
    request_number: str | None
    """The site's own id of the request."""
    name: str | None
    phone: str | None
    """As the site sent it (digits, ``+7 (926) ...``, ``8 926 ...`` or garbage)."""
    email: str | None
    target: bool | None
    """Calltouch's ``targetRequest``; None where the journal gives no flags (chats)."""
    unique: bool | None
    uniq_target: bool | None
    """Calltouch's ``uniqTargetRequest``: the lead as its cabinet counts it (None: not given)."""
    session_id: int
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_content: str | None
    utm_term: str | None
    source: str | None
    medium: str | None
    city: str
    url: str


@dataclass(frozen=True)
class MetrikaGoal:
    """A goal of a Metrika counter."""

    counter_id: str
    id: int
    name: str
    type: str
    """``action`` (a JS event someone set up), ``phone`` (auto-goal), ``call`` (uploaded calls)..."""
    goal_source: str | None
    """Metrika's ``goal_source`` when it sends one (``user``/``auto``)."""
    automatic: bool
    """Created by Metrika itself: never a lead."""


@dataclass(frozen=True)
class GoalReaches:
    """Reaches of one goal on one counter day from one traffic source and UTM triple."""

    client_id: str
    counter_id: str
    goal_id: int
    date: dt.date
    """The counter's day (its time zone is the client's)."""
    traffic_source: str
    """Metrika's traffic source id: ``ad``, ``organic``, ``direct``, ``referral``, ``social``, ``email``."""
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    reaches: int


@dataclass(frozen=True)
class CrmLead:
    """A lead (deal) in the client's CRM: amoCRM or Bitrix24."""

    system: CrmSystem
    client_id: str
    account_id: str
    """amoCRM subdomain or Bitrix24 portal host."""
    lead_id: int
    created_at: dt.datetime
    """UTC, timezone-aware."""
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    title: str
    status: str
    """amoCRM ``status_id`` (as text: ``142`` won, ``143`` lost, others open) or Bitrix24
    ``STATUS_ID`` (``NEW``, ``IN_PROCESS``, ``CONVERTED``, ``JUNK``...)."""
    pipeline_id: int | None
    price: int
    responsible_user_id: int
    source_id: str | None
    """Bitrix24 ``SOURCE_ID`` (``CALL``, ``WEB``, ``EMAIL``...); None for amoCRM."""
    contact_id: int | None
    contact_name: str | None
    phone: str | None
    """As typed in the CRM (``+7 (926) 123-45-67``, ``89261234567``...)."""
    email: str | None
    deleted: bool
    """amoCRM ``is_deleted``."""
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_content: str | None
    utm_term: str | None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Payment:
    paid_on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Invoice:
    """A monthly invoice: the month's ad budget plus the agency fee, VAT on top.

    ``payments`` holds only the payments received before the simulation's ``today``.
    """

    number: str
    client_id: str
    issued_on: dt.date
    due_on: dt.date
    budget_net: Decimal
    fee_net: Decimal
    vat_rate: int
    payments: tuple[Payment, ...] = ()

    @property
    def amount_net(self) -> Decimal:
        return self.budget_net + self.fee_net

    @property
    def vat_amount(self) -> Decimal:
        return money(self.amount_net * self.vat_rate / 100)

    @property
    def amount(self) -> Decimal:
        """Total incl. VAT."""
        return self.amount_net + self.vat_amount

    @property
    def paid_amount(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0.00"))

    @property
    def paid_on(self) -> dt.date | None:
        """Date of the last payment, if any."""
        return max((p.paid_on for p in self.payments), default=None)

    @property
    def status(self) -> Literal["Оплачен", "Частично оплачен", "Не оплачен"]:
        if self.paid_amount >= self.amount:
            return "Оплачен"
        return "Частично оплачен" if self.paid_amount > 0 else "Не оплачен"


@dataclass(frozen=True)
class Agency:
    """The whole simulated agency as of ``today`` (stats, calls and leads up to yesterday)."""

    settings: AgencySettings
    managers: tuple[Manager, ...]
    clients: tuple[Client, ...]
    campaigns: tuple[Campaign, ...]
    ad_stats: tuple[AdStat, ...]
    calls: tuple[Call, ...]
    invoices: tuple[Invoice, ...]
    today: dt.date
    data_start: dt.date
    seed: int
    requests: tuple[FormRequest, ...] = ()
    goals: tuple[MetrikaGoal, ...] = ()
    goal_reaches: tuple[GoalReaches, ...] = ()
    crm_leads: tuple[CrmLead, ...] = ()

    @property
    def yesterday(self) -> dt.date:
        """The last full day of stats and calls."""
        return self.today - dt.timedelta(days=1)

    def client(self, client_id: str) -> Client:
        for client in self.clients:
            if client.id == client_id:
                return client
        raise KeyError(client_id)

    @property
    def months(self) -> int:
        """Full months of history before the month of ``today`` (``simulate``'s argument)."""
        return (self.today.year * 12 + self.today.month) - (self.data_start.year * 12 + self.data_start.month)

    def world(self) -> dict[str, object]:
        """What ``simulate`` needs to rebuild this agency (``demo_world.json``)."""
        return {
            "today": self.today.isoformat(),
            "seed": self.seed,
            "months": self.months,
            "clients": len(self.clients),
        }
