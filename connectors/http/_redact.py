"""Keeping tokens out of messages and logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

__all__ = ["REDACTED", "SECRET_PARAMS", "install_log_redaction", "redact"]

REDACTED = "***"

SECRET_PARAMS: tuple[str, ...] = (
    "access_token",
    "refresh_token",
    "client_secret",
    "clientApiId",
    "token",
    "api_key",
    "apikey",
)
"""Query/body parameter names whose values are secrets wherever they appear."""

_NAMES = "|".join(re.escape(name) for name in SECRET_PARAMS)
# name=value (query strings, form bodies) and "name": "value" (JSON bodies).
_PARAM = re.compile(rf"(?i)\b({_NAMES})=([^&\s\"']+)")
_JSON_PARAM = re.compile(rf"(?i)(\"(?:{_NAMES})\"\s*:\s*\")([^\"]*)(\")")
# A Telegram bot token travels in the URL path: https://api.telegram.org/bot<id>:<secret>/sendDocument
_TELEGRAM_BOT = re.compile(r"\bbot\d+:[A-Za-z0-9_-]+")
_BEARER = re.compile(r"(?i)\b(bearer|oauth)(\s+)[A-Za-z0-9._~+/=-]{8,}")
_AUTH_HEADER = re.compile(
    r"(?i)\b(authorization['\"]?\s*[:=]\s*['\"]?)(?:(bearer|oauth|basic)\s+)?[^\s'\",}]+"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with each of ``secrets`` and every recognisable token replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _PARAM.sub(lambda m: f"{m[1]}={REDACTED}", text)
    text = _JSON_PARAM.sub(lambda m: f"{m[1]}{REDACTED}{m[3]}", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m[1]}{m[2] + ' ' if m[2] else ''}{REDACTED}", text)
    text = _TELEGRAM_BOT.sub(f"bot{REDACTED}", text)
    return _BEARER.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}", text)


class _RedactingFilter(logging.Filter):
    """Rewrites a record's message with tokens redacted (httpx logs full URLs at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = _RedactingFilter()


def install_log_redaction(*logger_names: str) -> None:
    """Redact tokens in everything the named loggers emit (idempotent)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
