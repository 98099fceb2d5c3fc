"""Delivering messages (client reports now, alerts later) by e-mail and Telegram.

Plain Python: no Dagster, no Streamlit. A :class:`Message` (subject, text in the recipient's
language, attachments) goes to configured :class:`~pipelines.load.config.Recipient` s through
:class:`Channels` (:class:`EmailChannel` over SMTP, :class:`TelegramChannel` through a bot);
:func:`deliver` returns one :class:`Outcome` per recipient and never stops at a failure;
:func:`deliver_once` also keeps the :class:`SendLog`, so a report never goes twice. The wording is
in :mod:`delivery.texts`, the schedule's working days in :mod:`delivery.working_days`.

Secrets only from the environment: ``AGENCY_SMTP_PASSWORD`` and ``TELEGRAM_BOT_TOKEN``.
"""

from delivery.deliver import Channel, Channels, Outcome, deliver, deliver_once
from delivery.errors import DeliveryError
from delivery.mail import EmailChannel
from delivery.message import Attachment, Message
from delivery.send_log import AlreadySentError, SendKey, SendLog, SendRecord
from delivery.telegram import TelegramChannel
from delivery.texts import report_message
from delivery.working_days import is_working_day, monthly_send_day, nth_working_day, weekly_send_day

__all__ = [
    "AlreadySentError",
    "Attachment",
    "Channel",
    "Channels",
    "DeliveryError",
    "EmailChannel",
    "Message",
    "Outcome",
    "SendKey",
    "SendLog",
    "SendRecord",
    "TelegramChannel",
    "deliver",
    "deliver_once",
    "is_working_day",
    "monthly_send_day",
    "nth_working_day",
    "report_message",
    "weekly_send_day",
]
