"""Sending the reports that are due: the schedule, the readiness gate, the send log, delivery.

:func:`send_due_reports` is what ``python -m reports send`` (and, later, a scheduled job) calls
once a day. For each client with report recipients it works out which periods are due on
``today``:

- the previous calendar month, from the Nth working day of this month
  (``delivery.monthly_on_working_day``, :func:`delivery.working_days.monthly_send_day`);
- for clients with ``report.weekly``, the previous ISO week, from ``delivery.weekly_on`` of this
  week (:func:`delivery.working_days.weekly_send_day`);
- or exactly ``period`` when one is given (a re-send by hand).

Each due (client, period) becomes one :class:`Dispatch`:

- ``already_sent``: the send log has it sent to every recipient (nothing is rendered);
- ``held``: the readiness gate (:func:`reports.readiness.check_readiness`) says the period is not
  settled for the client; :attr:`Dispatch.holds` say why and nothing is sent;
- ``awaiting_review``: the client's reports are approved by the manager first
  (``report.review``) and no approval names this content: the manager approves it on the
  dashboard's portfolio page (:attr:`Dispatch.approval` is an approval of other figures, when the
  data changed after it); nothing is sent;
- ``would_send`` (``dry_run``): it would be rendered and sent; nothing is sent or recorded;
- else the report is rendered (PDF and Excel, the client's language, the agency's branding) and
  delivered through :func:`delivery.deliver_once`: ``sent``, ``partly_sent`` or ``failed`` with
  one :class:`~delivery.Outcome` per recipient.

The send log makes it safe to run as often as one likes: a report that went is never sent
again, and a held one goes out on the first run after its data is settled.

A correction (``correction``: why, in the client's words; with an explicit ``period``) re-sends a
report already sent, through the same gate and review, as the next revision, and only to those
whose copy says something else (the send log compares the content digests); when nothing
changed every recipient is skipped and the dispatch is ``already_sent``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final, Literal

from dashboard.fmt import Lang
from dashboard.i18n import hold_text
from dashboard.periods import Period, month_end
from delivery.deliver import Channels, Outcome, deliver_once
from delivery.message import Attachment
from delivery.send_log import Approval, SendKey, SendLog
from delivery.texts import report_message
from delivery.working_days import monthly_send_day, weekly_send_day
from reports.branding import Branding
from reports.build import FORMATS, MEDIA_TYPES, render_report
from reports.configuration import setup_from_config
from reports.data import serving_source
from reports.errors import UnknownClientError
from reports.periods import period_slug
from reports.readiness import Hold, check_readiness

if TYPE_CHECKING:
    from pipelines.load.config import AgencyConfig, Client
    from pipelines.load.settings import Settings

__all__ = [
    "Dispatch",
    "DispatchStatus",
    "due_periods",
    "hold_reason",
    "previous_month",
    "previous_week",
    "send_due_reports",
    "served",
]

log = logging.getLogger("reports.dispatch")

DispatchStatus = Literal[
    "already_sent", "held", "awaiting_review", "would_send", "sent", "partly_sent", "failed"
]
FAILED_STATUSES: Final[frozenset[str]] = frozenset({"partly_sent", "failed"})


@dataclass(frozen=True)
class Dispatch:
    """What happened to one client's report for one period."""

    client_id: str
    client_name: str
    period: Period
    status: DispatchStatus
    holds: tuple[Hold, ...] = ()
    """``held``: why (codes and figures; :func:`hold_reason` words them)."""
    outcomes: tuple[Outcome, ...] = ()
    """``sent`` / ``partly_sent`` / ``failed``: one per recipient (``skipped`` when the send log
    already had it sent to that one)."""
    files: tuple[tuple[str, str], ...] = ()
    """(file name, SHA-256) of each file rendered (sent, or that would be sent)."""
    error: str | None = None
    """``failed`` before any send: why the report could not be rendered."""
    digest: str | None = None
    """What the rendered report says (:func:`reports.content.content_digest`)."""
    approval: Approval | None = None
    """``awaiting_review``: the latest approval, of other figures (None when never approved)."""
    correction: str | None = None
    """Why the report was re-sent as a correction."""

    @property
    def period_name(self) -> str:
        """``2026-10``, ``2026-W44``: the period as the send log and the file names write it."""
        return period_slug(self.period)

    @property
    def failed(self) -> bool:
        """A send (or the rendering) failed: something to look at. A hold is not a failure."""
        return self.status in FAILED_STATUSES


def hold_reason(hold: Hold, lang: Lang = "ru") -> str:
    """A hold in words (:func:`dashboard.i18n.hold_text`)."""
    return hold_text(
        hold.code,
        lang,
        source=hold.source,
        account_id=hold.account_id,
        covered_to=hold.covered_to,
        settles_on=hold.settles_on,
        error=hold.error,
    )


def previous_month(today: dt.date) -> Period:
    """The calendar month before ``today``'s."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return Period(last.replace(day=1), month_end(last))


def previous_week(today: dt.date) -> Period:
    """The Monday-to-Sunday week before ``today``'s."""
    monday = today - dt.timedelta(days=today.weekday() + 7)
    return Period(monday, monday + dt.timedelta(days=6))


def due_periods(config: AgencyConfig, client: Client, today: dt.date) -> list[Period]:
    """The periods of ``client``'s reports due on ``today``: the previous month from the Nth
    working day of this month, and (``report.weekly``) the previous ISO week from its send day."""
    due: list[Period] = []
    month = previous_month(today)
    if today >= monthly_send_day(month.start, config.delivery.monthly_on_working_day):
        due.append(month)
    if client.report.weekly:
        week = previous_week(today)
        if today >= weekly_send_day(week.start, config.delivery.weekly_weekday):
            due.append(week)
    return due


def served(client: Client, period: Period) -> bool:
    """Whether the agency served ``client`` on some day of ``period``."""
    return client.start_date <= period.end and (client.end_date is None or client.end_date >= period.start)


def _chosen(config: AgencyConfig, clients: Sequence[str]) -> list[Client]:
    known = {c.id: c for c in config.clients}
    for client_id in clients:
        if client_id not in known:
            raise UnknownClientError(client_id, known)
    named = [known[c] for c in dict.fromkeys(clients)]
    return [c for c in (named or config.clients) if c.report.recipients]


def _status(outcomes: Sequence[Outcome]) -> DispatchStatus:
    failed = sum(o.status == "failed" for o in outcomes)
    if all(o.status == "skipped" for o in outcomes):
        return "already_sent"
    if not failed:
        return "sent"
    return "failed" if failed == len(outcomes) else "partly_sent"


def send_due_reports(
    settings: Settings,
    config: AgencyConfig,
    today: dt.date,
    *,
    channels: Channels,
    send_log: SendLog,
    clients: Sequence[str] = (),
    period: Period | None = None,
    dry_run: bool = False,
    who: str | None = None,
    correction: str | None = None,
) -> list[Dispatch]:
    """Send every report due on ``today`` that is settled and not sent yet; one :class:`Dispatch`
    per (client, period), in the configuration's client order.

    ``clients`` narrows to those clients (each must be in the configuration; a client without
    recipients is skipped); ``period`` sends exactly that period instead of the due ones (a client
    not served during it is held, ``not_served``, when named, else skipped). ``dry_run`` renders
    but sends and records nothing (``would_send``). ``who`` names the sender in the send log.
    ``correction`` (why; needs ``period``) re-sends the period's report as a correction to those
    who had another version of it.
    Raises :class:`~reports.errors.ServingNotFoundError` when nothing is published and
    :class:`~reports.errors.UnknownClientError` for a client the configuration does not know.
    """
    if correction is not None and (period is None or not correction.strip()):
        raise ValueError("a correction names its period and says why")
    branding = setup_from_config(config).branding
    dispatches: list[Dispatch] = []
    for client in _chosen(config, clients):
        periods = [period] if period is not None else due_periods(config, client, today)
        for asked in periods:
            if not served(client, asked) and client.id not in clients:
                continue
            dispatch = _dispatch(
                settings, config, client, asked, today, channels, send_log, branding, dry_run, who, correction
            )
            log.info("%s %s: %s", client.id, period_slug(asked), dispatch.status)
            dispatches.append(dispatch)
    return dispatches


def _dispatch(
    settings: Settings,
    config: AgencyConfig,
    client: Client,
    period: Period,
    today: dt.date,
    channels: Channels,
    send_log: SendLog,
    branding: Branding,
    dry_run: bool,
    who: str | None,
    correction: str | None,
) -> Dispatch:
    name = period_slug(period)
    made = partial(Dispatch, client.id, client.name, period, correction=correction)
    recipients = client.report.recipients
    keys = [SendKey.of(client.id, name, FORMATS, r) for r in recipients]
    if correction is None and all(send_log.already_sent(key) is not None for key in keys):
        return made(status="already_sent")
    readiness = check_readiness(serving_source(settings), config, client.id, period, today)
    if not readiness.ready:
        return made(status="held", holds=readiness.holds)
    try:
        report = render_report(
            serving_source(settings),
            client.id,
            period,
            lang=client.language,
            formats=FORMATS,
            branding=branding,
        )
    except UnknownClientError as exc:
        return made(status="failed", error=str(exc))
    except Exception as exc:  # one client's report must not stop the others
        log.exception("%s %s: the report could not be rendered", client.id, name)
        return made(status="failed", error=f"{type(exc).__name__}: {exc}")
    attachments = tuple(
        Attachment(report.file_name(kind), data, MEDIA_TYPES[kind]) for kind, data in report.files.items()
    )
    files = tuple((a.filename, a.sha256) for a in attachments)
    if client.report.review:
        approval = send_log.approval(client.id, name, FORMATS)
        if approval is None or approval.digest != report.digest:
            return made(status="awaiting_review", files=files, digest=report.digest, approval=approval)
    if dry_run:
        return made(status="would_send", files=files, digest=report.digest)
    message = report_message(config, client, period.start, period.end, attachments, correction=correction)
    outcomes = deliver_once(
        message,
        recipients,
        channels,
        send_log,
        client=client.id,
        period=name,
        formats=FORMATS,
        who=who,
        digest=report.digest,
        correction=correction,
    )
    return made(status=_status(outcomes), outcomes=tuple(outcomes), files=files, digest=report.digest)
