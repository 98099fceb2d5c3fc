"""Client of the CoMagic / UIS Data API v2.0: ``get.calls_report`` over JSON-RPC 2.0.

Every call is a ``POST`` of ``{"jsonrpc": "2.0", "method": ..., "params": {"access_token":
...}}`` to the one endpoint, so the token is in the request body: the shared HTTP layer
redacts it from every message and log. The report asks for exactly the ``fields`` the parser
maps, for whole days (``YYYY-MM-DD hh:mm:ss``, the account's time zone), and pages with
``limit`` 10000 and ``offset`` until ``metadata.total_items`` calls are read.

Every reply carries ``metadata.limits``; when ``minute_remaining`` drops to 5 or less the
client waits ``minute_reset`` seconds before its next request. Errors come as HTTP 200 with
a JSON-RPC ``error``; they are told apart by ``error.data.mnemonic`` (the numeric codes are
shared by whole groups): ``auth_error`` is a bad token (never retried), the -32003 group an
IP not whitelisted or a missing right, ``limit_exceeded`` is retried after the vendor's reset,
an internal error (-32603) is retried, anything else is a bad request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from connectors._json import json_int, load_json
from connectors._result import ParseResult
from connectors.comagic._calls import KIND, parse_calls_report
from connectors.errors import FormatError
from connectors.http import (
    DEFAULT_TIMEOUT,
    AccessDeniedError,
    ApiError,
    AuthError,
    BadRequestError,
    HttpClient,
    RateLimiter,
    RateLimitError,
    RetryPolicy,
    ServerError,
    VendorClient,
    classify_status,
)

__all__ = ["BASE_URL", "FIELDS", "MAX_OFFSET", "PAGE_LIMIT", "VENDOR", "ComagicClient"]

VENDOR = "comagic"
BASE_URL = "https://dataapi.comagic.ru/v2.0"
"""UIS accounts use ``https://dataapi.uiscom.ru/v2.0`` (credentials of one do not work on the other)."""
PAGE_LIMIT = 10_000
"""Largest page of ``get.calls_report`` (``limit``)."""
MAX_OFFSET = 100_000
"""Largest ``offset`` the Data API accepts."""
FIELDS: tuple[str, ...] = (
    "id",
    "start_time",
    "finish_time",
    "finish_reason",
    "direction",
    "is_lost",
    "total_duration",
    "talk_duration",
    "wait_duration",
    "contact_phone_number",
    "virtual_phone_number",
    "campaign_name",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "tags",
)
"""The call fields requested: exactly those ``parse_calls_report`` maps to ``comagic_calls``."""
LOW_MINUTE_REMAINING = 5
"""At or below this many requests left in the minute, wait for the minute to reset."""
DEFAULT_MINUTE_RESET = 60.0
"""Seconds to wait on ``limit_exceeded`` when the reply names no reset."""

_AUTH_MNEMONICS = frozenset({"auth_error"})
_LIMIT_MNEMONICS = frozenset({"limit_exceeded"})
_INTERNAL_MNEMONICS = frozenset({"internal_error"})
_ACCESS_MNEMONICS = frozenset({"ip_not_whitelisted", "access_denied", "permission_denied"})  # [INFERRED]
_ACCESS_CODE = -32003
_AUTH_CODE = -32001
_INTERNAL_CODE = -32603
_AUTH_HINT = "the access token is invalid, expired or blocked: issue a new API key in the cabinet"
_ACCESS_HINT = (
    "whitelist this server's IP in the cabinet (Администратор → Аккаунт → Правила и настройки "
    "безопасности → API) and check the key's rights"
)


@dataclass(frozen=True)
class _Page:
    result: ParseResult
    total_items: int
    limits: dict[str, Any]


def _limits(container: object) -> dict[str, Any]:
    metadata = container.get("metadata") if isinstance(container, dict) else None
    limits = metadata.get("limits") if isinstance(metadata, dict) else None
    return limits if isinstance(limits, dict) else {}


def _seconds(value: object) -> float | None:
    try:
        number = json_int(value)
    except ValueError:
        return None
    return None if number is None else float(max(0, number))


def _classify(response: httpx.Response) -> ApiError | None:
    """A JSON-RPC error reply (HTTP 200) or an HTTP failure -> its typed error, else None."""
    if response.status_code != 200:
        return classify_status(VENDOR, response)
    try:
        body = load_json(response.content)
    except FormatError:
        return None  # the parser reports a truncated or foreign body
    error = body.get("error") if isinstance(body, dict) else None
    if error is None:
        return None
    if not isinstance(error, dict):
        return BadRequestError(VENDOR, str(error), status=200)
    data = error.get("data")
    data = data if isinstance(data, dict) else {}
    code = error.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    mnemonic = data.get("mnemonic") if isinstance(data.get("mnemonic"), str) else None
    message = str(error.get("message") or "").strip() or None
    if data.get("field"):
        message = f'{message or "error"} (field "{data["field"]}")'
    common: dict[str, Any] = {"status": 200, "vendor_code": mnemonic or code}
    if mnemonic in _AUTH_MNEMONICS or (mnemonic is None and code == _AUTH_CODE):
        return AuthError(VENDOR, message, hint=_AUTH_HINT, **common)
    if mnemonic in _ACCESS_MNEMONICS or code == _ACCESS_CODE:
        return AccessDeniedError(VENDOR, message, hint=_ACCESS_HINT, **common)
    if mnemonic in _LIMIT_MNEMONICS:
        limits = _limits(data)
        per_day = "day" in (message or "").lower() or limits.get("day_remaining") == 0
        reset = _seconds(limits.get("day_reset" if per_day else "minute_reset"))
        hint = "the day's points are spent" if per_day else None
        # A spent day with no named reset is not worth retrying; a long named reset ends the
        # retries at once anyway (it passes the retry policy's max_total_wait).
        retryable = not per_day or reset is not None
        return RateLimitError(VENDOR, message, retry_after=reset, hint=hint, retryable=retryable, **common)
    if mnemonic in _INTERNAL_MNEMONICS or code == _INTERNAL_CODE:
        return ServerError(VENDOR, message, **common)
    return BadRequestError(VENDOR, message, **common)


def _parse_page(response: httpx.Response) -> _Page:
    result = parse_calls_report(response.content)
    body = load_json(response.content)
    reply = body.get("result") if isinstance(body, dict) else None
    metadata = reply.get("metadata") if isinstance(reply, dict) else None
    total = metadata.get("total_items") if isinstance(metadata, dict) else None
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise FormatError("expected the number of calls", field="result.metadata.total_items")
    return _Page(result, total, _limits(reply))


class ComagicClient(VendorClient):
    """Reads the calls of one CoMagic/UIS account (agencies name a client with ``user_id``).

    ``transport`` replaces the network in tests (``httpx.MockTransport``); ``sleep`` replaces
    real waiting (retries and the minute-limit waits). The API points are the only rate
    limit; pass a ``rate_limiter`` to spread requests further. The API admits requests only
    from the IPs whitelisted in the account.
    """

    def __init__(
        self,
        access_token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        base_url: str = BASE_URL,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not access_token:
            raise ValueError("a CoMagic/UIS Data API access token is required")
        self.base_url = base_url
        self._token = access_token
        self._sleep = sleep
        self._wait_before_next = 0.0
        self._minute_reset: float | None = None
        self._http = HttpClient(
            VENDOR,
            timeout=timeout,
            transport=transport,
            rate_limiter=rate_limiter,
            retry=retry,
            classify=_classify,
            vendor_wait=self._vendor_wait,
            secrets=[access_token],
            sleep=sleep,
        )

    def calls_report(self, date_from: date, date_till: date, *, user_id: int | None = None) -> ParseResult:
        """Every call from the start of ``date_from`` to the end of ``date_till`` (account time).

        Returns the rows of ``comagic_calls`` as ``parse_calls_report`` gives them, all pages
        in one list (``_origin_line`` numbered 1..n), each call once (the last copy read); the
        period is the one requested. Raises ``AuthError`` (bad token), ``AccessDeniedError``
        (IP not whitelisted, no rights), ``BadRequestError`` (with the vendor's message),
        ``RateLimitError``/``ServerError``/``NetworkError`` (after retries) and
        ``ResponseFormatError`` (a truncated or foreign body, tried twice).
        """
        if date_till < date_from:
            raise ValueError(f"date_till {date_till} is before date_from {date_from}")
        params: dict[str, Any] = {
            "access_token": self._token,
            "date_from": f"{date_from:%Y-%m-%d} 00:00:00",
            "date_till": f"{date_till:%Y-%m-%d} 23:59:59",
            "limit": PAGE_LIMIT,
            "fields": list(FIELDS),
        }
        if user_id is not None:
            params["user_id"] = user_id
        by_id: dict[object, dict[str, object]] = {}
        offset = 0
        while True:
            if offset > MAX_OFFSET:
                raise BadRequestError(
                    VENDOR,
                    f"more calls from {date_from} to {date_till} than the API pages through",
                    hint="request a shorter period",
                )
            body = {
                "jsonrpc": "2.0",
                "id": f"calls-{date_from:%Y%m%d}-{date_till:%Y%m%d}-{offset}",
                "method": "get.calls_report",
                "params": {**params, "offset": offset},
            }
            if self._wait_before_next > 0:
                self._sleep(self._wait_before_next)
                self._wait_before_next = 0.0
            page = self._http.request("POST", self.base_url, json=body, parse=_parse_page)
            self._note_limits(page.limits)
            for row in page.result.rows:
                by_id[row["call_id"]] = row
            offset += len(page.result.rows)
            if not page.result.rows or offset >= page.total_items:
                break
        rows = [{**row, "_origin_line": i} for i, row in enumerate(by_id.values(), start=1)]
        return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_till)

    def _note_limits(self, limits: dict[str, Any]) -> None:
        reset = _seconds(limits.get("minute_reset"))
        if reset is not None:
            self._minute_reset = reset
        remaining = _seconds(limits.get("minute_remaining"))
        if remaining is not None and remaining <= LOW_MINUTE_REMAINING:
            self._wait_before_next = reset if reset is not None else DEFAULT_MINUTE_RESET

    def _vendor_wait(self, error: ApiError) -> float | None:
        """``limit_exceeded`` waits for the reset the reply names, else the last one seen, else 60 s."""
        if error.vendor_code in _LIMIT_MNEMONICS and error.retry_after is None:
            return self._minute_reset if self._minute_reset is not None else DEFAULT_MINUTE_RESET
        return None
