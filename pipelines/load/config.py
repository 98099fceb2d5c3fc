"""The agency configuration: managers, clients, their source accounts and monthly plans, and how
client reports are delivered (each client's ``report:`` recipients, the agency's ``delivery:``).

One YAML file (path from ``AGENCY_CONFIG``; see :mod:`pipelines.load.settings`). It is validated on
load; a wrong file raises :class:`ConfigError` whose message lists every problem with its path
inside the YAML (``clients[2].inn: ...``), never a traceback. Secrets never live here: tokens
come from environment variables (see ``.env.example``), and a key that looks like a secret is
rejected with a message saying so (the SMTP password comes from ``AGENCY_SMTP_PASSWORD``, the
Telegram bot's token from ``TELEGRAM_BOT_TOKEN``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from connectors.yandex_metrika import ATTRIBUTION_MODELS
from pipelines.load.sources import ACCOUNT_SOURCES, API_SOURCES, LEAD_PRIORITY, SOURCES

__all__ = [
    "Account",
    "AgencyConfig",
    "AgencySettings",
    "Branding",
    "Client",
    "ConfigError",
    "DeliverySettings",
    "Manager",
    "MonthlyPlan",
    "Recipient",
    "ReportSettings",
    "Restatement",
    "SmtpSettings",
    "inn_is_valid",
    "load_config",
    "parse_config",
    "parse_email",
    "parse_mailbox",
]

_SECRET_KEY = re.compile(r"(token|secret|password|passwd|api[_-]?key|client[_-]?secret)", re.I)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
ManagerId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]


def inn_is_valid(inn: str) -> bool:
    """Check a Russian ИНН: 10 digits (legal entity) or 12 (individual), with check digits."""
    if not inn.isdigit() or len(inn) not in (10, 12):
        return False
    digits = [int(c) for c in inn]

    def check(weights: list[int]) -> int:
        return sum(w * d for w, d in zip(weights, digits, strict=False)) % 11 % 10

    if len(inn) == 10:
        return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[9]
    return (
        check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[10]
        and check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[11]
    )


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Moscow)") from None
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def parse_email(value: str) -> str:
    """``value`` as a normalised e-mail address (domain in lower case); ValueError saying why not.

    The local part must be ASCII (an address like ``директор@ромашка.рф`` needs SMTPUTF8, which
    few servers accept); a Cyrillic domain is fine (sent as punycode)."""
    try:
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValueError(f"{value!r} is not an e-mail address: {exc}") from None
    return str(checked.normalized)


_CHANNEL_USERNAME = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
_CHAT_NUMBER = re.compile(r"^-?[1-9][0-9]{0,15}$")


class Recipient(_Model):
    """One recipient of reports (or alerts): ``{email: a@b.ru}`` or ``{telegram: <chat>}``.

    A Telegram chat is a numeric chat id (a person who started the bot, a group: negative, a
    supergroup or channel: -100...) or a public channel's ``@username``."""

    email: str | None = None
    telegram: int | str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else parse_email(value)

    @field_validator("telegram", mode="before")
    @classmethod
    def _chat(cls, value: Any) -> Any:
        if value is None:
            return None
        text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else None
        if text is not None and _CHAT_NUMBER.match(text):
            return int(text)
        if text is not None and _CHANNEL_USERNAME.match(text):
            return text
        raise ValueError(
            f"{value!r} is not a Telegram chat: a chat id (123456789, -1001234567890) "
            "or a public channel's @username"
        )

    @model_validator(mode="after")
    def _one_channel(self) -> Recipient:
        if (self.email is None) == (self.telegram is None):
            raise ValueError("a recipient is either {email: ...} or {telegram: ...}")
        return self

    @property
    def channel(self) -> Literal["email", "telegram"]:
        return "email" if self.email is not None else "telegram"

    @property
    def address(self) -> str:
        """The e-mail address, or the chat id or @username as text."""
        return self.email if self.email is not None else str(self.telegram)

    @property
    def key(self) -> str:
        """``email:a@b.ru`` or ``telegram:-100123``: how the send log names the recipient."""
        address = self.address
        if self.channel == "email" or address.startswith("@"):  # neither is case-sensitive
            address = address.lower()
        return f"{self.channel}:{address}"

    def __str__(self) -> str:
        return self.key


class ReportSettings(_Model):
    """A client's reports: who receives them, whether weekly ones go too, and whether the manager
    approves each one before it is sent (the language is the client's ``language``)."""

    recipients: tuple[Recipient, ...] = ()
    weekly: bool = False
    review: bool = False

    @field_validator("recipients")
    @classmethod
    def _distinct(cls, value: tuple[Recipient, ...]) -> tuple[Recipient, ...]:
        keys = [r.key for r in value]
        for key in keys:
            if keys.count(key) > 1:
                first = keys.index(key)
                second = keys.index(key, first + 1)
                raise ValueError(f"{key} is listed twice (recipients[{first}] and recipients[{second}])")
        return value


class SmtpSettings(_Model):
    """The agency's outgoing mail server. The password is never here: ``AGENCY_SMTP_PASSWORD``."""

    host: str = Field(min_length=1, pattern=r"^[A-Za-z0-9.-]+$")
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    """Upgrade the connection with STARTTLS (port 587). Off only for a server on the same machine."""
    ssl: bool = False
    """Connect over TLS from the start (SMTPS, port 465) instead of STARTTLS."""
    username: str | None = Field(default=None, min_length=1)
    """The login; the ``from`` address when absent and a password is set."""

    @model_validator(mode="after")
    def _one_tls(self) -> SmtpSettings:
        if self.ssl and self.starttls and "starttls" in self.model_fields_set:
            raise ValueError("ssl (port 465) and starttls (port 587) exclude each other: choose one")
        return self


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


class DeliverySettings(_Model):
    """How reports leave the agency: the sender, the mail server and the schedule."""

    sender: str | None = Field(default=None, alias="from")
    """``"Агентство <reports@agency.ru>"`` or a bare address; needed for e-mail."""
    reply_to: str | None = None
    smtp: SmtpSettings | None = None
    monthly_on_working_day: int = Field(default=3, ge=1, le=10)
    """Monthly reports go on the Nth working day of the next month (Russian production calendar)."""
    weekly_on: Literal["monday", "tuesday", "wednesday", "thursday", "friday"] = "monday"
    """Weekly reports go on this day of the next week (the next working day when it is a holiday)."""

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        if value is None:
            return None
        name, address = parse_mailbox(value)
        return f"{name} <{address}>" if name else address

    @field_validator("reply_to")
    @classmethod
    def _reply_to(cls, value: str | None) -> str | None:
        return None if value is None else parse_email(value)

    @model_validator(mode="after")
    def _mail_needs_a_sender(self) -> DeliverySettings:
        if self.smtp is not None and self.sender is None:
            raise ValueError('e-mail needs a sender: from: "Агентство <reports@agency.ru>"')
        return self

    @property
    def sender_name(self) -> str | None:
        return None if self.sender is None else parse_mailbox(self.sender)[0]

    @property
    def sender_address(self) -> str | None:
        return None if self.sender is None else parse_mailbox(self.sender)[1]

    @property
    def weekly_weekday(self) -> int:
        """``weekly_on`` as ``date.weekday()`` (Monday = 0)."""
        return _WEEKDAYS.index(self.weekly_on)


_HOUR = r"(?:[01]\d|2[0-3]):[0-5]\d"
_CLOCK_RANGE = re.compile(rf"^(?P<start>{_HOUR})-(?P<end>{_HOUR})$")


class AlertSettings(_Model):
    """Who is told when something breaks, and when (``alerts:``).

    ``on_call``: the on-call engineer's e-mails and Telegram chats (every alert); the client's
    manager (their ``email``) gets the alerts about their clients when ``notify_managers``.
    ``quiet_hours`` (Moscow time, ``"22:00-08:00"``): alerts found then wait and go when the quiet
    hours end. ``digest``: one message per check with every change instead of one per incident.
    ``stale_after_days``: an API account whose pulled days end more than this many days before
    yesterday is stale. ``balance_days_left``: an ad account whose balance lasts fewer days than
    this at its last 7 days' average spend is low (``balance_low`` alerts, the dashboard's flag)."""

    on_call: tuple[Recipient, ...] = ()
    notify_managers: bool = True
    quiet_hours: str | None = None
    digest: bool = False
    stale_after_days: int = Field(default=2, ge=0, le=60)
    balance_days_left: int = Field(default=3, ge=0, le=60)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = value.replace(" ", "")
        match = _CLOCK_RANGE.match(text)
        if match is None or match["start"] == match["end"]:
            raise ValueError(f'{value!r} is not a range of hours like "22:00-08:00" (Moscow time)')
        return text

    def quiet_at(self, moment: dt.time) -> bool:
        """Whether ``moment`` (Moscow time) is inside the quiet hours."""
        if self.quiet_hours is None:
            return False
        start_text, end_text = self.quiet_hours.split("-")
        start, end = dt.time.fromisoformat(start_text), dt.time.fromisoformat(end_text)
        return start <= moment < end if start < end else moment >= start or moment < end


_MAILBOX = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<address>[^<>]+)>$")


def parse_mailbox(value: str) -> tuple[str, str]:
    """``"Name <a@b.ru>"`` or ``"a@b.ru"`` -> (name or "", normalised address)."""
    text = value.strip()
    match = _MAILBOX.match(text)
    if match is None:
        if "<" in text or ">" in text:
            raise ValueError(f"{value!r} is not 'Name <address>' or an address")
        return "", parse_email(text)
    name = match["name"].strip().strip('"').strip()
    return name, parse_email(match["address"].strip())


class Restatement(_Model):
    """How many recent days the nightly run pulls again: platforms revise past figures."""

    ads_days: int = Field(default=14, ge=1, le=90)
    calls_days: int = Field(default=3, ge=1, le=90)

    def days(self, kind: Literal["ads", "calls"]) -> int:
        return self.ads_days if kind == "ads" else self.calls_days


_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_IMAGE_MAGIC: tuple[bytes, ...] = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
"""PNG and JPEG: the logo formats the PDF renderer embeds."""


class Branding(_Model):
    """How the agency's reports look: the logo, the colour of headings and rules, the contact line
    at the foot of every page. Every key is optional."""

    logo: Path | None = None
    """A PNG or JPEG file; a relative path is read from the configuration file's folder."""
    primary_color: str = "#1F4E79"
    """``#RRGGBB``: headings, table headers and the rule under the page header."""
    contact_line: str | None = Field(default=None, min_length=1, max_length=160)
    """One line at the foot of every page: phone, e-mail, site."""

    @field_validator("primary_color")
    @classmethod
    def _color(cls, value: str) -> str:
        if not _COLOR.match(value):
            raise ValueError(f"{value!r} is not a colour: write it as #RRGGBB, e.g. #1F4E79")
        return value.upper()

    @field_validator("contact_line")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and ("\n" in value or "\r" in value):
            raise ValueError("the contact line is one line of text")
        return value

    @field_validator("logo")
    @classmethod
    def _image_suffix(cls, value: Path | None) -> Path | None:
        if value is not None and value.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            raise ValueError(f"{str(value)!r}: the logo must be a PNG or JPEG file")
        return value


class AgencySettings(_Model):
    name: str = Field(min_length=1)
    reporting_currency: Literal["RUB"] = "RUB"
    target_call_min_talk_seconds: int = Field(default=30, ge=0, le=3600)
    unique_call_window_days: int = Field(default=30, ge=1, le=365)
    default_vat_rate: Decimal = Field(default=Decimal(22), ge=0, le=100)
    churn_window_months: int = Field(default=1, ge=1, le=24)
    """A client with no spend and no invoice for this many whole months is churned (counted in
    the month the window closes); a client active again after such a gap is returning."""
    restatement: Restatement = Field(default_factory=Restatement)
    history_start: dt.date | None = None
    """Full refreshes and backfills pull nothing before this day (default: each client's start)."""
    branding: Branding = Field(default_factory=Branding)
    """Logo, colour and contact line of the client reports."""


class Manager(_Model):
    id: ManagerId
    name: str = Field(min_length=1)
    email: str | None = None


class Account(_Model):
    source: str
    """A source of the registry that has client accounts (:data:`ACCOUNT_SOURCES`)."""
    id: str = Field(min_length=1, max_length=128)
    timezone: str | None = None
    via: Literal["api", "inbox"] | None = None
    """``api``: pulled every night (the default for API sources); ``inbox``: exports are dropped
    into the inbox instead (the only way for ``cabinet``)."""
    lead_rule: Literal["tracker", "agency"] | None = None
    """Call trackers: ``tracker`` (default) counts a lead when the tracker flags the call as
    unique and target (what the client sees in the tracker's cabinet); ``agency`` applies the
    agency's rules (answered and talk >= target_call_min_talk_seconds, first call from the
    number within unique_call_window_days). Trackers without flags always use the agency's."""
    credentials_env: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9_]*$")
    """Name of the environment variable holding this account's token, when it is not the
    vendor's default variable (e.g. a second Calltouch cabinet)."""
    goals: tuple[Annotated[int, Field(gt=0)], ...] = ()
    """Metrika counters: the ids of the goals the client counts as leads. Goals Metrika creates
    by itself (phone and button clicks, calls uploaded by trackers) never count, even if listed."""
    attribution: str = "lastsign"
    """Metrika counters: the attribution model the goal reaches are asked with (stored with them)."""

    @property
    def pulled_via_api(self) -> bool:
        return self.source in API_SOURCES and self.via != "inbox"

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value not in ACCOUNT_SOURCES:
            allowed = ", ".join(repr(s) for s in ACCOUNT_SOURCES)
            raise ValueError(f"{value!r} is not allowed: one of {allowed}")
        return value

    @model_validator(mode="after")
    def _delivery(self) -> Account:
        if self.source not in API_SOURCES and self.via == "api":
            raise ValueError(
                f"{self.source} accounts have no API: their exports come through the inbox (via: inbox)"
            )
        if self.lead_rule is not None and SOURCES[self.source].feed != "calls":
            raise ValueError(f"lead_rule applies to call trackers, not to {self.source} accounts")
        if SOURCES[self.source].lead_goals:
            if not self.goals:
                raise ValueError(
                    f"{self.source} account {self.id}: list the goal ids the client counts as leads "
                    "(goals: [123, 456])"
                )
            if self.attribution not in ATTRIBUTION_MODELS:
                allowed = ", ".join(sorted(ATTRIBUTION_MODELS))
                raise ValueError(f"attribution {self.attribution!r} is not a Metrika model: one of {allowed}")
        elif self.goals or "attribution" in self.model_fields_set:
            raise ValueError(
                f"goals and attribution apply to Metrika counters, not to {self.source} accounts"
            )
        return self

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        # Calltouch site ids and VK account ids are numbers in YAML; we keep them as text.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else _check_timezone(value)


class MonthlyPlan(_Model):
    month: dt.date
    budget: Decimal | None = Field(default=None, ge=0)
    leads: int | None = Field(default=None, ge=0)
    cpl_target: Decimal | None = Field(default=None, gt=0)
    fee: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2)
    """The agency's revenue plan for the client's month: its fee, RUB net of VAT (what
    ``fee_share`` of the month's invoices should come to). A manager's revenue plan is the sum of
    their clients' ones."""

    @field_validator("month", mode="before")
    @classmethod
    def _month(cls, value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value.strip()):
            year, month = value.strip().split("-")
            try:
                return dt.date(int(year), int(month), 1)
            except ValueError:
                raise ValueError(f"{value!r} is not a month (YYYY-MM)") from None
        if isinstance(value, dt.date):
            return value.replace(day=1)
        raise ValueError(f"{value!r} is not a month (write it as YYYY-MM, e.g. 2026-11)")


class Client(_Model):
    id: Slug
    name: str = Field(min_length=1)
    inn: str
    manager: ManagerId
    currency: Literal["RUB"] = "RUB"
    timezone: str = "Europe/Moscow"
    language: Literal["ru", "en"] = "ru"
    """The language of the client's reports."""
    start_date: dt.date
    end_date: dt.date | None = None
    payment_terms_days: int = Field(default=10, ge=0, le=365)
    fee_share: Decimal = Field(default=Decimal(1), ge=0, le=1)
    """The share of each of the client's invoices that is the agency's fee: 1 (the default) when
    the client pays the ad platforms itself and the agency invoices only its fee; e.g. 0.15 when
    the invoices include the ad budget the agency passes through to the platforms."""
    bitrix24_company_id: str | None = Field(default=None, pattern=r"^[1-9][0-9]*$")
    """The client's company in the agency's Bitrix24: its invoices are pulled from there."""
    accounts: tuple[Account, ...] = ()
    plans: tuple[MonthlyPlan, ...] = ()
    report: ReportSettings = Field(default_factory=ReportSettings)
    """Who receives the client's reports, in which language, weekly or not, reviewed or not."""
    lead_priority: tuple[str, ...] = ()
    """Lead systems in the order they win a merged lead (the same contact through several
    systems within the uniqueness window is one lead); unlisted ones follow in the default
    order (:data:`~pipelines.load.sources.LEAD_PRIORITY`)."""

    @field_validator("lead_priority")
    @classmethod
    def _lead_systems(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for source in value:
            if source not in LEAD_PRIORITY:
                allowed = ", ".join(LEAD_PRIORITY)
                raise ValueError(f"{source!r} is not a lead system: one of {allowed}")
        dupes = sorted({s for s in value if value.count(s) > 1})
        if dupes:
            raise ValueError(f"{dupes[0]} is listed twice")
        return value

    def lead_ranks(self) -> dict[str, int]:
        """Every lead system's rank for this client (1 wins a merged lead)."""
        order = list(self.lead_priority) + [s for s in LEAD_PRIORITY if s not in self.lead_priority]
        return {source: rank for rank, source in enumerate(order, start=1)}

    @field_validator("bitrix24_company_id", mode="before")
    @classmethod
    def _company_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("inn", mode="before")
    @classmethod
    def _inn(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError(
                'write the ИНН in quotes, as text (a number loses leading zeros), e.g. inn: "0274062111"'
            )
        if isinstance(value, str) and not inn_is_valid(value.strip()):
            raise ValueError(f"{value!r} is not a valid ИНН (10 or 12 digits with a correct check digit)")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _check_timezone(value)

    @model_validator(mode="after")
    def _consistent(self) -> Client:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        seen: set[tuple[str, str]] = set()
        for account in self.accounts:
            key = (account.source, account.id)
            if key in seen:
                raise ValueError(f"account {account.source}:{account.id} is listed twice")
            seen.add(key)
        months = [p.month for p in self.plans]
        dupes = sorted({m for m in months if months.count(m) > 1})
        if dupes:
            raise ValueError(f"plan for {dupes[0]:%Y-%m} is listed twice")
        return self

    def account_timezone(self, account: Account) -> str:
        return account.timezone or self.timezone


class AgencyConfig(_Model):
    agency: AgencySettings
    managers: tuple[Manager, ...] = Field(min_length=1)
    clients: tuple[Client, ...] = ()
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)

    @model_validator(mode="after")
    def _references(self) -> AgencyConfig:
        problems: list[str] = []
        manager_ids = [m.id for m in self.managers]
        for dup in sorted({m for m in manager_ids if manager_ids.count(m) > 1}):
            problems.append(f"managers: id {dup!r} is used twice")
        client_ids = [c.id for c in self.clients]
        for dup in sorted({c for c in client_ids if client_ids.count(c) > 1}):
            problems.append(f"clients: id {dup!r} is used twice")
        inns = [c.inn for c in self.clients]
        for dup in sorted({i for i in inns if inns.count(i) > 1}):
            problems.append(f"clients: ИНН {dup} belongs to two clients (invoices are matched by ИНН)")
        companies = [c.bitrix24_company_id for c in self.clients if c.bitrix24_company_id]
        for dup in sorted({c for c in companies if companies.count(c) > 1}):
            problems.append(f"clients: Bitrix24 company {dup} belongs to two clients")
        owners: dict[tuple[str, str], str] = {}
        for i, client in enumerate(self.clients):
            if client.manager not in manager_ids:
                problems.append(f"clients[{i}].manager: {client.manager!r} is not one of the managers")
            for account in client.accounts:
                if SOURCES[account.source].account_from_filename is not None:
                    continue  # a platform name (google_ads) shared by many clients, not an account
                key = (account.source, account.id)
                if key in owners and owners[key] != client.id:
                    problems.append(
                        f"clients[{i}].accounts: {account.source}:{account.id} already belongs to "
                        f"client {owners[key]!r}"
                    )
                owners.setdefault(key, client.id)
            for j, recipient in enumerate(client.report.recipients):
                if recipient.channel == "email" and self.delivery.smtp is None:
                    problems.append(
                        f"clients[{i}].report.recipients[{j}]: e-mail needs the agency's mail server: "
                        "add delivery.smtp and delivery.from"
                    )
        for j, recipient in enumerate(self.alerts.on_call):
            if recipient.channel == "email" and self.delivery.smtp is None:
                problems.append(
                    f"alerts.on_call[{j}]: e-mail needs the agency's mail server: add delivery.smtp and "
                    "delivery.from"
                )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def client(self, client_id: str) -> Client:
        for client in self.clients:
            if client.id == client_id:
                return client
        raise KeyError(client_id)

    def client_by_inn(self, inn: str) -> Client | None:
        for client in self.clients:
            if client.inn == inn:
                return client
        return None


class ConfigError(Exception):
    """The configuration file is wrong; ``problems`` lists each issue with its YAML path."""

    def __init__(self, path: Path | str, problems: Iterable[str]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        super().__init__(f"{self.path}: the agency configuration has {count} problem(s):\n{lines}")


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


def _secret_variable(path: str) -> str:
    """Where the secret at ``path`` belongs instead, as words for the error message."""
    lowered = path.lower()
    if "smtp" in lowered or "mail" in lowered:
        return "the SMTP password as the environment variable AGENCY_SMTP_PASSWORD"
    if "telegram" in lowered or "bot" in lowered:
        return "the bot's token as the environment variable TELEGRAM_BOT_TOKEN"
    return "them as environment variables"


def _secret_keys(node: Any, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _SECRET_KEY.search(key):
                found.append(
                    f"{here}: secrets do not belong in the configuration file; "
                    f"set {_secret_variable(here)} (see .env.example)"
                )
            found += _secret_keys(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _secret_keys(value, f"{path}[{i}]")
    return found


def _readable(error: Any) -> str:
    """One line for one pydantic error, with the YAML path first."""
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    msg = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if error["type"] == "extra_forbidden":
        msg = "unknown key (check the spelling)"
    elif error["type"] == "missing":
        msg = "required key is missing"
    elif error["type"] == "string_pattern_mismatch":
        msg = f"{error.get('input')!r} must use lower-case latin letters, digits, '-' or '_'"
    elif error["type"] == "literal_error" and loc[-1:] in (("currency",), ("reporting_currency",)):
        msg = f"{error.get('input')!r} is not supported yet: only RUB (no currency conversion yet)"
    elif error["type"] == "literal_error":
        msg = f"{error.get('input')!r} is not allowed: {msg.removeprefix('Input should be ')}"
    if not loc:  # whole-file checks already name their own paths
        return msg
    return "\n".join(f"{_loc(loc)}: {line}" for line in msg.splitlines() if line)


def parse_config(data: Any, *, source: str = "<config>") -> AgencyConfig:
    """Validate already-parsed YAML data."""
    if not isinstance(data, dict):
        raise ConfigError(
            source, ["(top level): expected a mapping with keys agency, managers, clients (and delivery)"]
        )
    secrets = _secret_keys(data)
    if secrets:
        raise ConfigError(source, secrets)
    try:
        return AgencyConfig.model_validate(data)
    except ValidationError as exc:
        problems: list[str] = []
        for err in exc.errors():
            problems.extend(_readable(err).splitlines())
        raise ConfigError(source, problems) from None


def load_config(path: Path | str) -> AgencyConfig:
    """Read and validate the agency configuration YAML at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, ["file not found (set AGENCY_CONFIG to your configuration file)"]) from None
    except UnicodeDecodeError:
        raise ConfigError(path, ["the file is not UTF-8 text"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise ConfigError(path, [f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    return _with_logo_file(parse_config(data, source=str(path)), path)


def _with_logo_file(config: AgencyConfig, path: Path) -> AgencyConfig:
    """The configuration with the branding logo's path made absolute (relative paths are read from
    the configuration file's folder), after checking it is a PNG or JPEG file that exists."""
    branding = config.agency.branding
    if branding.logo is None:
        return config
    logo = branding.logo.expanduser()
    logo = logo if logo.is_absolute() else path.resolve().parent / logo
    where = "agency.branding.logo"
    try:
        with logo.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise ConfigError(path, [f"{where}: file not found: {logo}"]) from None
    except OSError as exc:
        raise ConfigError(path, [f"{where}: cannot read {logo} ({exc.strerror})"]) from None
    if not head.startswith(_IMAGE_MAGIC):
        raise ConfigError(path, [f"{where}: {logo} is not a PNG or JPEG image"])
    agency = config.agency.model_copy(update={"branding": branding.model_copy(update={"logo": logo})})
    return config.model_copy(update={"agency": agency})
