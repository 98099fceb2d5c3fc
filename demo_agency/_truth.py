"""Ground truth: the numbers the pipeline must produce, computed from the simulator's own model.

Definitions follow ``DOMAIN.md`` (the metric passport), implemented here independently of the
dbt project so the end-to-end test compares two implementations:

- **spend / impressions / clicks** per client, channel and day: sums over campaigns; spend is
  RUB net of VAT, 2 dp.
- **calls**: distinct call ids per client, channel and *client-local* date of the call start.
- **target call**: Calltouch's ``targetCall`` flag as given; CoMagic (no flag): not lost
  (answered) and ``talk_duration >= target_call_min_talk_seconds``.
- **unique call**: see :func:`unique_flags`.
- **lead call**: Calltouch's ``uniqTargetCall`` (its own uniqueness and target rules, what the
  client sees in the cabinet); CoMagic (no flags): unique and target by the agency's rules.
- **lead**: one row of the lead ledger, THE LEDGER RULE of the leads design (``leads-spec.md``),
  see :func:`lead_ledger`: events from every lead system (lead calls, Calltouch requests, Metrika
  goal reaches, CRM deals), merged per client and contact within ``unique_call_window_days``;
  the client's system of record wins.
- **channel**: :func:`channel_for` on (utm_source, utm_medium) when utm_source is filled, else on
  the system's own (source, medium).
- **invoices**: amounts incl. VAT; ``paid_amount`` and ``paid_on`` as of ``today`` (payments
  dated before ``today``).
- **agency revenue** (:class:`RevenueMonthTruth`): per client and month of issue, the fee net of
  VAT by the configured rule (each invoice's net amount x the client's ``fee_share``), which
  must stay within the share's rounding (6 decimals) of the simulator's own fee (budget x rate).
- **lifecycle** (:class:`LifecycleMonthTruth`): a client is active in a month with spend or an
  invoice; new in its first active month (unless its contract began before the data), churned in the
  first (complete) month after an active one without activity, returning when active again
  after that, retained otherwise (a one-month churn window).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from demo_agency.model import Agency, Call

__all__ = [
    "DEFAULT_LEAD_PRIORITY",
    "LEAD_TYPES",
    "AdDayTruth",
    "CallDayTruth",
    "CallTruth",
    "ClientTotals",
    "GroundTruth",
    "InvoiceTruth",
    "LeadDayTruth",
    "LeadEvent",
    "LeadMonthTruth",
    "LeadReconciliationTruth",
    "LeadRecord",
    "LedgerLead",
    "LifecycleMonthTruth",
    "RevenueMonthTruth",
    "channel_for",
    "contact_key",
    "ground_truth",
    "is_target_call",
    "lead_ledger",
    "lead_priority",
    "lead_records",
    "ledger_months",
    "tracker_lead",
    "unique_flags",
]

NOT_SPECIFIED = "<не указано>"
"""Calltouch's placeholder for an empty utm field."""

_VK_SOURCES = frozenset({"vk", "vk_ads", "mytarget"})
_META_SOURCES = frozenset({"facebook", "instagram"})
_DIRECT_SOURCES = frozenset({"(direct)", "(none)", ""})
_DIRECT_MEDIUMS = frozenset({"(none)", "(not set)", ""})


def _norm(value: str | None) -> str:
    text = (value or "").strip().lower()
    return "" if text == NOT_SPECIFIED else text


def channel_for(source: str | None, medium: str | None) -> str:
    """The canonical channel of a (source, medium) pair, per the DOMAIN.md rules, in order.

    yandex+cpc -> yandex_direct; vk|vk_ads|mytarget + cpc|cpm -> vk_ads; google+cpc -> google_ads;
    facebook|instagram + cpc -> meta_ads; any + organic -> seo; (direct)/(none)/empty -> direct;
    referral -> referral; social -> social; email -> email; anything else -> other.
    Matching is exact on trimmed lower-case values; ``<не указано>`` counts as empty.
    """
    s, m = _norm(source), _norm(medium)
    if s == "yandex" and m == "cpc":
        return "yandex_direct"
    if s in _VK_SOURCES and m in ("cpc", "cpm"):
        return "vk_ads"
    if s == "google" and m == "cpc":
        return "google_ads"
    if s in _META_SOURCES and m == "cpc":
        return "meta_ads"
    if m == "organic":
        return "seo"
    if s in _DIRECT_SOURCES and m in _DIRECT_MEDIUMS:
        return "direct"
    if m in ("referral", "social", "email"):
        return m
    return "other"


def call_channel(call: Call) -> str:
    """utm pair when utm_source is filled, else the tracker's own source/medium."""
    if _norm(call.utm_source):
        return channel_for(call.utm_source, call.utm_medium)
    return channel_for(call.source, call.medium)


def is_target_call(call: Call, min_talk_seconds: int) -> bool:
    """Calltouch: its ``targetCall`` flag. CoMagic: answered and talk >= ``min_talk_seconds``."""
    if call.target_flag is not None:
        return call.target_flag
    return call.answered and call.talk_seconds >= min_talk_seconds


def tracker_lead(call: Call) -> bool | None:
    """Calltouch: its ``uniqTargetCall`` (unique by the cabinet's own depth, and target); None
    for a tracker without flags (CoMagic)."""
    if call.tracker_unique is None or call.target_flag is None:
        return None
    return call.tracker_unique and call.target_flag


def unique_flags(calls: Sequence[tuple[str, dt.datetime]], window_days: int) -> list[bool]:
    """Uniqueness of each (caller number, start instant) of ONE client, in input order.

    A call is **not unique** when the same number called the same client **less than**
    ``window_days * 24 h`` before it; a call exactly ``window_days * 24 h`` after the previous
    one is unique again. Only the immediately preceding call from the number matters (so a
    number calling every 10 days stays non-unique). Calls are ordered by start instant; for
    equal instants the earlier one in the input comes first, and the later is not unique.
    """
    window = dt.timedelta(days=window_days)
    order = sorted(range(len(calls)), key=lambda i: (calls[i][1], i))
    last_seen: dict[str, dt.datetime] = {}
    flags = [False] * len(calls)
    for i in order:
        number, started = calls[i]
        previous = last_seen.get(number)
        flags[i] = previous is None or started - previous >= window
        last_seen[number] = started
    return flags


@dataclass(frozen=True)
class AdDayTruth:
    client_id: str
    channel: str
    date: dt.date
    spend: Decimal
    impressions: int
    clicks: int


@dataclass(frozen=True)
class CallTruth:
    tracker: str
    client_id: str
    call_id: int
    started_at: dt.datetime
    local_date: dt.date
    """Date of the call start in the CLIENT's time zone."""
    channel: str
    is_target: bool
    is_unique: bool
    tracker_lead: bool | None = None
    """The tracker's unique-target flag, where it gives one."""

    @property
    def is_lead(self) -> bool:
        if self.tracker_lead is not None:
            return self.tracker_lead
        return self.is_target and self.is_unique


@dataclass(frozen=True)
class CallDayTruth:
    client_id: str
    channel: str
    date: dt.date
    calls: int
    target_calls: int
    unique_calls: int
    leads: int
    """Calls that are leads (the trackers' flags, else the agency's rule): not the ledger's leads."""


@dataclass(frozen=True)
class LeadDayTruth:
    """Ledger leads of one client, channel and client-local day, by lead type."""

    client_id: str
    channel: str
    date: dt.date
    leads: int
    call_leads: int
    form_leads: int
    chat_leads: int
    crm_leads: int


@dataclass(frozen=True)
class LeadMonthTruth:
    """Ledger leads of one client and client-local month (``month``: its first day), by lead type."""

    client_id: str
    month: dt.date
    leads: int
    call_leads: int
    form_leads: int
    chat_leads: int
    crm_leads: int


@dataclass(frozen=True)
class LeadReconciliationTruth:
    """``lead_reconciliation``: one client, client-local month and lead system.

    ``records``: what the system delivered (calls; requests; reaches of the configured goals;
    CRM leads); ``excluded_records``: those it does not count as leads (calls that are not
    leads, requests not unique-target, automatic-goal reaches, deleted or junk CRM leads);
    ``source_leads`` = records - excluded (the system's own total); ``merged_leads``: its
    events merged into another system's lead; ``ledger_leads`` = source_leads - merged_leads.
    """

    client_id: str
    month: dt.date
    source: str
    records: int
    excluded_records: int
    source_leads: int
    merged_leads: int
    ledger_leads: int


@dataclass(frozen=True)
class InvoiceTruth:
    client_id: str
    invoice_number: str
    issued_on: dt.date
    due_on: dt.date
    amount: Decimal
    """Incl. VAT."""
    vat_amount: Decimal
    paid_amount: Decimal
    paid_on: dt.date | None

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid_amount


@dataclass(frozen=True)
class RevenueMonthTruth:
    """The agency's fee invoiced to one client in one month (of issue), net of VAT."""

    client_id: str
    month: dt.date
    invoices: int
    invoiced: Decimal
    """Incl. VAT, every invoice (budget and fee)."""
    fee_invoiced_net: Decimal
    """By the configured rule: sum(net amount x fee_share), rounded to kopecks."""
    simulated_fee_net: Decimal
    """The simulator's own fee (budget x fee rate)."""


@dataclass(frozen=True)
class LifecycleMonthTruth:
    client_id: str
    month: dt.date
    is_active: bool
    status: str
    """new | returning | retained | churned | inactive."""


@dataclass(frozen=True)
class ClientTotals:
    client_id: str
    spend: Decimal
    impressions: int
    clicks: int
    calls: int
    target_calls: int
    unique_calls: int
    lead_calls: int
    """Calls that are leads (what ``leads`` meant before the ledger)."""
    leads: int
    """Ledger leads: every lead system, merged (``call_leads + form_leads + chat_leads + crm_leads``)."""
    call_leads: int
    """Ledger leads of type call (lead calls not merged into another system's lead)."""
    form_leads: int
    chat_leads: int
    crm_leads: int
    invoiced: Decimal
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.invoiced - self.paid


@dataclass(frozen=True)
class GroundTruth:
    """Expected metrics, as of ``as_of`` (stats and calls through the day before)."""

    as_of: dt.date
    client_ids: tuple[str, ...]
    ad_days: tuple[AdDayTruth, ...]
    calls: tuple[CallTruth, ...]
    call_days: tuple[CallDayTruth, ...]
    invoices: tuple[InvoiceTruth, ...]
    leads: tuple[LedgerLead, ...] = ()
    """The lead ledger, by client, date, source and record."""
    lead_days: tuple[LeadDayTruth, ...] = ()
    lead_months: tuple[LeadMonthTruth, ...] = ()
    lead_reconciliation: tuple[LeadReconciliationTruth, ...] = ()
    exclusions: tuple[tuple[str, str, int], ...] = ()
    """(client, exclusion code, records) of every lead-system record not counted."""
    revenue_months: tuple[RevenueMonthTruth, ...] = ()
    lifecycle_months: tuple[LifecycleMonthTruth, ...] = ()
    """From each client's first active month through the month of ``as_of``."""

    def _known(self, client_id: str) -> None:
        if client_id not in self.client_ids:
            raise KeyError(client_id)

    def totals(self, client_id: str) -> ClientTotals:
        """Whole-period totals of one client."""
        self._known(client_id)
        ads = [a for a in self.ad_days if a.client_id == client_id]
        calls = [c for c in self.call_days if c.client_id == client_id]
        invoices = [i for i in self.invoices if i.client_id == client_id]
        types = self.leads_by_type(client_id)
        zero = Decimal("0.00")
        return ClientTotals(
            client_id=client_id,
            spend=sum((a.spend for a in ads), zero),
            impressions=sum(a.impressions for a in ads),
            clicks=sum(a.clicks for a in ads),
            calls=sum(c.calls for c in calls),
            target_calls=sum(c.target_calls for c in calls),
            unique_calls=sum(c.unique_calls for c in calls),
            lead_calls=sum(c.leads for c in calls),
            leads=sum(types.values()),
            call_leads=types["call"],
            form_leads=types["form"],
            chat_leads=types["chat"],
            crm_leads=types["crm"],
            invoiced=sum((i.amount for i in invoices), zero),
            paid=sum((i.paid_amount for i in invoices), zero),
        )

    def leads_by_type(self, client_id: str) -> dict[str, int]:
        """Ledger leads of one client over the period by type (call, form, chat, crm; zeros included)."""
        self._known(client_id)
        out = dict.fromkeys(LEAD_TYPES, 0)
        for lead in self.leads:
            if lead.client_id == client_id:
                out[lead.lead_type] += 1
        return out

    def ledger_months(self, client_id: str) -> dict[dt.date, LeadMonthTruth]:
        """Ledger leads of one client per client-local month (first day), by type and in total."""
        self._known(client_id)
        return {m.month: m for m in self.lead_months if m.client_id == client_id}

    def reconciliation(self, client_id: str) -> dict[tuple[dt.date, str], LeadReconciliationTruth]:
        """``lead_reconciliation`` of one client, by (month, source)."""
        self._known(client_id)
        return {(r.month, r.source): r for r in self.lead_reconciliation if r.client_id == client_id}

    def lead_sources(self, client_id: str) -> dict[str, int]:
        """Ledger leads of one client over the period by the system that counted them."""
        self._known(client_id)
        out: dict[str, int] = defaultdict(int)
        for lead in self.leads:
            if lead.client_id == client_id:
                out[lead.source] += 1
        return dict(sorted(out.items()))

    def all_totals(self) -> dict[str, ClientTotals]:
        return {client_id: self.totals(client_id) for client_id in self.client_ids}

    def spend_by_channel(self, client_id: str) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
        for a in self.ad_days:
            if a.client_id == client_id:
                out[a.channel] += a.spend
        return dict(sorted(out.items()))

    def leads_by_channel(self, client_id: str) -> dict[str, int]:
        """Ledger leads of one client over the period by channel."""
        out: dict[str, int] = defaultdict(int)
        for day in self.lead_days:
            if day.client_id == client_id:
                out[day.channel] += day.leads
        return dict(sorted(out.items()))

    def lead_calls_by_channel(self, client_id: str) -> dict[str, int]:
        """Calls that are leads, by channel (the calls' own figure, before any merging)."""
        out: dict[str, int] = defaultdict(int)
        for c in self.call_days:
            if c.client_id == client_id:
                out[c.channel] += c.leads
        return dict(sorted(out.items()))


def call_truths(agency: Agency) -> list[CallTruth]:
    """Every call with its client-local date, channel, target and unique flags."""
    settings = agency.settings
    zones = {c.id: ZoneInfo(c.timezone) for c in agency.clients}
    by_client: dict[str, list[Call]] = defaultdict(list)
    for call in agency.calls:
        by_client[call.client_id].append(call)
    out: list[CallTruth] = []
    for client_id in sorted(by_client):
        calls = by_client[client_id]
        flags = unique_flags(
            [(c.caller_number, c.started_at) for c in calls], settings.unique_call_window_days
        )
        for call, unique in zip(calls, flags, strict=True):
            out.append(
                CallTruth(
                    tracker=call.tracker,
                    client_id=client_id,
                    call_id=call.call_id,
                    started_at=call.started_at,
                    local_date=call.started_at.astimezone(zones[client_id]).date(),
                    channel=call_channel(call),
                    is_target=is_target_call(call, settings.target_call_min_talk_seconds),
                    is_unique=unique,
                    tracker_lead=tracker_lead(call),
                )
            )
    return out


# --- leads: THE LEDGER RULE ---------------------------------------------------------------------

DEFAULT_LEAD_PRIORITY: tuple[str, ...] = (
    "amocrm",
    "bitrix24_leads",
    "calltouch",
    "comagic",
    "calltouch_requests",
    "yandex_metrika",
)
"""Which lead system wins a merged lead, best first, unless a client's ``lead_priority`` says otherwise."""
LEAD_TYPES: tuple[str, ...] = ("call", "form", "chat", "crm")

_METRIKA_TRAFFIC_CHANNELS = {
    "organic": "seo",
    "direct": "direct",
    "referral": "referral",
    "social": "social",
    "email": "email",
}
"""Metrika's traffic source id -> channel, for a reach without UTM tags (ad traffic has UTM)."""


def lead_priority(first: Sequence[str] = ()) -> tuple[str, ...]:
    """A client's order of lead systems: ``first`` (its ``lead_priority``), then the default order."""
    listed = tuple(dict.fromkeys(first))
    return listed + tuple(s for s in DEFAULT_LEAD_PRIORITY if s not in listed)


def contact_key(phone: str | None, email: str | None) -> str | None:
    """``p:<digits>`` from a phone, else ``e:<email>``, else None (who the event is from).

    The phone's digits: 11 starting with 8 -> 7 + the rest; 10 -> 7 + the ten; fewer than 10 ->
    no phone. The e-mail is trimmed and lower-cased and must contain ``@``.
    """
    digits = phone or ""
    if not digits.isdigit():
        digits = "".join(ch for ch in digits if ch.isdigit())
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    elif len(digits) == 10:
        digits = "7" + digits
    if len(digits) >= 10:
        return f"p:{digits}"
    mail = (email or "").strip().lower()
    return f"e:{mail}" if "@" in mail else None


class LeadEvent(NamedTuple):
    """A record a lead system counts as a lead (step 1 of the ledger rule)."""

    client_id: str
    source: str
    """The lead system: calltouch, comagic, calltouch_requests, yandex_metrika, amocrm, bitrix24_leads."""
    account_id: str
    record_id: str
    lead_type: str
    """call, form, chat or crm."""
    at: dt.datetime | None
    """UTC instant; None when only the day is known (Metrika reaches, never merged)."""
    local_date: dt.date
    """The client's date of the event."""
    channel: str
    utm_campaign: str | None
    contact: str | None
    """:func:`contact_key` of the event's person (None: never merged)."""


class LeadRecord(NamedTuple):
    """One record of a lead system as the reconciliation sees it: counted, or excluded with a code.

    ``size`` is how many records it stands for (a Metrika row's reaches; else 1)."""

    client_id: str
    source: str
    local_date: dt.date
    size: int
    exclusion: str | None
    """None (counted), ``not_lead`` (a call that is not a lead: no event), ``not_unique_target``,
    ``automatic_goal``, ``deleted`` or ``junk``."""


class LedgerLead(NamedTuple):
    """One row of the lead ledger (``lead_ledger``): the winner system's event and what merged into it."""

    client_id: str
    source: str
    account_id: str
    record_id: str
    lead_type: str
    lead_at: dt.datetime | None
    """UTC instant (None for a Metrika reach); the mart shows it on the client's clock."""
    lead_date: dt.date
    channel: str
    utm_campaign: str | None
    contact: str | None
    """The unhashed contact key (the mart publishes only a salted hash of it)."""
    merged_events: int
    """Events of other systems in the same episode counted into this lead."""


@dataclass(frozen=True)
class LedgerResult:
    leads: tuple[LedgerLead, ...]
    merged: tuple[LeadEvent, ...]
    """Events that merged into another system's lead (not ledger rows)."""


def _record_sort_key(record_id: str) -> tuple[int, int | str]:
    return (0, int(record_id)) if record_id.isdigit() else (1, record_id)


def lead_ledger(
    events: Iterable[LeadEvent], *, window_days: int, priorities: Mapping[str, Sequence[str]]
) -> LedgerResult:
    """THE LEDGER RULE on ``events``; ``priorities``: each client's ``lead_priority`` (may be empty).

    Per client and contact, events ordered by UTC time (ties: priority rank, source, record id)
    form episodes: an event starts a new one when the contact's previous event (any system) was
    ``window_days`` x 24 h or more before it, else it joins the previous event's episode. The
    episode's system with the best rank wins: each of its events is a lead; every other event
    of the episode merges into the winner's event nearest in time (ties: the earlier). Events
    without a contact are each a lead of their own.
    """
    window = dt.timedelta(days=window_days)
    ranks = {
        client_id: {source: i for i, source in enumerate(lead_priority(first))}
        for client_id, first in priorities.items()
    }
    default_rank = {source: i for i, source in enumerate(lead_priority())}
    leads: list[LedgerLead] = []
    merged: list[LeadEvent] = []
    by_contact: dict[tuple[str, str], list[LeadEvent]] = defaultdict(list)

    def as_lead(event: LeadEvent, merged_events: int = 0) -> LedgerLead:
        return LedgerLead(
            event.client_id,
            event.source,
            event.account_id,
            event.record_id,
            event.lead_type,
            event.at,
            event.local_date,
            event.channel,
            event.utm_campaign,
            event.contact,
            merged_events,
        )

    for event in events:
        if event.contact is None or event.at is None:
            leads.append(as_lead(event))
        else:
            by_contact[(event.client_id, event.contact)].append(event)
    for (client_id, _), contact_events in by_contact.items():
        rank = ranks.get(client_id, default_rank)

        def order(e: LeadEvent, rank: Mapping[str, int] = rank) -> tuple[object, ...]:
            return (e.at, rank.get(e.source, len(rank)), e.source, _record_sort_key(e.record_id))

        contact_events.sort(key=order)
        episodes: list[list[LeadEvent]] = []
        previous: dt.datetime | None = None
        for event in contact_events:
            assert event.at is not None
            if previous is None or event.at - previous >= window:
                episodes.append([])
            episodes[-1].append(event)
            previous = event.at
        for episode in episodes:
            winner = min((e.source for e in episode), key=lambda s: (rank.get(s, len(rank)), s))
            winners = [e for e in episode if e.source == winner]
            times = [e.at for e in winners if e.at is not None]
            counts = [0] * len(winners)
            for event in episode:
                if event.source == winner or event.at is None:
                    continue
                at = event.at
                nearest = min(range(len(times)), key=lambda i: (abs(times[i] - at), times[i]))
                counts[nearest] += 1
                merged.append(event)
            leads.extend(as_lead(e, n) for e, n in zip(winners, counts, strict=True))
    leads.sort(
        key=lambda lead: (lead.client_id, lead.lead_date, lead.source, _record_sort_key(lead.record_id))
    )
    return LedgerResult(tuple(leads), tuple(merged))


def _own_channel(
    utm_source: str | None, utm_medium: str | None, source: str | None, medium: str | None
) -> str:
    if _norm(utm_source):
        return channel_for(utm_source, utm_medium)
    return channel_for(source, medium)


def _text(value: str | None) -> str | None:
    text = (value or "").strip()
    return None if text in ("", NOT_SPECIFIED) else text


def lead_records(
    agency: Agency, calls: Sequence[CallTruth] | None = None, *, since: dt.date | None = None
) -> tuple[list[LeadEvent], list[LeadRecord]]:
    """Every lead system's records of ``agency``: the events (step 1) and the reconciliation
    records; only those of client-local days from ``since`` on, when given."""
    first = since or dt.date.min
    zones = {c.id: ZoneInfo(c.timezone) for c in agency.clients}
    events: list[LeadEvent] = []
    records: list[LeadRecord] = []
    truths = {(c.tracker, c.call_id): c for c in (calls if calls is not None else call_truths(agency))}
    for call in agency.calls:
        truth = truths[(call.tracker, call.call_id)]
        if truth.local_date < first:
            continue
        lead = truth.is_lead
        records.append(
            LeadRecord(call.client_id, call.tracker, truth.local_date, 1, None if lead else "not_lead")
        )
        if lead:
            events.append(
                LeadEvent(
                    call.client_id, call.tracker, call.account_id, str(call.call_id), "call",
                    call.started_at, truth.local_date, truth.channel, _text(call.utm_campaign),
                    contact_key(call.caller_number, None),
                )
            )  # fmt: skip

    for request in agency.requests:
        local = request.created_at.astimezone(zones[request.client_id]).date()
        if local < first:
            continue
        counted = request.uniq_target is not False  # not given: counted
        code = None if counted else "not_unique_target"
        records.append(LeadRecord(request.client_id, "calltouch_requests", local, 1, code))
        if counted:
            kind = request.request_type.lower()
            events.append(
                LeadEvent(
                    request.client_id, "calltouch_requests", request.account_id, str(request.request_id),
                    "chat" if "chat" in kind or "чат" in kind else "form", request.created_at, local,
                    _own_channel(request.utm_source, request.utm_medium, request.source, request.medium),
                    _text(request.utm_campaign), contact_key(request.phone, request.email),
                )
            )  # fmt: skip

    automatic = {(g.counter_id, g.id): g.automatic for g in agency.goals}
    listed = {
        (c.id, a.id): set(a.goals) for c in agency.clients for a in c.accounts if a.source == "yandex_metrika"
    }
    for row in agency.goal_reaches:
        if row.date < first or row.goal_id not in listed[(row.client_id, row.counter_id)]:
            continue  # a goal the account does not list is never pulled
        code = "automatic_goal" if automatic[(row.counter_id, row.goal_id)] else None
        records.append(LeadRecord(row.client_id, "yandex_metrika", row.date, row.reaches, code))
        if code is not None:
            continue
        channel = (
            channel_for(row.utm_source, row.utm_medium)
            if _norm(row.utm_source)
            else _METRIKA_TRAFFIC_CHANNELS.get(row.traffic_source, "other")
        )
        key = "/".join(
            map(
                str,
                (row.goal_id, row.date, row.traffic_source, row.utm_source, row.utm_medium, row.utm_campaign),
            )
        )
        events.extend(
            LeadEvent(
                row.client_id, "yandex_metrika", row.counter_id, f"{key}#{k}", "form", None, row.date,
                channel, _text(row.utm_campaign), None,
            )
            for k in range(1, row.reaches + 1)
        )  # fmt: skip

    for deal in agency.crm_leads:
        local = deal.created_at.astimezone(zones[deal.client_id]).date()
        if local < first:
            continue
        if deal.system == "amocrm":
            code = "deleted" if deal.deleted else None
            channel = _own_channel(deal.utm_source, deal.utm_medium, None, None)
        else:
            code = "junk" if deal.status == "JUNK" else None
            channel = _own_channel(deal.utm_source, deal.utm_medium, deal.source_id, None)
        records.append(LeadRecord(deal.client_id, deal.system, local, 1, code))
        if code is None:
            events.append(
                LeadEvent(
                    deal.client_id, deal.system, deal.account_id, str(deal.lead_id), "crm", deal.created_at,
                    local, channel, _text(deal.utm_campaign), contact_key(deal.phone, deal.email),
                )
            )  # fmt: skip
    return events, records


def agency_ledger(
    agency: Agency, calls: Sequence[CallTruth] | None = None, *, since: dt.date | None = None
) -> tuple[LedgerResult, list[LeadRecord]]:
    """The ledger of ``agency`` and the records behind it (see :func:`lead_records` for ``since``)."""
    events, records = lead_records(agency, calls, since=since)
    result = lead_ledger(
        events,
        window_days=agency.settings.unique_call_window_days,
        priorities={c.id: c.lead_priority for c in agency.clients},
    )
    return result, records


def ledger_months(agency: Agency, *, since: dt.date | None = None) -> dict[tuple[str, dt.date], int]:
    """Ledger leads per (client, first day of the client-local month); with ``since``, a quick
    estimate from the events of those days on only (episodes reaching back before it are cut)."""
    if since is not None:  # only the records of those days (and a day before, for the time zones)
        start = dt.datetime.combine(since - dt.timedelta(days=1), dt.time(), dt.UTC)
        agency = dataclasses.replace(
            agency,
            calls=tuple(c for c in agency.calls if c.started_at >= start),
            requests=tuple(r for r in agency.requests if r.created_at >= start),
            goal_reaches=tuple(r for r in agency.goal_reaches if r.date >= since),
            crm_leads=tuple(d for d in agency.crm_leads if d.created_at >= start),
        )
    out: dict[tuple[str, dt.date], int] = defaultdict(int)
    for lead in agency_ledger(agency, since=since)[0].leads:
        out[(lead.client_id, lead.lead_date.replace(day=1))] += 1
    return out


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def revenue_months(agency: Agency) -> tuple[RevenueMonthTruth, ...]:
    """The agency's fee per client and month of issue (see the module's docstring)."""
    shares = {c.id: c.fee_share for c in agency.clients}
    acc: dict[tuple[str, dt.date], list[Decimal]] = defaultdict(
        lambda: [Decimal(0), Decimal(0), Decimal(0), Decimal(0)]
    )
    for inv in agency.invoices:
        row = acc[(inv.client_id, _month(inv.issued_on))]
        row[0] += 1
        row[1] += inv.amount
        row[2] += inv.amount_net * shares[inv.client_id]
        row[3] += inv.fee_net
    return tuple(
        RevenueMonthTruth(c, m, int(n), total, fee.quantize(Decimal("0.01"), ROUND_HALF_UP), simulated)
        for (c, m), (n, total, fee, simulated) in sorted(acc.items())
    )


def lifecycle_months(agency: Agency, ad_days: Iterable[AdDayTruth]) -> tuple[LifecycleMonthTruth, ...]:
    """Each client's status per month with a one-month churn window (see the module's docstring)."""
    active: dict[str, set[dt.date]] = defaultdict(set)
    for ad in ad_days:
        if ad.spend > 0 and ad.date < agency.today:
            active[ad.client_id].add(_month(ad.date))
    for inv in agency.invoices:
        if inv.issued_on <= agency.today:
            active[inv.client_id].add(_month(inv.issued_on))
    current = _month(agency.today)
    starts = {c.id: _month(c.start_date) for c in agency.clients}
    data_start = _month(agency.data_start)
    out: list[LifecycleMonthTruth] = []
    for client_id, months in sorted(active.items()):
        month = min(months)
        previous_active: dt.date | None = None
        while month <= current:
            is_active = month in months
            gap = 0
            if previous_active is not None:
                gap = (month.year - previous_active.year) * 12 + month.month - previous_active.month
            status = "inactive"
            if is_active:
                if previous_active is None:  # new, unless the contract predates the data
                    status = "new" if starts[client_id] >= data_start else "retained"
                else:
                    status = "returning" if gap > 1 else "retained"
                previous_active = month
            elif gap == 1 and month < current:
                status = "churned"
            out.append(LifecycleMonthTruth(client_id, month, is_active, status))
            month = _next_month(month)
    return tuple(out)


def ground_truth(agency: Agency) -> GroundTruth:
    ads: dict[tuple[str, str, dt.date], list[int | Decimal]] = {}
    for stat in agency.ad_stats:
        key = (stat.client_id, stat.channel, stat.date)
        acc = ads.setdefault(key, [Decimal("0.00"), 0, 0])
        acc[0] += stat.cost
        acc[1] += stat.impressions
        acc[2] += stat.clicks
    ad_days = tuple(
        AdDayTruth(c, ch, d, Decimal(spend), int(imp), int(clk))
        for (c, ch, d), (spend, imp, clk) in sorted(ads.items())
    )

    calls = call_truths(agency)
    per_day: dict[tuple[str, str, dt.date], list[int]] = {}
    for call in calls:
        acc2 = per_day.setdefault((call.client_id, call.channel, call.local_date), [0, 0, 0, 0])
        acc2[0] += 1
        acc2[1] += call.is_target
        acc2[2] += call.is_unique
        acc2[3] += call.is_lead
    call_days = tuple(
        CallDayTruth(c, ch, d, n, t, u, leads) for (c, ch, d), (n, t, u, leads) in sorted(per_day.items())
    )

    invoices = tuple(
        InvoiceTruth(
            client_id=inv.client_id,
            invoice_number=inv.number,
            issued_on=inv.issued_on,
            due_on=inv.due_on,
            amount=inv.amount,
            vat_amount=inv.vat_amount,
            paid_amount=inv.paid_amount,
            paid_on=inv.paid_on,
        )
        for inv in sorted(agency.invoices, key=lambda i: (i.issued_on, int(i.number)))
    )
    ledger, records = agency_ledger(agency, calls)
    by_type = {t: i for i, t in enumerate(LEAD_TYPES)}
    lead_day: dict[tuple[str, str, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    lead_month: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for lead in ledger.leads:
        lead_day[(lead.client_id, lead.channel, lead.lead_date)][by_type[lead.lead_type]] += 1
        lead_month[(lead.client_id, lead.lead_date.replace(day=1))][by_type[lead.lead_type]] += 1
    recon: dict[tuple[str, dt.date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    exclusions: dict[tuple[str, str], int] = defaultdict(int)
    for record in records:
        acc3 = recon[(record.client_id, record.local_date.replace(day=1), record.source)]
        acc3[0] += record.size
        if record.exclusion is not None:
            acc3[1] += record.size
            if record.exclusion != "not_lead":
                exclusions[(record.client_id, record.exclusion)] += record.size
    for event in ledger.merged:
        recon[(event.client_id, event.local_date.replace(day=1), event.source)][2] += 1
    return GroundTruth(
        as_of=agency.today,
        client_ids=tuple(c.id for c in agency.clients),
        ad_days=ad_days,
        calls=tuple(sorted(calls, key=lambda c: (c.client_id, c.started_at, c.call_id))),
        call_days=call_days,
        invoices=invoices,
        leads=ledger.leads,
        lead_days=tuple(LeadDayTruth(c, ch, d, sum(n), *n) for (c, ch, d), n in sorted(lead_day.items())),
        lead_months=tuple(LeadMonthTruth(c, m, sum(n), *n) for (c, m), n in sorted(lead_month.items())),
        lead_reconciliation=tuple(
            LeadReconciliationTruth(c, m, src, n, x, n - x, merged, n - x - merged)
            for (c, m, src), (n, x, merged) in sorted(recon.items())
        ),
        exclusions=tuple((c, code, n) for (c, code), n in sorted(exclusions.items())),
        revenue_months=revenue_months(agency),
        lifecycle_months=lifecycle_months(agency, ad_days),
    )
