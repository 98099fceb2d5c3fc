"""Telegram through a bot: the Bot API over the project's HTTP layer (:mod:`connectors.http`).

A message with one file is one ``sendDocument`` (a ``multipart/form-data`` upload of the file
with the text as its caption); with 2-10 files one ``sendMediaGroup`` (an album of documents, the
caption under the last), so a report's PDF and Excel arrive together or not at all; without
files one ``sendMessage``. Text is plain (no parse mode), the subject on its first line. A text
longer than a caption may be (1,024 characters) goes first as its own message.

The token is ``TELEGRAM_BOT_TOKEN`` and travels in the URL path
(``https://api.telegram.org/bot<token>/sendDocument``); the HTTP layer redacts it from every
message and log line, and it is never in an outcome or a ``repr``. Errors are Telegram's own
JSON (``{"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the
user"}``): 429 waits ``parameters.retry_after`` seconds and tries again, 5xx are retried, 400
(chat not found, a group that became a supergroup), 401/404 (a wrong token) and 403 (blocked,
kicked, not a member) fail at once with what to do. An upload whose connection breaks before the
reply is not sent again (it may have arrived).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from typing import ClassVar

import httpx

from connectors.http import (
    DEFAULT_TIMEOUT,
    AccessDeniedError,
    ApiError,
    AuthError,
    BadRequestError,
    HttpClient,
    NetworkError,
    RateLimiter,
    RateLimitError,
    ResponseFormatError,
    RetryPolicy,
    ServerError,
    UploadFile,
)
from delivery.errors import DeliveryError
from delivery.message import Message
from pipelines.load.config import Recipient

__all__ = [
    "API_URL",
    "MAX_CAPTION",
    "MAX_FILES",
    "MAX_TEXT",
    "MAX_UPLOAD_BYTES",
    "NOT_SET_UP",
    "TOKEN_ENV",
    "TelegramChannel",
]

VENDOR = "telegram"
API_URL = "https://api.telegram.org/"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
API_URL_ENV = "TELEGRAM_API_URL"
NOT_SET_UP = f"Telegram is not set up: set {TOKEN_ENV} to the bot's token (from @BotFather)"
MAX_CAPTION = 1024
"""Longest caption of a file, in characters."""
MAX_TEXT = 4096
"""Longest text message, in characters."""
MAX_FILES = 10
"""Most files of one album (``sendMediaGroup``)."""
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
"""Largest file a bot may upload."""

DEFAULT_RETRY = RetryPolicy(max_attempts=5, max_total_wait=180.0, backoff_initial=1.0, backoff_max=30.0)
"""Telegram's flood waits are seconds to a minute; a longer one fails the send for this run."""

_HINTS_403 = (
    ("blocked", "the person blocked the bot: ask them to unblock it, or remove them from the recipients"),
    ("deactivated", "the person's account is deleted: remove them from the recipients"),
    ("kicked", "the bot was removed from the group or channel: add it back"),
    ("not a member", "add the bot to the group or channel (as an administrator who may post, for a channel)"),
    ("can't initiate", "the person has to open the bot and press Start first"),
)


def _body(response: httpx.Response) -> dict[str, object] | None:
    try:
        body = json.loads(response.content)
    except ValueError:  # not JSON, or not UTF-8
        return None
    return body if isinstance(body, dict) else None


def _classify(response: httpx.Response) -> ApiError | None:
    """A Bot API reply -> the error it means (None for ``{"ok": true}``)."""
    status = response.status_code
    body = _body(response)
    if status == 200 and body is not None and body.get("ok") is True:
        return None
    description = body.get("description") if body is not None else None
    message = str(description) if description else (response.reason_phrase or f"HTTP {status}")
    raw_parameters = body.get("parameters") if body is not None else None
    parameters = raw_parameters if isinstance(raw_parameters, dict) else {}
    lowered = message.lower()
    if status == 429:
        retry_after = parameters.get("retry_after")
        wait = float(retry_after) if isinstance(retry_after, int | float) else None
        if wait is None:
            header = response.headers.get("Retry-After")
            wait = float(header) if header and header.strip().isdigit() else None
        return RateLimitError(VENDOR, message, status=status, retry_after=wait)
    if status in (401, 404):
        return AuthError(
            VENDOR, message, status=status, hint=f"{TOKEN_ENV} is wrong or revoked: copy it from @BotFather"
        )
    if status == 403:
        hint = next((h for key, h in _HINTS_403 if key in lowered), None)
        return AccessDeniedError(VENDOR, message, status=status, hint=hint)
    if status >= 500:
        return ServerError(VENDOR, message, status=status)
    migrated = parameters.get("migrate_to_chat_id")
    if migrated is not None:
        hint = f"the group became a supergroup: change its chat id in the configuration to {migrated}"
    elif "chat not found" in lowered:
        hint = (
            "check the chat id; a person has to start the bot first, a group or channel must have "
            "the bot as a member"
        )
    elif status == 413:
        hint = f"a bot may send files of at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
    else:
        hint = None
    if status == 200:  # a 200 without "ok": true
        return ResponseFormatError(VENDOR, f"not a Bot API reply: {message}", status=status, retryable=False)
    return BadRequestError(VENDOR, message, status=status, hint=hint)


def _ok(response: httpx.Response) -> None:
    return None


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TelegramChannel:
    """Sends :class:`~delivery.message.Message` s to Telegram chats through one bot.

    ``base_url`` is the Bot API server (a local fake in tests, or a self-hosted Bot API server);
    ``transport``, ``sleep`` and ``retry`` are for tests, as in the vendor clients.
    """

    channel: ClassVar[str] = "telegram"

    def __init__(
        self,
        token: str,
        *,
        base_url: str = API_URL,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        token = token.strip()
        head, colon, secret = token.partition(":")
        if not (head.isdigit() and colon and secret and all(c.isalnum() or c in "_-" for c in secret)):
            raise ValueError(
                f"{TOKEN_ENV} does not look like a bot token (<digits>:<letters>, from @BotFather)"
            )
        self.base_url = base_url
        self._token = token
        self._http = HttpClient(
            VENDOR,
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            rate_limiter=rate_limiter or RateLimiter(max_calls=20, period=1.0),
            retry=retry or DEFAULT_RETRY,
            classify=_classify,
            secrets=[token, secret],
            sleep=sleep,
        )

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] = os.environ, *, sleep: Callable[[float], None] = time.sleep
    ) -> TelegramChannel:
        """The bot whose token is ``TELEGRAM_BOT_TOKEN``; ValueError when it is not set. The Bot
        API server is ``TELEGRAM_API_URL`` when set (a self-hosted Bot API server), else Telegram's."""
        token = env.get(TOKEN_ENV, "").strip()
        if not token:
            raise ValueError(NOT_SET_UP)
        return cls(token, base_url=env.get(API_URL_ENV, "").strip() or API_URL, sleep=sleep)

    def __repr__(self) -> str:
        return f"TelegramChannel(base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def send(self, message: Message, recipient: Recipient) -> None:
        """Send ``message`` to a Telegram recipient; raises :class:`DeliveryError` saying why not."""
        if recipient.telegram is None:
            raise DeliveryError(f"{recipient} is not a Telegram recipient", permanent=True)
        chat = str(recipient.telegram)
        files = message.attachments
        if len(files) > MAX_FILES:
            raise DeliveryError(f"Telegram takes at most {MAX_FILES} files in one message", permanent=True)
        for attachment in files:
            if len(attachment.content) > MAX_UPLOAD_BYTES:
                size = len(attachment.content) / (1024 * 1024)
                raise DeliveryError(
                    f"{attachment.filename} is {size:.0f} MB: a bot may send files of at most "
                    f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB",
                    permanent=True,
                )
        text = f"{message.subject}\n\n{message.text.strip()}"
        try:
            if not files:
                self._call("sendMessage", {"chat_id": chat, "text": _cut(text, MAX_TEXT)})
                return
            caption = text
            if len(text) > MAX_CAPTION:
                self._call("sendMessage", {"chat_id": chat, "text": _cut(text, MAX_TEXT)})
                caption = ""
            if len(files) == 1:
                (only,) = files
                data = {"chat_id": chat, "caption": caption} if caption else {"chat_id": chat}
                self._call(
                    "sendDocument", data, [("document", (only.filename, only.content, only.mime_type))]
                )
                return
            media: list[dict[str, str]] = []
            uploads: list[tuple[str, UploadFile]] = []
            for i, attachment in enumerate(files):
                item = {"type": "document", "media": f"attach://file{i}"}
                if caption and i == len(files) - 1:
                    item["caption"] = caption
                media.append(item)
                uploads.append((f"file{i}", (attachment.filename, attachment.content, attachment.mime_type)))
            self._call("sendMediaGroup", {"chat_id": chat, "media": json.dumps(media)}, uploads)
        except ApiError as exc:
            raise self._failure(exc, chat) from None

    def _call(
        self, method: str, data: Mapping[str, str], files: list[tuple[str, UploadFile]] | None = None
    ) -> None:
        self._http.request(
            "POST", f"/bot{self._token}/{method}", data=data, files=files, parse=_ok, idempotent=False
        )

    def _failure(self, error: ApiError, chat: str) -> DeliveryError:
        reason = self._http.redact(f"Telegram chat {chat}: {error}")
        maybe_sent = isinstance(error, NetworkError) and error.maybe_delivered
        permanent = isinstance(error, AuthError | AccessDeniedError | BadRequestError)
        return DeliveryError(reason, permanent=permanent, maybe_sent=maybe_sent)
