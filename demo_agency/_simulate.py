"""The simulation: a deterministic function of (today, seed, months, n_clients).

Every random draw comes from a ``random.Random`` seeded with a string built from the seed and
what is being drawn (``"7/romashka/ads"``), so clients do not disturb each other and no global
random state or wall clock is used.

Period: the ``months`` full calendar months before the month of ``today`` plus the current
month up to yesterday (the last full day).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from demo_agency._calendar import (
    add_months,
    days_in_month,
    is_holiday,
    iter_days,
    iter_months,
    month_end,
    month_start,
    next_working_day,
    nth_working_day,
)
from demo_agency._catalog import (
    AGENCY_LEGAL_NAME,
    AGENCY_NAME,
    CLIENT_TEMPLATES,
    DIRECT_CAMPAIGNS,
    GOOGLE_CAMPAIGNS,
    MANAGERS,
    MAX_CLIENTS,
    OTHER_CITIES,
    REFERRAL_SITES,
    SOCIAL_SITES,
    VK_CAMPAIGNS,
    ClientTemplate,
    crm_account_id,
)
from demo_agency._draws import poisson
from demo_agency._inn import individual_inn, legal_entity_inn
from demo_agency._leads import (
    LeadContext,
    crm_leads,
    goal_reaches,
    metrika_goals,
    number_requests,
    renumbered,
    requests_journal,
)
from demo_agency._truth import ledger_months
from demo_agency.model import (
    KOPECK,
    AdChannel,
    AdStat,
    Agency,
    AgencySettings,
    Call,
    Campaign,
    Client,
    ClientAccount,
    CrmLead,
    FormRequest,
    GoalReaches,
    Invoice,
    MetrikaGoal,
    MonthlyPlan,
    Payment,
    money,
)

__all__ = ["simulate"]

_UTC = dt.UTC
_VAT_2026 = dt.date(2026, 1, 1)
_CALLTOUCH_ZONE = "Europe/Moscow"  # the Calltouch cabinet's clock
_CALL_RATE: dict[str, float] = {"yandex_direct": 0.012, "vk_ads": 0.006, "google_ads": 0.01}
_FIRST_CALLTOUCH_ID = 22_740_000
_FIRST_COMAGIC_ID = 3_105_600_000
_FIRST_INVOICE_NUMBER = 1001


def simulate(today: dt.date, seed: int = 7, months: int = 18, n_clients: int = 12) -> Agency:
    """Simulate the demo agency as of ``today``.

    ``months`` full months of history before the current month (plus the current month up to
    yesterday); ``n_clients`` from 1 to 16. From 4 clients on, every source is present
    (Direct, VK, a ``google_ads`` cabinet, Calltouch, CoMagic, Calltouch requests, Metrika,
    amoCRM, Bitrix24) and a late payer; from 6 clients and 7 months on, also a churned and a
    new client.
    """
    if not 1 <= n_clients <= MAX_CLIENTS:
        raise ValueError(f"n_clients must be between 1 and {MAX_CLIENTS}, got {n_clients}")
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    world = _World(today=today, seed=seed, months=months)
    for template in CLIENT_TEMPLATES[:n_clients]:
        world.add_client(template)
    return world.finish()


@dataclass
class _CampaignSim:
    campaign: Campaign
    weight: float
    cpc: float  # RUB per click (CPC campaigns)
    cpm: float  # RUB per 1000 impressions (VK)
    ctr: float
    cr: float  # platform conversions per click


@dataclass
class _ClientSim:
    template: ClientTemplate
    client: Client
    growth: float
    organic_per_day: float
    direct_per_day: float
    campaigns: dict[AdChannel, list[_CampaignSim]] = field(default_factory=dict)


class _Ids:
    """Unique random identifiers (account ids, campaign ids, ИНН) across the agency."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def number(self, low: int, high: int) -> str:
        while True:
            value = str(self._rng.randint(low, high))
            if value not in self._used:
                self._used.add(value)
                return value

    def inn(self, tax_office: str, individual: bool) -> str:
        while True:
            value = (individual_inn if individual else legal_entity_inn)(self._rng, tax_office)
            if value not in self._used:
                self._used.add(value)
                return value


def _kopecks(value: float) -> Decimal:
    return (Decimal(round(value * 100)) / 100).quantize(KOPECK)


def _day_factor(day: dt.date, segment: str) -> float:
    """Weekly seasonality: B2B is quiet at weekends and holidays, B2C is busier at weekends."""
    weekend = day.weekday() >= 5
    if segment == "b2b":
        return 0.3 if is_holiday(day) else (0.4 if weekend else 1.0)
    return 0.8 if is_holiday(day) else (1.18 if weekend else 0.95)


class _World:
    def __init__(self, *, today: dt.date, seed: int, months: int) -> None:
        self.today = today
        self.yesterday = today - dt.timedelta(days=1)
        self.seed = seed
        self.months = months
        self.data_start = add_months(month_start(today), -months)
        self.ids = _Ids(random.Random(f"{seed}/ids"))
        self.lead_ids = _Ids(random.Random(f"{seed}/lead-ids"))  # apart: the rest of the world stays put
        self.sims: list[_ClientSim] = []
        self.campaigns: list[Campaign] = []
        self.ad_stats: list[AdStat] = []
        self.calls: list[Call] = []
        self.invoices: list[Invoice] = []
        self.requests: list[FormRequest] = []
        self.goals: list[MetrikaGoal] = []
        self.goal_reaches: list[GoalReaches] = []
        self.crm_leads: list[CrmLead] = []

    def rng(self, *parts: object) -> random.Random:
        return random.Random("/".join([str(self.seed), *map(str, parts)]))

    # --- clients ---------------------------------------------------------------------------

    def add_client(self, template: ClientTemplate) -> None:
        rng = self.rng(template.id, "profile")
        behaviour = template.behaviour
        if behaviour == "churned" and self.months < 7:
            behaviour = "regular"
        end: dt.date | None = None
        if behaviour == "churned":
            end = month_end(add_months(month_start(self.today), -5))
            start = self.data_start - dt.timedelta(days=rng.randint(200, 900))
        elif behaviour == "new":
            start = max(next_working_day(self.today - dt.timedelta(days=42)), self.data_start)
        else:
            start = self.data_start - dt.timedelta(days=rng.randint(30, 1100))

        channels = [channel for channel, _ in template.budgets]
        accounts: list[ClientAccount] = []
        if "yandex_direct" in channels:
            accounts.append(ClientAccount("yandex_direct", f"{template.id}-direct"))
        if "vk_ads" in channels:
            accounts.append(ClientAccount("vk_ads", self.ids.number(9_000_000, 9_999_999)))
        if "google_ads" in channels:
            accounts.append(ClientAccount("cabinet", "google_ads"))
        if template.tracker == "calltouch":
            zone = None if template.timezone == _CALLTOUCH_ZONE else _CALLTOUCH_ZONE
            site = self.ids.number(20_000, 69_999)
            accounts.append(ClientAccount("calltouch", site, zone))
            if template.forms > 0:  # the requests journal of the same Calltouch site
                accounts.append(
                    ClientAccount("calltouch_requests", site, zone, via_inbox=template.requests_via_inbox)
                )
        else:
            accounts.append(ClientAccount("comagic", self.ids.number(70_000, 89_999), template.timezone))
        if template.metrika_goal is not None:
            counter = self.lead_ids.number(20_000_000, 99_999_999)
            goals = metrika_goals(
                counter, template.metrika_goal, lambda: int(self.lead_ids.number(300_000_000, 399_999_999))
            )
            self.goals.extend(goals)
            # the specialist listed the phone auto-goal too: the pipeline must leave it out
            listed = (goals[0].id, goals[1].id)
            accounts.append(ClientAccount("yandex_metrika", counter, goals=listed, attribution="lastsign"))
        crm = crm_account_id(template)
        if template.crm is not None and crm is not None:
            accounts.append(ClientAccount(template.crm, crm))

        client = Client(
            id=template.id,
            name=template.name,
            register_name=template.register_name,
            inn=self.ids.inn(template.tax_office, template.individual),
            manager_id=template.manager_id,
            timezone=template.timezone,
            city=template.city,
            segment=template.segment,
            start_date=start,
            end_date=end,
            payment_terms_days=10 if behaviour == "late_payer" else rng.choice([5, 7, 10, 10, 14, 30]),
            fee_rate=Decimal(rng.choice(["0.10", "0.12", "0.12", "0.15"])),
            behaviour=behaviour,
            accounts=tuple(accounts),
            lead_priority=template.lead_priority,
        )
        b2b = template.segment == "b2b"
        sim = _ClientSim(
            template=template,
            client=client,
            growth=rng.uniform(0.995, 1.012),
            organic_per_day=rng.uniform(0.4, 1.2) * (0.8 if b2b else 1.0),
            direct_per_day=rng.uniform(0.2, 0.6),
        )
        self.sims.append(sim)
        self._make_campaigns(sim)
        self._simulate_client(sim)
        self._invoice_client(sim)

    def _active_range(self, client: Client) -> tuple[dt.date, dt.date]:
        last = self.yesterday if client.end_date is None else min(client.end_date, self.yesterday)
        return max(client.start_date, self.data_start), last

    def _make_campaigns(self, sim: _ClientSim) -> None:
        template, client = sim.template, sim.client
        rng = self.rng(template.id, "campaigns")
        first, last = self._active_range(client)
        span = max((last - first).days, 1)
        fill = {"kw": template.keyword, "city": template.city_ru, "brand": template.brand}
        b2b = template.segment == "b2b"
        leading_space_brand = template.id == CLIENT_TEMPLATES[0].id

        def window(index: int) -> tuple[dt.date, dt.date | None]:
            if index == 0 or span < 60:
                return first, None
            start, stop = first, None
            if rng.random() < 0.25:
                start = first + dt.timedelta(days=rng.randint(20, int(span * 0.6)))
            if rng.random() < 0.2:
                stop = start + dt.timedelta(days=rng.randint(30, max(31, (last - start).days)))
                stop = None if stop >= last else stop
            return start, stop

        for channel, _budget in template.budgets:
            account = client.account("cabinet" if channel == "google_ads" else channel)
            assert account is not None
            sims: list[_CampaignSim] = []
            if channel == "yandex_direct":
                rest = list(range(1, len(DIRECT_CAMPAIGNS)))
                rng.shuffle(rest)
                picked = [0, *rest[: rng.randint(1, 5)]]
                if leading_space_brand and 2 not in picked:
                    picked[-1] = 2
                for index, p in enumerate(picked):
                    pattern, ctype, search = DIRECT_CAMPAIGNS[p]
                    name = pattern.format(**fill)
                    if leading_space_brand and p == 2:
                        name = " " + name  # typed that way in the cabinet; must survive the pipeline
                    start, stop = window(index)
                    sims.append(
                        _CampaignSim(
                            Campaign(
                                client.id,
                                channel,
                                account.id,
                                self.ids.number(60_000_000, 119_999_999),
                                name,
                                ctype,
                                start,
                                stop,
                                tracks_goals=rng.random() < 0.7,
                            ),
                            weight=rng.uniform(1.5, 3.0) if index == 0 else rng.uniform(0.4, 1.5),
                            cpc=(rng.uniform(60, 140) if b2b else rng.uniform(25, 70))
                            if search
                            else rng.uniform(8, 25),
                            cpm=0.0,
                            ctr=rng.uniform(0.04, 0.09) if search else rng.uniform(0.003, 0.008),
                            cr=rng.uniform(0.02, 0.08),
                        )
                    )
            elif channel == "vk_ads":
                for index in range(rng.randint(1, len(VK_CAMPAIGNS))):
                    start, stop = window(index)
                    sims.append(
                        _CampaignSim(
                            Campaign(
                                client.id,
                                channel,
                                account.id,
                                self.ids.number(1_000_000, 9_999_999),
                                VK_CAMPAIGNS[index].format(**fill),
                                "vk_ad_plan",
                                start,
                                stop,
                                True,
                            ),
                            weight=rng.uniform(0.5, 2.0),
                            cpc=0.0,
                            cpm=rng.uniform(90, 220),
                            ctr=rng.uniform(0.004, 0.009),
                            cr=rng.uniform(0.01, 0.04),
                        )
                    )
            else:
                for index in range(rng.randint(1, len(GOOGLE_CAMPAIGNS))):
                    pattern, search = GOOGLE_CAMPAIGNS[index]
                    start, stop = window(index)
                    sims.append(
                        _CampaignSim(
                            Campaign(
                                client.id,
                                channel,
                                account.id,
                                self.ids.number(10_000_000_000, 99_999_999_999),
                                pattern.format(**fill),
                                "SEARCH" if search else "PERFORMANCE_MAX",
                                start,
                                stop,
                                False,
                            ),
                            weight=rng.uniform(0.5, 2.0),
                            cpc=rng.uniform(40, 110) if search else rng.uniform(15, 35),
                            cpm=0.0,
                            ctr=rng.uniform(0.03, 0.07) if search else rng.uniform(0.004, 0.01),
                            cr=0.0,
                        )
                    )
            sim.campaigns[channel] = sims
            self.campaigns.extend(s.campaign for s in sims)

    def planned_budget(self, sim: _ClientSim, channel: AdChannel, month: dt.date) -> Decimal:
        """The month's agreed ad budget of one channel, RUB net of VAT (a round number)."""
        template = sim.template
        base = dict(template.budgets)[channel]
        age = (month.year - self.data_start.year) * 12 + month.month - self.data_start.month
        season = 1 + template.amplitude * math.cos(2 * math.pi * (month.month - template.peak_month) / 12)
        noise = self.rng(template.id, "budget", channel, month.isoformat()).uniform(0.93, 1.07)
        value = base * sim.growth**age * season * noise
        return Decimal(max(10_000, round(value / 5_000) * 5_000))

    # --- ads and calls ---------------------------------------------------------------------

    def _contract_days(self, client: Client, month: dt.date) -> tuple[dt.date, dt.date] | None:
        first = max(month, client.start_date)
        last = month_end(month) if client.end_date is None else min(month_end(month), client.end_date)
        return (first, last) if first <= last else None

    def _simulate_client(self, sim: _ClientSim) -> None:
        client = sim.client
        rng = self.rng(client.id, "ads")
        first, last = self._active_range(client)
        if first > last:
            return
        clicks_by_day: dict[dt.date, dict[AdChannel, list[AdStat]]] = defaultdict(lambda: defaultdict(list))
        for month in iter_months(first, last):
            contract = self._contract_days(client, month)
            if contract is None:
                continue
            days = list(iter_days(*contract))
            share = len(days) / days_in_month(month)
            for channel, campaign_sims in sim.campaigns.items():
                budget = float(self.planned_budget(sim, channel, month)) * share
                budget *= rng.uniform(0.93, 1.03)  # how closely the month's spend met the plan
                weights = [_day_factor(d, client.segment) * rng.lognormvariate(0, 0.12) for d in days]
                total = sum(weights)
                for day, weight in zip(days, weights, strict=True):
                    if day < first or day > last:
                        continue
                    active = [
                        c
                        for c in campaign_sims
                        if c.campaign.active_from <= day
                        and (c.campaign.active_to is None or day <= c.campaign.active_to)
                    ]
                    spend = budget * weight / total
                    weight_sum = sum(c.weight for c in active)
                    for c in active:
                        stat = self._campaign_day(rng, c, day, spend * c.weight / weight_sum)
                        if stat is not None:
                            self.ad_stats.append(stat)
                            clicks_by_day[day][channel].append(stat)
        calls_before = len(self.calls)
        self._simulate_calls(sim, clicks_by_day)
        self._simulate_leads(sim, clicks_by_day, self.calls[calls_before:])

    @staticmethod
    def _day_kinds(
        sim: _ClientSim, day: dt.date, stats_by_day: dict[dt.date, dict[AdChannel, list[AdStat]]]
    ) -> list[tuple[str, float, list[AdStat] | None]]:
        """The day's traffic kinds weighted as calls come from them (paid: by the day's clicks)."""
        factor = _day_factor(day, sim.client.segment)
        b2b = sim.client.segment == "b2b"
        kinds: list[tuple[str, float, list[AdStat] | None]] = [
            (channel, sum(s.clicks for s in stats) * _CALL_RATE[channel], stats)
            for channel, stats in stats_by_day.get(day, {}).items()
            if any(s.clicks for s in stats)
        ]
        for kind, per_day in (
            ("seo", sim.organic_per_day),
            ("direct", sim.direct_per_day),
            ("referral", 0.12),
            ("social", 0.02 if b2b else 0.06),
            ("email", 0.03),
            ("other", 0.06),
        ):
            kinds.append((kind, per_day * factor, None))
        return kinds

    def _simulate_leads(
        self,
        sim: _ClientSim,
        stats_by_day: dict[dt.date, dict[AdChannel, list[AdStat]]],
        calls: list[Call],
    ) -> None:
        """The client's forms, Metrika goal reaches and CRM deals (see :mod:`demo_agency._leads`)."""
        client = sim.client
        first, last = self._active_range(client)
        ctx = LeadContext(
            rng=self.rng,
            client=client,
            template=sim.template,
            first=first,
            last=last,
            calls=calls,
            day_kinds=lambda day: self._day_kinds(sim, day, stats_by_day),
            attribute=lambda rng, kind, stat: self._attribution(rng, sim, "calltouch", kind, stat),
        )
        requests: list[FormRequest] = []
        for account in client.accounts:
            if account.source == "calltouch_requests":
                requests = requests_journal(ctx, account)
                self.requests.extend(requests)
            elif account.source == "yandex_metrika":
                goals = [g for g in self.goals if g.counter_id == account.id]
                self.goal_reaches.extend(goal_reaches(ctx, goals))
        for account in client.accounts:
            if account.source in ("amocrm", "bitrix24_leads"):
                self.crm_leads.extend(crm_leads(ctx, account, requests))

    def _campaign_day(self, rng: random.Random, c: _CampaignSim, day: dt.date, spend: float) -> AdStat | None:
        campaign = c.campaign
        conversions: int | None = None
        if campaign.channel == "vk_ads":
            impressions = round(spend / (c.cpm * rng.lognormvariate(0, 0.1)) * 1000)
            if impressions <= 0:
                return None
            clicks = min(impressions, poisson(rng, impressions * c.ctr * rng.lognormvariate(0, 0.15)))
            cost = _kopecks(spend)
            conversions = poisson(rng, clicks * c.cr)
        else:
            cpc = c.cpc * rng.lognormvariate(0, 0.1)
            expected = spend / cpc
            clicks = poisson(rng, expected)
            impressions = max(clicks, round(expected / (c.ctr * rng.lognormvariate(0, 0.15))))
            if impressions <= 0:
                return None
            cost = _kopecks(clicks * cpc)
            if campaign.tracks_goals:
                conversions = poisson(rng, clicks * c.cr)
        return AdStat(
            campaign.client_id,
            campaign.channel,
            campaign.account_id,
            campaign.id,
            day,
            impressions,
            clicks,
            cost,
            conversions,
        )

    def _simulate_calls(
        self, sim: _ClientSim, stats_by_day: dict[dt.date, dict[AdChannel, list[AdStat]]]
    ) -> None:
        client = sim.client
        rng = self.rng(client.id, "calls")
        zone = ZoneInfo(client.timezone)
        tracker_account = client.account("calltouch") or client.account("comagic")
        assert tracker_account is not None
        tracker = "calltouch" if tracker_account.source == "calltouch" else "comagic"
        tracking_numbers = [f"7495{rng.randint(1_000_000, 9_999_999)}" for _ in range(3)]
        times: list[dt.datetime] = []
        numbers: list[str] = []
        seen: set[str] = set()
        b2b = client.segment == "b2b"
        first, last = self._active_range(client)
        for day in iter_days(first, last):
            factor = _day_factor(day, client.segment)
            kinds: list[tuple[str, AdStat | None]] = []
            for channel, stats in stats_by_day.get(day, {}).items():
                clicks = sum(s.clicks for s in stats)
                for _ in range(poisson(rng, clicks * _CALL_RATE[channel])):
                    chosen = rng.choices(stats, weights=[s.clicks + 0.01 for s in stats])[0]
                    kinds.append((channel, chosen))
            for kind, per_day in (
                ("seo", sim.organic_per_day),
                ("direct", sim.direct_per_day),
                ("referral", 0.12),
                ("social", 0.02 if b2b else 0.06),
                ("email", 0.03),
                ("other", 0.06),
            ):
                kinds.extend((kind, None) for _ in range(poisson(rng, per_day * factor)))
            starts = sorted(
                (
                    dt.datetime.combine(day, dt.time(), zone)
                    + dt.timedelta(seconds=self._time_of_day(rng, b2b)),
                    i,
                )
                for i in range(len(kinds))
            )
            for local_start, i in starts:
                started = local_start.astimezone(_UTC)
                number = self._caller(rng, started, times, numbers, seen)
                kind, stat = kinds[i]
                self.calls.append(
                    self._call(
                        rng,
                        sim,
                        tracker,
                        tracker_account.id,
                        started,
                        number,
                        kind,
                        stat,
                        tracking_numbers,
                        first_from_number=number not in seen,
                    )
                )
                seen.add(number)
                times.append(started)
                numbers.append(number)

    @staticmethod
    def _time_of_day(rng: random.Random, b2b: bool) -> int:
        if rng.random() < 0.04:
            hour = rng.randint(0, 7)
        elif b2b:
            hour = min(max(int(rng.gauss(13, 2.6)), 8), 20)
        else:
            hour = min(max(int(rng.gauss(15, 3.5)), 8), 23)
        return hour * 3600 + rng.randrange(3600)

    @staticmethod
    def _caller(
        rng: random.Random, started: dt.datetime, times: list[dt.datetime], numbers: list[str], seen: set[str]
    ) -> str:
        """A repeat caller sometimes (within days, or 20-60 days later), else a new number."""
        r = rng.random()
        window: tuple[dt.timedelta, dt.timedelta] | None = None
        if r < 0.10:
            window = (dt.timedelta(days=7), dt.timedelta(0))
        elif r < 0.14:
            window = (dt.timedelta(days=60), dt.timedelta(days=20))
        if window is not None:
            lo = bisect.bisect_left(times, started - window[0])
            hi = bisect.bisect_left(times, started - window[1])
            if lo < hi:
                return numbers[rng.randrange(lo, hi)]
        while True:
            number = f"79{rng.randint(0, 999_999_999):09d}"
            if number not in seen:
                return number

    def _call(
        self,
        rng: random.Random,
        sim: _ClientSim,
        tracker: str,
        account_id: str,
        started: dt.datetime,
        number: str,
        kind: str,
        stat: AdStat | None,
        tracking_numbers: list[str],
        *,
        first_from_number: bool,
    ) -> Call:
        client = sim.client
        r = rng.random()
        if r < 0.12:
            answered, talk, wait = False, 0, rng.randint(10, 50)
        else:
            answered, wait = True, rng.randint(3, 25)
            if r < 0.30:
                talk = rng.randint(3, 29)
            elif r < 0.42:
                talk = rng.randint(30, 59)
            else:
                talk = min(1800, max(60, int(rng.lognormvariate(math.log(170), 0.6))))
        tags: tuple[str, ...] = ()
        target_flag: bool | None = None
        if tracker == "calltouch":
            # Calltouch's rule in this cabinet: answered and >= 60 s, or marked target by a manager.
            tagged = answered and 30 <= talk < 60 and rng.random() < 0.25
            target_flag = answered and (talk >= 60 or tagged)
            tags = (
                ("целевой",)
                if tagged
                else (("спам",) if answered and talk < 15 and rng.random() < 0.1 else ())
            )
        elif answered and talk >= 30 and rng.random() < 0.3:
            tags = ("Консультация",)
        utm_source, utm_medium, utm_campaign, utm_content, utm_term, source, medium = self._attribution(
            rng, sim, tracker, kind, stat
        )
        city = client.city if rng.random() < 0.85 else rng.choice(OTHER_CITIES)
        return Call(
            tracker="calltouch" if tracker == "calltouch" else "comagic",
            client_id=client.id,
            account_id=account_id,
            call_id=0,  # assigned in time order across the agency in finish()
            started_at=started,
            caller_number=number,
            tracking_number=rng.choice(tracking_numbers),
            wait_seconds=wait,
            talk_seconds=talk,
            answered=answered,
            target_flag=target_flag,
            tracker_unique=first_from_number if tracker == "calltouch" else None,
            utm_source=utm_source,
            utm_medium=utm_medium,
            utm_campaign=utm_campaign,
            utm_content=utm_content,
            utm_term=utm_term,
            source=source,
            medium=medium,
            city=city,
            tags=tags,
        )

    @staticmethod
    def _attribution(
        rng: random.Random, sim: _ClientSim, tracker: str, kind: str, stat: AdStat | None
    ) -> tuple[str | None, str | None, str | None, str | None, str | None, str | None, str | None]:
        """(utm_source, utm_medium, utm_campaign, utm_content, utm_term, source, medium).

        Calltouch always knows its own session source/medium; utm is sometimes lost
        (``<не указано>`` in the export). CoMagic reports utm only.
        """
        keyword = sim.template.keyword.lower()
        calltouch = tracker == "calltouch"
        if kind in ("yandex_direct", "vk_ads", "google_ads"):
            assert stat is not None
            if kind == "yandex_direct":
                src, med = "yandex", "cpc"
            elif kind == "vk_ads":
                src, med = rng.choice([("vk", "cpc"), ("vk", "cpm"), ("vk_ads", "cpc"), ("mytarget", "cpm")])
            else:
                src, med = "google", "cpc"
            keep_utm = rng.random() < (0.75 if calltouch else 0.92)
            if not keep_utm:
                return (None, None, None, None, None, src, med) if calltouch else (None,) * 7
            content = f"ad{rng.randint(10_000_000, 99_999_999)}"
            return (
                src,
                med,
                stat.campaign_id,
                content,
                keyword,
                (src if calltouch else None),
                (med if calltouch else None),
            )
        if kind == "seo":
            engine = "yandex" if rng.random() < 0.6 else "google"
            return (
                (None, None, None, None, None, engine, "organic")
                if calltouch
                else (engine, "organic", None, None, None, None, None)
            )
        if kind == "direct":
            return (None, None, None, None, None, "(direct)", "(none)") if calltouch else (None,) * 7
        if kind in ("referral", "social"):
            site = rng.choice(REFERRAL_SITES if kind == "referral" else SOCIAL_SITES)
            return (
                (None, None, None, None, None, site, kind)
                if calltouch
                else (site, kind, None, None, None, None, None)
            )
        if kind == "email":
            return (
                "newsletter",
                "email",
                "promo",
                None,
                None,
                ("newsletter" if calltouch else None),
                ("email" if calltouch else None),
            )
        # other: classifieds, or a printed number on an offline ad (Calltouch: source = number)
        if calltouch and rng.random() < 0.4:
            return None, None, None, None, None, "74952290009", "offline"
        return (
            "avito",
            "cpc",
            "listing",
            None,
            None,
            ("avito" if calltouch else None),
            ("cpc" if calltouch else None),
        )

    # --- invoices --------------------------------------------------------------------------

    def _invoice_client(self, sim: _ClientSim) -> None:
        client = sim.client
        rng = self.rng(client.id, "invoices")
        issue_day = rng.randint(1, 4)
        first = max(client.start_date, self.data_start)
        last = self.today if client.end_date is None else min(client.end_date, self.today)
        months = list(iter_months(first, last))
        for position, month in enumerate(months):
            contract = self._contract_days(client, month)
            if contract is None:
                continue
            if client.start_date > month:
                issued = next_working_day(client.start_date)
            else:
                issued = nth_working_day(month, issue_day + rng.randint(0, 1))
            if issued >= self.today or (client.end_date is not None and issued > client.end_date):
                continue
            share = Decimal((contract[1] - contract[0]).days + 1) / days_in_month(month)
            budget = money(sum(self.planned_budget(sim, ch, month) for ch in sim.campaigns) * share)
            fee = money(budget * client.fee_rate)
            vat_rate = 20 if issued < _VAT_2026 else 22
            invoice = Invoice(
                number="",  # numbered agency-wide in issue order in finish()
                client_id=client.id,
                issued_on=issued,
                due_on=issued + dt.timedelta(days=client.payment_terms_days),
                budget_net=budget,
                fee_net=fee,
                vat_rate=vat_rate,
            )
            final_of_churned = client.behaviour == "churned" and position == len(months) - 1
            payments = self._payments(rng, client, invoice, final_of_churned=final_of_churned)
            self.invoices.append(
                dataclasses.replace(invoice, payments=tuple(p for p in payments if p.paid_on < self.today))
            )

    @staticmethod
    def _payments(
        rng: random.Random, client: Client, invoice: Invoice, *, final_of_churned: bool
    ) -> list[Payment]:
        amount, issued, due = invoice.amount, invoice.issued_on, invoice.due_on
        terms = max(1, client.payment_terms_days)

        def on(day: dt.date) -> dt.date:
            return next_working_day(day)

        def part(low: float, high: float) -> Decimal:
            return Decimal(round(float(amount) * rng.uniform(low, high))).quantize(KOPECK)

        days = dt.timedelta
        if final_of_churned:  # left owing half of the last invoice
            return [Payment(on(due + days(rng.randint(5, 20))), part(0.45, 0.55))]
        r = rng.random()
        if client.behaviour == "late_payer":
            if r < 0.6:
                return [Payment(on(due + days(rng.randint(20, 70))), amount)]
            first = part(0.4, 0.7)
            first_on = on(due + days(rng.randint(20, 45)))
            payments = [Payment(first_on, first)]
            if rng.random() >= 0.15:
                payments.append(Payment(on(first_on + days(rng.randint(15, 40))), amount - first))
            return payments
        if r < 0.84:
            return [Payment(on(issued + days(rng.randint(1, terms))), amount)]
        if r < 0.94:
            return [Payment(on(due + days(rng.randint(1, 12))), amount)]
        first = part(0.4, 0.8)
        return [
            Payment(on(issued + days(rng.randint(1, terms))), first),
            Payment(on(due + days(rng.randint(10, 35))), amount - first),
        ]

    # --- finishing -------------------------------------------------------------------------

    def finish(self) -> Agency:
        order = {sim.client.id: i for i, sim in enumerate(self.sims)}
        calls = self._number_calls(order)
        calls = self._break_two_calltouch_durations(calls)
        invoices = [
            dataclasses.replace(inv, number=str(_FIRST_INVOICE_NUMBER + i))
            for i, inv in enumerate(sorted(self.invoices, key=lambda v: (v.issued_on, order[v.client_id])))
        ]
        agency = Agency(
            settings=AgencySettings(name=AGENCY_NAME, legal_name=AGENCY_LEGAL_NAME),
            managers=MANAGERS,
            clients=tuple(sim.client for sim in self.sims),
            campaigns=tuple(self.campaigns),
            ad_stats=tuple(self.ad_stats),
            calls=tuple(calls),
            invoices=tuple(invoices),
            today=self.today,
            data_start=self.data_start,
            seed=self.seed,
            requests=tuple(number_requests(self.requests, order, self.rng("request-ids"))),
            goals=tuple(self.goals),
            goal_reaches=tuple(self.goal_reaches),
            crm_leads=tuple(sorted(self.crm_leads, key=lambda lead: (order[lead.client_id], lead.lead_id))),
        )
        # plans follow the leads the client sees (the ledger), from the months they look back on
        leads = ledger_months(agency, since=add_months(month_start(self.today), -9))
        return dataclasses.replace(agency, clients=tuple(self._with_plans(sim, leads) for sim in self.sims))

    def _number_calls(self, order: dict[str, int]) -> list[Call]:
        """Call ids grow with time across each tracker, as the vendors assign them."""
        out: list[Call] = []
        for tracker, first_id in (("calltouch", _FIRST_CALLTOUCH_ID), ("comagic", _FIRST_COMAGIC_ID)):
            calls = sorted(
                (c for c in self.calls if c.tracker == tracker),
                key=lambda c: (c.started_at, order[c.client_id]),
            )
            rng = self.rng("call-ids", tracker)
            next_id = first_id
            for call in calls:
                next_id += rng.randint(1, 40)  # other customers' calls in between
                out.append(renumbered(call, "call_id", next_id))
        return out

    def _break_two_calltouch_durations(self, calls: list[Call]) -> list[Call]:
        """Real Calltouch exports contain the odd negative duration; we treat them as not answered."""
        rng = self.rng("quirks")
        candidates = [i for i, c in enumerate(calls) if c.tracker == "calltouch"]
        for i, seconds in zip(
            sorted(rng.sample(candidates, min(2, len(candidates)))), (-30, -12), strict=False
        ):
            calls[i] = dataclasses.replace(
                calls[i], talk_seconds=seconds, answered=False, target_flag=False, tags=()
            )
        return calls

    def _with_plans(self, sim: _ClientSim, leads_by_month: dict[tuple[str, dt.date], int]) -> Client:
        """Monthly plans from 5 months back to next month, set from the recent lead run rate."""
        client = sim.client
        rng = self.rng(client.id, "plans")
        fee_rng = self.rng(client.id, "fee-plans")
        current = month_start(self.today)
        plans: list[MonthlyPlan] = []
        for offset in range(-5, 2):
            month = add_months(current, offset)
            contract = self._contract_days(client, month)
            if month < self.data_start or contract is None or not sim.campaigns:
                continue
            share = Decimal((contract[1] - contract[0]).days + 1) / days_in_month(month)
            budget = Decimal(
                round(sum(self.planned_budget(sim, ch, month) for ch in sim.campaigns) * share / 1000) * 1000
            )
            history = [
                leads_by_month[(client.id, m)]
                for m in (add_months(month, -k) for k in (1, 2, 3))
                if m >= self.data_start and m < current and self._contract_days(client, m) is not None
            ]
            default_cpl = 5_000 if client.segment == "b2b" else 3_000
            run_rate = sum(history) / len(history) if history else float(budget) / default_cpl
            leads = max(1, round(run_rate * float(share) * rng.uniform(1.0, 1.2)))
            cpl = Decimal(max(10, round(float(budget) / leads / 10) * 10))
            # the revenue plan: the fee on the planned budget, set a little ambitious (its own
            # draws, so the other plans stay as they were)
            fee = Decimal(round(float(budget * client.fee_rate) * fee_rng.uniform(0.95, 1.1) / 1000) * 1000)
            plans.append(MonthlyPlan(month, budget, leads, cpl, fee))
        return dataclasses.replace(client, plans=tuple(plans))
