"""Sending one message to many recipients, each by their channel, and saying what happened to each.

:func:`deliver` sends to every recipient in turn and never stops at a failure: each gets an
:class:`Outcome` (sent, or failed with the reason). :func:`deliver_once` does the same for a
report, through the :class:`~delivery.send_log.SendLog`: a recipient who already has this report
is skipped, each send is recorded, and two processes never both send it.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Protocol

from delivery.errors import DeliveryError
from delivery.mail import NOT_SET_UP as EMAIL_NOT_SET_UP
from delivery.mail import EmailChannel
from delivery.message import Message
from delivery.send_log import Exclusive, SendKey, SendLog, SendRecord
from delivery.telegram import NOT_SET_UP as TELEGRAM_NOT_SET_UP
from delivery.telegram import TOKEN_ENV, TelegramChannel
from pipelines.load.config import DeliverySettings, Recipient

__all__ = ["Channel", "Channels", "Outcome", "deliver", "deliver_once"]

log = logging.getLogger("delivery")

Status = Literal["sent", "failed", "skipped"]


class Channel(Protocol):
    """Something that sends a message to a recipient of its kind, or raises DeliveryError."""

    def send(self, message: Message, recipient: Recipient) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """What happened for one recipient.

    ``sent``; ``failed`` with ``reason`` (``permanent`` when trying again unchanged will fail
    again, ``maybe_sent`` when it may have arrived all the same); ``skipped`` by
    :func:`deliver_once` when the send log already has it sent (``reason`` says when, by whom).
    """

    recipient: Recipient
    status: Status
    reason: str | None = None
    permanent: bool = False
    maybe_sent: bool = False

    @property
    def sent(self) -> bool:
        return self.status == "sent"

    def __str__(self) -> str:
        return f"{self.recipient}: {self.status}" + (f" ({self.reason})" if self.reason else "")


class Channels:
    """The channels set up for this agency: e-mail (``delivery.smtp``) and Telegram
    (``TELEGRAM_BOT_TOKEN``); either may be missing, and its recipients then fail saying so."""

    def __init__(
        self,
        *,
        email: Channel | None = None,
        telegram: Channel | None = None,
        missing: Mapping[str, str] | None = None,
    ) -> None:
        self.email = email
        self.telegram = telegram
        self._missing = dict(missing or {})

    @classmethod
    def from_config(cls, delivery: DeliverySettings, env: Mapping[str, str] = os.environ) -> Channels:
        """E-mail when the configuration has ``delivery.smtp`` (password ``AGENCY_SMTP_PASSWORD``),
        Telegram when ``TELEGRAM_BOT_TOKEN`` is set; a malformed token is a failure to report."""
        missing: dict[str, str] = {}
        email: EmailChannel | None = None
        telegram: TelegramChannel | None = None
        if delivery.smtp is not None and delivery.sender is not None:
            email = EmailChannel.from_config(delivery, env)
        else:
            missing["email"] = EMAIL_NOT_SET_UP
        if env.get(TOKEN_ENV, "").strip():
            try:
                telegram = TelegramChannel.from_env(env)
            except ValueError as exc:
                missing["telegram"] = str(exc)
        else:
            missing["telegram"] = TELEGRAM_NOT_SET_UP
        return cls(email=email, telegram=telegram, missing=missing)

    def for_recipient(self, recipient: Recipient) -> Channel:
        """The recipient's channel; DeliveryError saying what to set up when there is none."""
        channel = self.email if recipient.channel == "email" else self.telegram
        if channel is None:
            default = EMAIL_NOT_SET_UP if recipient.channel == "email" else TELEGRAM_NOT_SET_UP
            raise DeliveryError(self._missing.get(recipient.channel, default), permanent=True)
        return channel

    def close(self) -> None:
        for channel in (self.email, self.telegram):
            close = getattr(channel, "close", None)
            if callable(close):
                close()

    def __enter__(self) -> Channels:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _send(message: Message, recipient: Recipient, channels: Channels) -> Outcome:
    try:
        channels.for_recipient(recipient).send(message, recipient)
    except DeliveryError as exc:
        log.warning("%r to %s failed: %s", message.subject, recipient, exc.reason)
        return Outcome(recipient, "failed", exc.reason, permanent=exc.permanent, maybe_sent=exc.maybe_sent)
    except Exception as exc:  # a bug must not stop the other recipients
        log.exception("%r to %s failed unexpectedly", message.subject, recipient)
        return Outcome(recipient, "failed", f"unexpected error: {type(exc).__name__}: {exc}")
    log.info("%r sent to %s", message.subject, recipient)
    return Outcome(recipient, "sent")


def deliver(message: Message, recipients: Iterable[Recipient], channels: Channels) -> list[Outcome]:
    """Send ``message`` to each recipient by their channel; one outcome per recipient, in order.
    A failure never stops the others."""
    return [_send(message, recipient, channels) for recipient in recipients]


def deliver_once(
    message: Message,
    recipients: Iterable[Recipient],
    channels: Channels,
    send_log: SendLog,
    *,
    client: str,
    period: str,
    formats: Iterable[str],
    who: str | None = None,
    digest: str | None = None,
    correction: str | None = None,
) -> list[Outcome]:
    """:func:`deliver` for a report: skip each recipient the send log has it sent to, record each
    send and failure (files and their SHA-256, ``digest`` of the content, subject, ``who``, when).
    The log's lock is held from the check to the record, so a second process sending the same
    report waits and then skips it.

    ``correction`` (why) sends a corrected report instead: only to a recipient who already has the
    report and whose last copy's digest differs from ``digest`` (required), as the next revision;
    one who has this content is skipped, one who never had the report too (the regular send
    gives it to them).
    """
    if correction is not None and (not correction.strip() or not digest):
        raise ValueError("a correction needs its reason and the corrected report's digest")
    formats = tuple(formats)
    outcomes: list[Outcome] = []
    for recipient in recipients:
        key = SendKey.of(client, period, formats, recipient)
        outcome: Outcome | None = None
        try:
            with send_log.exclusive() as locked:
                target, skip = _target(locked, key, digest, correction)
                if skip is not None:
                    outcome = Outcome(recipient, "skipped", skip)
                else:
                    outcome = _send(message, recipient, channels)
                    if outcome.sent:
                        locked.record(
                            target,
                            message.files,
                            subject=message.subject,
                            who=who,
                            digest=digest,
                            note=correction,
                        )
                    else:
                        reason = outcome.reason or "failed"
                        locked.record_failure(
                            target, message.files, reason, subject=message.subject, who=who, digest=digest
                        )
        except sqlite3.Error as exc:  # locked past its timeout, disk full, ...
            problem = f"the send log {send_log.path} could not be used ({exc})"
            log.error("%r to %s: %s", message.subject, recipient, problem)
            if outcome is None:
                outcome = Outcome(recipient, "failed", f"not sent: {problem}")
            else:  # sent or failed, but not recorded: say so
                reason = f"{outcome.reason}; {problem}" if outcome.reason else problem
                outcome = dataclasses.replace(outcome, reason=reason)
        outcomes.append(outcome)
    return outcomes


def _when(record: SendRecord) -> str:
    return f"{record.at:%Y-%m-%d %H:%M} UTC by {record.who}"


def _target(
    locked: Exclusive, key: SendKey, digest: str | None, correction: str | None
) -> tuple[SendKey, str | None]:
    """The key to send under, or why this recipient is skipped."""
    if correction is None:
        previous = locked.already_sent(key)
        return key, None if previous is None else f"already sent {_when(previous)}"
    last = locked.last_sent(key)
    if last is None:
        return key, "never sent this report: a correction goes only to those who had it"
    if last.digest == digest:
        return key, f"already has this version (revision {last.revision}, sent {_when(last)})"
    return key.revised(last.revision + 1), None
