"""Simulated leads besides calls: site forms and chats (Calltouch requests journal), Metrika goal
reaches and CRM deals (amoCRM or Bitrix24).

The same people reach a client through several systems, as in life: some form submitters are
callers of that client (before or after their call, within the merge window or long after it),
a CRM gets a deal for most callers and form submitters and some of its own (walk-ins, e-mails,
recommendations). Everything is drawn from random generators seeded by (seed, client, what), so
a client's leads depend on nothing but its own calls and stats.

Ids (request ids, CRM lead and contact ids) are left 0 here where they are numbered agency-wide
in time order later (:func:`number_requests`).
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from zoneinfo import ZoneInfo

from demo_agency._calendar import iter_days
from demo_agency._catalog import FIRST_NAMES, FORM_SUBJECTS, MAIL_DOMAINS, ClientTemplate
from demo_agency._draws import poisson
from demo_agency.model import (
    AdStat,
    Call,
    Client,
    ClientAccount,
    CrmLead,
    FormRequest,
    GoalReaches,
    MetrikaGoal,
)

__all__ = [
    "DayKinds",
    "LeadContext",
    "Person",
    "crm_leads",
    "goal_reaches",
    "metrika_goals",
    "number_requests",
    "renumbered",
    "requests_journal",
]

_R = TypeVar("_R")
_UTC = dt.UTC
_DAY = dt.timedelta(days=1)
_CALLTOUCH_DEPTH = dt.timedelta(days=15)
"""The uniqueness depth of the Calltouch cabinet's requests (shorter than the agency's window)."""
_LATIN_FIRST = ("anna", "maria", "elena", "olga", "ivan", "sergey", "dmitry", "alex", "max", "pavel")
_LATIN_LAST = ("ivanov", "smirnova", "kuznetsov", "popova", "sokolov", "petrova", "volkov", "orlova")

Attribution = tuple[str | None, str | None, str | None, str | None, str | None, str | None, str | None]
"""(utm_source, utm_medium, utm_campaign, utm_content, utm_term, source, medium)."""
DayKinds = Callable[[dt.date], list[tuple[str, float, list[AdStat] | None]]]
"""A day's traffic kinds with their weights and, for paid kinds, the ad stats of that day."""


@dataclass
class Person:
    """Someone who contacts a client: by phone (digits ``79...``), by e-mail, or both."""

    phone: str | None
    email: str | None
    name: str

    @property
    def key(self) -> str:
        return f"p:{self.phone}" if self.phone else f"e:{(self.email or '').strip().lower()}"


@dataclass
class LeadContext:
    """What the lead simulation needs to know of one client."""

    rng: Callable[..., random.Random]
    client: Client
    template: ClientTemplate
    first: dt.date
    last: dt.date
    calls: list[Call]
    """The client's calls in time order."""
    day_kinds: DayKinds
    attribute: Callable[[random.Random, str, AdStat | None], Attribution]
    """The Calltouch attribution of a session of one traffic kind."""
    people: dict[str, Person] = field(default_factory=dict)
    """Everyone known so far, by :attr:`Person.key`."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.client.timezone)

    @property
    def end(self) -> dt.datetime:
        """The end of the last simulated day (client's clock), as a UTC instant."""
        return dt.datetime.combine(self.last + _DAY, dt.time(), self.zone).astimezone(_UTC)

    def calls_per_day(self) -> Counter[dt.date]:
        zone = self.zone
        return Counter(c.started_at.astimezone(zone).date() for c in self.calls)

    def caller(self, number: str, rng: random.Random) -> Person:
        key = f"p:{number}"
        if key not in self.people:
            self.people[key] = Person(number, _email(rng) if rng.random() < 0.3 else None, _name(rng))
        return self.people[key]

    def newcomer(self, rng: random.Random, *, email_only: float) -> Person:
        if rng.random() < email_only:
            person = Person(None, _email(rng), _name(rng))
        else:
            while True:
                number = f"79{rng.randint(0, 999_999_999):09d}"
                if f"p:{number}" not in self.people:
                    break
            person = Person(number, _email(rng) if rng.random() < 0.3 else None, _name(rng))
        self.people.setdefault(person.key, person)
        return self.people[person.key]


def _name(rng: random.Random) -> str:
    return rng.choice(FIRST_NAMES)


def _email(rng: random.Random) -> str:
    return (
        f"{rng.choice(_LATIN_FIRST)}.{rng.choice(_LATIN_LAST)}{rng.randint(1, 99)}@{rng.choice(MAIL_DOMAINS)}"
    )


def _typed_email(rng: random.Random, email: str) -> str:
    """An e-mail as a person types it: now and then capitalised or with a stray space."""
    r = rng.random()
    if r < 0.06:
        return email.capitalize()
    if r < 0.1:
        return f" {email} "
    return email


def _phone_as(rng: random.Random, digits: str, styles: Sequence[tuple[str, float]]) -> str:
    """``79261234567`` written in one of ``styles`` (weighted)."""
    style = rng.choices([s for s, _ in styles], weights=[w for _, w in styles])[0]
    code, a, b, c = digits[1:4], digits[4:7], digits[7:9], digits[9:11]
    return {
        "digits": digits,
        "plus": f"+{digits}",
        "eight": f"8{digits[1:]}",
        "ten": digits[1:],
        "pretty": f"+7 ({code}) {a}-{b}-{c}",
        "spaced": f"+7 {code} {a}-{b}-{c}",
        "eight_pretty": f"8 ({code}) {a}-{b}-{c}",
    }[style]


def _pick_kind(
    rng: random.Random, kinds: list[tuple[str, float, list[AdStat] | None]]
) -> tuple[str, AdStat | None]:
    kind, _, stats = rng.choices(kinds, weights=[w for _, w, _ in kinds])[0]
    if stats is None:
        return kind, None
    return kind, rng.choices(stats, weights=[s.clicks + 0.01 for s in stats])[0]


def _local_instant(ctx: LeadContext, day: dt.date, seconds: int) -> dt.datetime:
    return (dt.datetime.combine(day, dt.time(), ctx.zone) + dt.timedelta(seconds=seconds)).astimezone(_UTC)


def _time_of_day(rng: random.Random, b2b: bool) -> int:
    if rng.random() < 0.08:
        hour = rng.randint(0, 7)  # forms come at night too
    elif b2b:
        hour = min(max(int(rng.gauss(13, 3)), 7), 22)
    else:
        hour = min(max(int(rng.gauss(16, 4)), 7), 23)
    return hour * 3600 + rng.randrange(3600)


# --- Calltouch requests journal ---------------------------------------------------------------


def requests_journal(ctx: LeadContext, account: ClientAccount) -> list[FormRequest]:
    """Forms, callback orders and chats of one site, about ``template.forms`` per call."""
    rng = ctx.rng(ctx.client.id, "requests")
    b2b = ctx.client.segment == "b2b"
    subjects = FORM_SUBJECTS[ctx.client.segment]
    per_day = ctx.calls_per_day()
    times = [c.started_at for c in ctx.calls]
    out: list[FormRequest] = []
    form_times: list[dt.datetime] = []
    form_people: list[Person] = []
    last_seen: dict[str, dt.datetime] = {}
    for day in iter_days(ctx.first, ctx.last):
        kinds = [k for k in ctx.day_kinds(day) if k[0] != "other"]
        count = poisson(rng, ctx.template.forms * (per_day[day] + 0.2))
        for seconds in sorted(_time_of_day(rng, b2b) for _ in range(count)):
            created = _local_instant(ctx, day, seconds)
            person = _form_person(ctx, rng, created, times, form_times, form_people)
            kind, stat = _pick_kind(rng, kinds)
            utm_source, utm_medium, utm_campaign, utm_content, utm_term, source, medium = ctx.attribute(
                rng, kind, stat
            )
            r = rng.random()
            if r < 0.05:
                request_type, subject = "chat", rng.choice(["Онлайн-чат", "Чат на сайте (JivoSite)"])
            elif r < 0.2:
                request_type, subject = "callback", "Обратный звонок"
            else:
                request_type, subject = "form", rng.choice(subjects)
            phone = person.phone
            shown_phone: str | None = None
            if phone is not None:
                shown_phone = (
                    "12-34"  # a visitor typed rubbish in the phone field
                    if rng.random() < 0.01
                    else _phone_as(
                        rng, phone, [("digits", 75), ("pretty", 10), ("eight", 8), ("ten", 5), ("plus", 2)]
                    )
                )
            email = person.email if person.email and (phone is None or rng.random() < 0.5) else None
            spam = request_type != "chat" and rng.random() < 0.07
            # Calltouch's own flags (none on chats): unique = nothing from the person within its depth
            target: bool | None = None
            unique: bool | None = None
            if request_type != "chat":
                previous = last_seen.get(person.key)
                unique = previous is None or created - previous >= _CALLTOUCH_DEPTH
                last_seen[person.key] = created
                target = not spam
            out.append(
                FormRequest(
                    client_id=ctx.client.id,
                    account_id=account.id,
                    request_id=0,
                    created_at=created,
                    request_type=request_type,
                    subject="Тест" if spam and rng.random() < 0.3 else subject,
                    request_number=None if rng.random() < 0.3 else f"web-{rng.randint(10_000, 99_999)}",
                    name=person.name if rng.random() < 0.8 else None,
                    phone=shown_phone,
                    email=_typed_email(rng, email) if email else None,
                    target=target,
                    unique=unique,
                    uniq_target=None if target is None else target and bool(unique),
                    session_id=rng.randint(1_900_000_000, 2_100_000_000),
                    utm_source=utm_source,
                    utm_medium=utm_medium,
                    utm_campaign=utm_campaign,
                    utm_content=utm_content,
                    utm_term=utm_term,
                    source=source,
                    medium=medium,
                    city=ctx.client.city,
                    url=f"https://{ctx.client.id}.ru/{'contacts' if request_type == 'callback' else ''}",
                )
            )
            form_times.append(created)
            form_people.append(person)
    return out


def _form_person(
    ctx: LeadContext,
    rng: random.Random,
    created: dt.datetime,
    call_times: list[dt.datetime],
    form_times: list[dt.datetime],
    form_people: list[Person],
) -> Person:
    """A caller shortly before or after, a caller from long ago, a repeat submitter, or a newcomer."""

    def caller_between(start: dt.datetime, stop: dt.datetime) -> Person | None:
        lo, hi = bisect.bisect_left(call_times, start), bisect.bisect_left(call_times, stop)
        return ctx.caller(ctx.calls[rng.randrange(lo, hi)].caller_number, rng) if lo < hi else None

    r = rng.random()
    found: Person | None = None
    if r < 0.14:  # called in the last week, now sends a form too (within the merge window)
        found = caller_between(created - 7 * _DAY, created)
    elif r < 0.2:  # sends a form, then calls within three days
        found = caller_between(created + dt.timedelta(minutes=5), created + 3 * _DAY)
    elif r < 0.25:  # called 35-120 days ago: a new lead again
        found = caller_between(created - 120 * _DAY, created - 35 * _DAY)
    elif r < 0.28 and form_times:  # the same visitor again within three days
        lo = bisect.bisect_left(form_times, created - 3 * _DAY)
        if lo < len(form_times):
            found = form_people[rng.randrange(lo, len(form_times))]
    return found or ctx.newcomer(rng, email_only=0.08)


def renumbered(record: _R, field: str, number: int) -> _R:
    """A copy of the frozen ``record`` with its id ``field`` set: ``dataclasses.replace`` without
    re-running ``__init__`` (tens of thousands of records get their ids this way)."""
    new = copy.copy(record)
    object.__setattr__(new, field, number)
    return new


def number_requests(
    requests: list[FormRequest], order: dict[str, int], rng: random.Random
) -> list[FormRequest]:
    """Request ids grow with time across Calltouch, as it assigns them."""
    out = []
    next_id = 41_800_000
    for request in sorted(requests, key=lambda r: (r.created_at, order[r.client_id])):
        next_id += rng.randint(1, 60)
        out.append(renumbered(request, "request_id", next_id))
    return out


# --- Yandex Metrika ---------------------------------------------------------------------------

_TRAFFIC: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "seo": ("organic", None, None, None),
    "direct": ("direct", None, None, None),
    "referral": ("referral", None, None, None),
    "social": ("social", None, None, None),
    "email": ("email", "newsletter", "email", "promo"),
}


def metrika_goals(
    counter_id: str, goal_name: str, ids: Callable[[], int]
) -> tuple[MetrikaGoal, MetrikaGoal, MetrikaGoal]:
    """The counter's user goal, Metrika's phone-click auto-goal and the goal of uploaded calls."""
    return (
        MetrikaGoal(counter_id, ids(), goal_name, "action", "user", automatic=False),
        MetrikaGoal(counter_id, ids(), "Автоцель: клик по номеру телефона", "phone", "auto", automatic=True),
        MetrikaGoal(counter_id, ids(), "Звонок", "call", None, automatic=True),
    )


def goal_reaches(ctx: LeadContext, goals: Sequence[MetrikaGoal]) -> list[GoalReaches]:
    """Daily reaches per goal, traffic source and UTM triple (the counter's days = the client's)."""
    rng = ctx.rng(ctx.client.id, "metrika")
    per_day = ctx.calls_per_day()
    rates = {"action": 0.35, "phone": 0.55, "call": 0.85}
    out: list[GoalReaches] = []
    for day in iter_days(ctx.first, ctx.last):
        kinds = [k for k in ctx.day_kinds(day) if k[0] != "other"]
        counted: Counter[tuple[int, str, str | None, str | None, str | None]] = Counter()
        for goal in goals:
            for _ in range(poisson(rng, rates[goal.type] * (per_day[day] + 0.3))):
                kind, stat = _pick_kind(rng, kinds)
                if stat is not None:
                    ad_source, ad_medium = {
                        "yandex_direct": ("yandex", "cpc"),
                        "google_ads": ("google", "cpc"),
                    }.get(kind, ("vk", "cpc"))
                    counted[(goal.id, "ad", ad_source, ad_medium, stat.campaign_id)] += 1
                else:
                    counted[(goal.id, *_TRAFFIC[kind])] += 1
        for (goal_id, traffic, source, medium, campaign), reaches in sorted(
            counted.items(), key=lambda kv: tuple(str(x) for x in kv[0])
        ):
            out.append(
                GoalReaches(
                    ctx.client.id,
                    goals[0].counter_id,
                    goal_id,
                    day,
                    traffic,
                    source,
                    medium,
                    campaign,
                    reaches,
                )
            )
    return out


# --- CRM --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Touch:
    at: dt.datetime
    person: Person
    how: str  # call / form / chat
    utm: tuple[str | None, str | None, str | None, str | None, str | None]
    subject: str


_AMO_OPEN = ("61000001", "61000002", "61000003")
_AMO_WON, _AMO_LOST = "142", "143"
_AMO_PIPELINE = 7_700_301


def crm_leads(ctx: LeadContext, account: ClientAccount, requests: Sequence[FormRequest]) -> list[CrmLead]:
    """Deals for most callers and form submitters (one per person within a month, now and then
    a duplicate), plus some the CRM gets by itself; deleted (amoCRM) or junk (Bitrix24) ones too."""
    system = account.source
    assert system in ("amocrm", "bitrix24_leads")
    rng = ctx.rng(ctx.client.id, "crm")
    touches: list[_Touch] = []
    for call in ctx.calls:
        if call.answered and call.talk_seconds >= 30 and rng.random() < 0.75:
            end = call.started_at + dt.timedelta(seconds=call.wait_seconds + call.talk_seconds)
            # the tracker's CRM integration fills the UTM fields, from its own session source if need be
            utm = (
                call.utm_source or call.source,
                call.utm_medium or call.medium,
                call.utm_campaign,
                call.utm_content,
                call.utm_term,
            )
            touches.append(_Touch(end, ctx.caller(call.caller_number, rng), "call", utm, "звонок"))
    by_key = {p.key: p for p in ctx.people.values()}
    for request in requests:
        if request.target is False or rng.random() >= 0.88:
            continue
        person = _request_person(request, by_key)
        if person is None:
            continue
        utm = (
            request.utm_source or request.source,
            request.utm_medium or request.medium,
            request.utm_campaign,
            request.utm_content,
            request.utm_term,
        )
        touches.append(_Touch(request.created_at, person, request.request_type, utm, request.subject))
    touches.sort(key=lambda t: (t.at, t.person.key))

    drafts: list[tuple[dt.datetime, Person, _Touch | None]] = []
    last_deal: dict[str, dt.datetime] = {}
    for touch in touches:
        previous = last_deal.get(touch.person.key)
        if previous is not None and touch.at - previous < 30 * _DAY and rng.random() < 0.94:
            continue  # the manager adds it to the person's open deal
        if touch.how == "call":
            delay = (
                dt.timedelta(seconds=rng.randint(60, 1200))
                if rng.random() < 0.85
                else dt.timedelta(hours=rng.randint(20, 60))
            )
        else:
            delay = dt.timedelta(seconds=rng.randint(5, 90))  # the site integration creates it
        created = touch.at + delay
        if created >= ctx.end:
            continue
        last_deal[touch.person.key] = created
        drafts.append((created, touch.person, touch))
    per_day = ctx.calls_per_day()
    mean_calls = sum(per_day.values()) / max(1, (ctx.last - ctx.first).days + 1)
    for day in iter_days(ctx.first, ctx.last):
        for _ in range(poisson(rng, 0.12 * mean_calls)):
            created = _local_instant(ctx, day, rng.randint(9 * 3600, 19 * 3600))
            drafts.append((created, ctx.newcomer(rng, email_only=0.3), None))
    drafts.sort(key=lambda d: (d[0], d[1].key))
    return _crm_records(ctx, rng, account, drafts)


def _request_person(request: FormRequest, people: dict[str, Person]) -> Person | None:
    digits = "".join(ch for ch in request.phone or "" if ch.isdigit())
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    elif len(digits) == 10:
        digits = "7" + digits
    if len(digits) >= 10 and f"p:{digits}" in people:
        return people[f"p:{digits}"]
    if request.email:
        return people.get(f"e:{request.email.strip().lower()}")
    return None


def _crm_records(
    ctx: LeadContext,
    rng: random.Random,
    account: ClientAccount,
    drafts: list[tuple[dt.datetime, Person, _Touch | None]],
) -> list[CrmLead]:
    amo = account.source == "amocrm"
    end = ctx.end
    contacts: dict[str, int] = {}
    typed: dict[str, tuple[str | None, str | None]] = {}  # how the CRM holds each person's phone, e-mail
    next_lead = 31_204_000 if amo else 1_180
    next_contact = 52_730_000 if amo else 7_400
    managers = [rng.randint(8_000_000, 8_999_999) for _ in range(3)] if amo else [1, 5, 9, 12]
    out: list[CrmLead] = []
    for created, person, touch in drafts:
        next_lead += rng.randint(1, 3) if amo else 1
        created = created.replace(microsecond=0)
        age = end - created
        if person.key not in contacts:
            next_contact += rng.randint(1, 4)
            contacts[person.key] = next_contact
            styles = (
                [("spaced", 50), ("plus", 20), ("eight", 20), ("eight_pretty", 10)]
                if amo
                else [("plus", 60), ("pretty", 25), ("eight", 15)]
            )
            typed[person.key] = (
                _phone_as(rng, person.phone, styles) if person.phone else None,
                _typed_email(rng, person.email) if person.email else None,
            )
        utm: tuple[str | None, ...] = (None,) * 5
        if touch is not None and rng.random() < 0.85:
            utm = touch.utm
        own = rng.choice(["Рекомендация", "Письмо на почту", "Выставка", "Звонок на городской"])
        closed: dt.datetime | None = None
        price = 0
        deleted = False
        if amo:
            r = rng.random()
            settled = age > 30 * _DAY
            if r < (0.3 if settled else 0.1):
                status = _AMO_WON
                price = rng.randrange(20_000, 900_000, 500)
            elif r < (0.85 if settled else 0.3):
                status = _AMO_LOST
            else:
                status = rng.choice(_AMO_OPEN)
            if status in (_AMO_WON, _AMO_LOST):
                span = max(60, min(int(age.total_seconds()) - 60, 30 * 86_400))
                closed = min(
                    created + dt.timedelta(seconds=rng.randint(60, span)), end - dt.timedelta(seconds=1)
                )
            deleted = rng.random() < 0.04
            if touch is None:
                title = "Новая сделка"
            elif touch.how == "call":
                title = f"Входящий звонок от {person.phone}" if person.phone else "Входящий звонок"
            else:
                title = f"Заявка с сайта: {touch.subject}"
            tags: tuple[str, ...] = (
                ("Calltouch", "Звонок") if touch and touch.how == "call" else ("Сайт",) if touch else (own,)
            )
            source_id: str | None = None
        else:
            r = rng.random()
            if r < 0.09:
                status = "JUNK"
            elif age < 7 * _DAY:
                status = rng.choice(["NEW", "IN_PROCESS"])
            else:
                status = rng.choices(["CONVERTED", "PROCESSED", "IN_PROCESS"], weights=[45, 35, 20])[0]
            if touch is None:
                source_id = {"Рекомендация": "RECOMMENDATION", "Письмо на почту": "EMAIL"}.get(own, "OTHER")
                title = f"{own}: {person.name}"
            else:
                source_id = "CALL" if touch.how == "call" else "WEB"
                title = "Входящий звонок" if touch.how == "call" else f"Заявка с сайта: {touch.subject}"
            tags = ()
        left = max(0, int((end - created).total_seconds()) - 1)
        updated = closed or created + dt.timedelta(seconds=rng.randint(0, min(left, 5 * 86_400)))
        phone, email = typed[person.key]
        out.append(
            CrmLead(
                system="amocrm" if amo else "bitrix24_leads",
                client_id=ctx.client.id,
                account_id=account.id,
                lead_id=next_lead,
                created_at=created,
                updated_at=max(created, min(updated, end - dt.timedelta(seconds=1))),
                closed_at=closed,
                title=title,
                status=status,
                pipeline_id=_AMO_PIPELINE if amo else None,
                price=price,
                responsible_user_id=rng.choice(managers),
                source_id=source_id,
                contact_id=contacts[person.key] if amo or status == "CONVERTED" else None,
                contact_name=person.name,
                phone=phone,
                email=email,
                deleted=deleted,
                utm_source=utm[0],
                utm_medium=utm[1],
                utm_campaign=utm[2],
                utm_content=utm[3],
                utm_term=utm[4],
                tags=tags,
            )
        )
    return out
