"""One alert check: find the problems, update the incidents, tell the people concerned.

:func:`run_check` is what ``python -m alerts check`` and the Dagster job ``check_alerts`` call
(after every refresh, and at the morning deadline). It reads the serving file's problems
(:func:`alerts.problems.data_problems`) plus any the caller found (a failed run), reconciles
them with the open incidents, and announces what nobody was told yet:

- to the on-call engineer (``alerts.on_call``) everything, and to a client's manager (their
  ``email``, with ``alerts.notify_managers``) what is about their clients;
- one message per incident and recipient, or with ``alerts.digest`` one message per recipient
  listing every change;
- nothing during ``alerts.quiet_hours`` (Moscow time): the changes wait for the first check after.

An announcement that reached nobody (a mail server down) is tried again by the next check.
Messages are in Russian (the agency's own staff) and carry codes and figures the way the
dashboard words them; never a token.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from alerts.incidents import Change, IncidentLog, Problem
from alerts.problems import DATA_KINDS, data_problems
from alerts.texts import change_line, digest_subject, subject
from delivery.deliver import Channels, Outcome, deliver
from delivery.message import Message
from pipelines.load.config import Recipient

if TYPE_CHECKING:
    from pipelines.load.config import AgencyConfig
    from pipelines.load.settings import Settings

__all__ = ["CheckResult", "incident_log_path", "run_check"]

log = logging.getLogger("alerts")
MOSCOW = ZoneInfo("Europe/Moscow")


def incident_log_path(settings: Settings) -> Path:
    return settings.data_dir / "alerts" / "incidents.sqlite3"


@dataclass(frozen=True)
class CheckResult:
    problems: tuple[Problem, ...]
    changes: tuple[Change, ...]
    """What opened and what resolved in this check."""
    announced: tuple[Change, ...]
    """What was told to somebody in this check (it may include changes of earlier checks)."""
    waiting: tuple[Change, ...]
    """What is still to be told (quiet hours, or no recipient could be reached)."""
    outcomes: tuple[Outcome, ...]
    quiet: bool


def _recipients(config: AgencyConfig, change: Change) -> list[Recipient]:
    recipients = list(config.alerts.on_call)
    client_id = change[1].client
    if config.alerts.notify_managers and client_id is not None and config.delivery.smtp is not None:
        try:
            client = config.client(client_id)
        except KeyError:
            client = None
        manager = next((m for m in config.managers if client and m.id == client.manager), None)
        if manager is not None and manager.email:
            recipient = Recipient(email=manager.email)
            if recipient.key not in {r.key for r in recipients}:
                recipients.append(recipient)
    return recipients


def _names(config: AgencyConfig) -> dict[str, str]:
    return {c.id: c.name for c in config.clients}


def _announce(
    config: AgencyConfig, pending: Sequence[Change], channels: Channels
) -> tuple[list[Change], list[Outcome]]:
    names = _names(config)
    by_recipient: dict[str, tuple[Recipient, list[Change]]] = {}
    for change in pending:
        for recipient in _recipients(config, change):
            by_recipient.setdefault(recipient.key, (recipient, []))[1].append(change)
    reached: dict[int, bool] = defaultdict(bool)
    outcomes: list[Outcome] = []
    for recipient, changes in by_recipient.values():
        if config.alerts.digest:
            text = "\n".join(f"• {change_line(c, names)}" for c in changes) + "\n"
            messages = [(Message(digest_subject(changes), text), changes)]
        else:
            messages = [(Message(subject(c, names), change_line(c, names) + "\n"), [c]) for c in changes]
        for message, covered in messages:
            (outcome,) = deliver(message, [recipient], channels)
            outcomes.append(outcome)
            for change in covered:
                reached[id(change)] |= outcome.sent
    return [c for c in pending if reached[id(c)]], outcomes


def run_check(
    settings: Settings,
    config: AgencyConfig,
    *,
    channels: Channels,
    now: dt.datetime | None = None,
    extra: Sequence[Problem] = (),
    extra_kinds: Collection[str] = (),
    data: bool = True,
) -> CheckResult:
    """Check, reconcile and announce (see the module's docstring). ``extra`` are problems the caller
    found, of ``extra_kinds`` (which this check may then resolve); ``data=False`` skips the serving
    file (a check about runs only)."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(MOSCOW)
    today = settings.as_of or moment.date()
    problems = list(extra)
    kinds = set(extra_kinds)
    if data:
        problems += data_problems(settings, config, today)
        kinds |= DATA_KINDS
    incidents = IncidentLog(incident_log_path(settings), clock=lambda: moment)
    changes = incidents.reconcile(problems, kinds)
    pending = incidents.to_announce()
    quiet = config.alerts.quiet_at(moment.time().replace(tzinfo=None))
    announced: list[Change] = []
    outcomes: list[Outcome] = []
    if pending and not quiet:
        announced, outcomes = _announce(config, pending, channels)
        for change in announced:
            incidents.announced(change)
    sent_ids = {(what, inc.id) for what, inc in announced}
    waiting = [c for c in pending if (c[0], c[1].id) not in sent_ids]
    for what, incident in changes:
        log.info("%s %s", what, incident.key)
    return CheckResult(
        problems=tuple(problems),
        changes=tuple(changes),
        announced=tuple(announced),
        waiting=tuple(waiting),
        outcomes=tuple(outcomes),
        quiet=quiet,
    )
