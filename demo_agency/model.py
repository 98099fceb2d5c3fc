"""The simulated agency's world: clients, campaigns, daily ad stats, calls and invoices.

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
    "Invoice",
    "Manager",
    "MonthlyPlan",
    "Payment",
    "Tracker",
]

AdChannel = Literal["yandex_direct", "vk_ads", "google_ads"]
Tracker = Literal["calltouch", "comagic"]
AccountSource = Literal["yandex_direct", "vk_ads", "calltouch", "comagic", "cabinet"]

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
    """Direct login, VK account id, Calltouch site id, CoMagic account id, or the cabinet platform."""
    timezone: str | None = None
    """Only when the account's time zone differs from the client's."""


@dataclass(frozen=True)
class MonthlyPlan:
    month: dt.date
    budget: Decimal
    leads: int
    cpl_target: Decimal


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

    def account(self, source: AccountSource) -> ClientAccount | None:
        for account in self.accounts:
            if account.source == source:
                return account
        return None

    def account_timezone(self, account: ClientAccount) -> str:
        return account.timezone or self.timezone

    def active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


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
    """The whole simulated agency as of ``today`` (stats and calls up to yesterday)."""

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
