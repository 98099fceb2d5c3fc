"""Where each client's latest reports stand, without rendering or sending anything.

The portfolio page shows it to the manager every morning: for each client with report
recipients, the latest report periods (the previous calendar month; the previous ISO week too
for weekly clients) and their state, most urgent first:

- ``held``: the readiness gate holds it (:attr:`ReportState.holds` say why);
- ``failed``: the last attempt to some recipient failed (:attr:`ReportState.failure`);
- ``awaiting_review``: the client's reports are approved first and no approval names the figures
  the report says now (:attr:`ReportState.approval` is an older one when the data changed);
- ``approved``: approved as it is; it goes with the next send run;
- ``due``: settled, it goes with the next send run;
- ``not_due``: its send day (:attr:`ReportState.due_on`) has not come;
- ``sent``: every recipient has it (:attr:`ReportState.sent` are the last copies sent).

The words are :mod:`dashboard.i18n`'s; here are only codes, dates and records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final, Literal
from zoneinfo import ZoneInfo

from dashboard.periods import Period
from delivery.send_log import Approval, SendKey, SendLog, SendRecord, normalise_formats
from delivery.working_days import monthly_send_day, weekly_send_day
from reports.build import FORMATS, report_digest
from reports.data import serving_source
from reports.dispatch import previous_month, previous_week, served
from reports.periods import period_slug
from reports.readiness import Hold, check_readiness, read_coverage

if TYPE_CHECKING:
    from pipelines.load.config import AgencyConfig
    from pipelines.load.settings import Settings

__all__ = ["STATE_ORDER", "ReportState", "Setup", "State", "load_setup", "report_states"]

_MOSCOW = ZoneInfo("Europe/Moscow")

State = Literal["held", "failed", "awaiting_review", "approved", "due", "not_due", "sent"]
STATE_ORDER: Final[tuple[State, ...]] = (
    "held",
    "failed",
    "awaiting_review",
    "approved",
    "due",
    "not_due",
    "sent",
)


@dataclass(frozen=True)
class ReportState:
    """One client's report for one period."""

    client_id: str
    client_name: str
    period: Period
    state: State
    due_on: dt.date
    """The first day it may go (the Nth working day of the next month, the week's send day)."""
    recipients: int
    review: bool
    """The client's reports are approved by a manager before they go."""
    holds: tuple[Hold, ...] = ()
    sent: tuple[SendRecord, ...] = ()
    """The last copy sent to each recipient who has one (any state: a partly sent report too)."""
    failure: SendRecord | None = None
    """``failed``: the latest failed attempt."""
    approval: Approval | None = None
    """The latest approval (whatever figures it named)."""

    @property
    def period_name(self) -> str:
        return period_slug(self.period)


@dataclass(frozen=True)
class Setup:
    """What the send runs read, as the dashboard gets it from the environment."""

    settings: Settings
    config: AgencyConfig
    today: dt.date
    """The send runs' day: ``AGENCY_AS_OF`` or today in Moscow."""


def load_setup() -> Setup | None:
    """The settings and configuration from the environment (``AGENCY_CONFIG``, ``AGENCY_DATA_DIR``,
    ``AGENCY_SERVING_DB``); None when there is no configuration file (then nothing is sent). A
    wrong file raises :class:`~pipelines.load.config.ConfigError`."""
    from pipelines.load.config import load_config
    from pipelines.load.settings import Settings

    settings = Settings.from_env()
    if not settings.config_path.is_file():
        return None
    today = settings.as_of or dt.datetime.now(_MOSCOW).date()
    return Setup(settings, load_config(settings.config_path), today)


def _periods(config: AgencyConfig, weekly: bool, today: dt.date) -> list[tuple[Period, dt.date]]:
    month = previous_month(today)
    periods = [(month, monthly_send_day(month.start, config.delivery.monthly_on_working_day))]
    if weekly:
        week = previous_week(today)
        periods.append((week, weekly_send_day(week.start, config.delivery.weekly_weekday)))
    return periods


def report_states(
    settings: Settings, config: AgencyConfig, today: dt.date, clients: Sequence[str]
) -> list[ReportState]:
    """The latest reports of ``clients`` (those with recipients, served in the period), most
    urgent first (:data:`STATE_ORDER`), then by client name. Reads the serving file once (for the
    gate) and the send log; a send log that does not exist yet means nothing was sent."""
    wanted = set(clients)
    chosen = [c for c in config.clients if c.id in wanted and c.report.recipients]
    if not chosen:
        return []
    coverage = read_coverage(serving_source(settings), [c.id for c in chosen])
    log = SendLog(settings.send_log) if settings.send_log.is_file() else None
    formats = normalise_formats(FORMATS).split(",")
    states: list[ReportState] = []
    for client in chosen:
        for period, due_on in _periods(config, client.report.weekly, today):
            if not served(client, period):
                continue
            name = period_slug(period)
            keys = [SendKey.of(client.id, name, formats, r) for r in client.report.recipients]
            history = log.history(client=client.id, period=name) if log is not None else []
            approval = log.approval(client.id, name, formats) if log is not None else None
            sent = tuple(r for key in keys if (r := _last(history, key, "sent")) is not None)
            failures = [r for key in keys if (r := _last(history, key, None)) and r.status == "failed"]
            made = partial(
                ReportState,
                client.id,
                client.name,
                period,
                due_on=due_on,
                recipients=len(keys),
                review=client.report.review,
                sent=sent,
                approval=approval,
            )
            state: State
            holds: tuple[Hold, ...] = ()
            if len(sent) == len(keys):
                state = "sent"
            elif today < due_on:
                state = "not_due"
            else:
                readiness = check_readiness(
                    serving_source(settings), config, client.id, period, today, coverage=coverage
                )
                holds = readiness.holds
                if holds:
                    state = "held"
                elif failures:
                    state = "failed"
                elif client.report.review:
                    current = approval is not None and approval.digest == report_digest(
                        serving_source(settings), client.id, period, lang=client.language
                    )
                    state = "approved" if current else "awaiting_review"
                else:
                    state = "due"
            failure = max(failures, key=lambda r: r.at) if failures and state == "failed" else None
            states.append(made(state=state, holds=holds, failure=failure))
    states.sort(key=lambda s: (STATE_ORDER.index(s.state), s.client_name, s.period.start))
    return states


def _last(history: Sequence[SendRecord], key: SendKey, status: str | None) -> SendRecord | None:
    """The latest row of ``key``'s recipient (of ``status``, when given), any revision."""
    rows = [
        r
        for r in history
        if (r.key.formats, r.key.recipient) == (key.formats, key.recipient)
        and (status is None or r.status == status)
    ]
    return rows[-1] if rows else None
