"""Ground truth: the numbers the pipeline must produce, computed from the simulator's own model.

Definitions follow ``DOMAIN.md`` (the metric passport), implemented here independently of the
dbt project so the end-to-end test compares two implementations:

- **spend / impressions / clicks** per client, channel and day: sums over campaigns; spend is
  RUB net of VAT, 2 dp.
- **calls**: distinct call ids per client, channel and *client-local* date of the call start.
- **target call**: Calltouch's ``targetCall`` flag as given; CoMagic (no flag): not lost
  (answered) and ``talk_duration >= target_call_min_talk_seconds``.
- **unique call**: see :func:`unique_flags`.
- **lead**: Calltouch's ``uniqTargetCall`` (its own uniqueness and target rules, what the client
  sees in the cabinet); CoMagic (no flags): unique and target by the agency's rules.
- **channel**: :func:`channel_for` on (utm_source, utm_medium) when utm_source is filled, else on
  the tracker's own (source, medium).
- **invoices**: amounts incl. VAT; ``paid_amount`` and ``paid_on`` as of ``today`` (payments
  dated before ``today``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from demo_agency.model import Agency, Call

__all__ = [
    "AdDayTruth",
    "CallDayTruth",
    "CallTruth",
    "ClientTotals",
    "GroundTruth",
    "InvoiceTruth",
    "channel_for",
    "ground_truth",
    "is_target_call",
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
class ClientTotals:
    client_id: str
    spend: Decimal
    impressions: int
    clicks: int
    calls: int
    target_calls: int
    unique_calls: int
    leads: int
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

    def totals(self, client_id: str) -> ClientTotals:
        """Whole-period totals of one client."""
        if client_id not in self.client_ids:
            raise KeyError(client_id)
        ads = [a for a in self.ad_days if a.client_id == client_id]
        calls = [c for c in self.call_days if c.client_id == client_id]
        invoices = [i for i in self.invoices if i.client_id == client_id]
        zero = Decimal("0.00")
        return ClientTotals(
            client_id=client_id,
            spend=sum((a.spend for a in ads), zero),
            impressions=sum(a.impressions for a in ads),
            clicks=sum(a.clicks for a in ads),
            calls=sum(c.calls for c in calls),
            target_calls=sum(c.target_calls for c in calls),
            unique_calls=sum(c.unique_calls for c in calls),
            leads=sum(c.leads for c in calls),
            invoiced=sum((i.amount for i in invoices), zero),
            paid=sum((i.paid_amount for i in invoices), zero),
        )

    def all_totals(self) -> dict[str, ClientTotals]:
        return {client_id: self.totals(client_id) for client_id in self.client_ids}

    def spend_by_channel(self, client_id: str) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
        for a in self.ad_days:
            if a.client_id == client_id:
                out[a.channel] += a.spend
        return dict(sorted(out.items()))

    def leads_by_channel(self, client_id: str) -> dict[str, int]:
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
    return GroundTruth(
        as_of=agency.today,
        client_ids=tuple(c.id for c in agency.clients),
        ad_days=ad_days,
        calls=tuple(sorted(calls, key=lambda c: (c.client_id, c.started_at, c.call_id))),
        call_days=call_days,
        invoices=invoices,
    )
