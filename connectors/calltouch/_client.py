"""Client of the Calltouch calls diary (``GET {siteId}/calls-diary/calls``, always paged) and of
the requests journal (``GET requests``, form leads; see ``_requests.py`` for its sources).

The token is the ``clientApiId`` query parameter (no header), so it is in every URL: the
shared HTTP layer redacts it from messages and logs. Dates go as ``dd/mm/yyyy``; a period
longer than 90 days is split into ≤ 90-day chunks (as third-party exporters do), and each
chunk is read page by page (``page`` from 1, ``limit`` ≤ 1000) until ``page == pageTotal``.
Calltouch allows at most 5 requests per second per IP.

Calls that arrive while the pages are read shift the records, so a call may appear on two
pages; the last copy wins. Errors have no documented body: 401/403 mean a bad token or no
rights on the site (never retried), 429 and 5xx are retried.

The requests journal has no paging: one bare JSON array per request. It takes ``siteId`` as a
query parameter and its dates as ``mm/dd/yyyy``; it is chunked like the calls diary (≤ 90 days,
[INFERRED]: no limit for this method is documented in what was read) and shares the token, the
rate limiter, the retries and the typed errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import httpx

from connectors._json import load_json, vendor_error_message
from connectors._result import ParseResult, date_chunks
from connectors.calltouch._calls import KIND, format_calltouch_date, parse_calls
from connectors.calltouch._requests import KIND as REQUESTS_KIND
from connectors.calltouch._requests import format_requests_date, parse_requests
from connectors.errors import FormatError
from connectors.http import (
    DEFAULT_TIMEOUT,
    AccessDeniedError,
    ApiError,
    AuthError,
    BadRequestError,
    HttpClient,
    RateLimiter,
    RetryPolicy,
    VendorClient,
    classify_status,
)

__all__ = ["BASE_URL", "MAX_DAYS", "PAGE_LIMIT", "VENDOR", "CalltouchClient"]

VENDOR = "calltouch"
BASE_URL = "https://api.calltouch.ru/calls-service/RestAPI/"
MAX_DAYS = 90
"""Longest period of one calls-diary request."""
PAGE_LIMIT = 1000
"""Largest page the calls diary serves (``limit``)."""

_AUTH_HINT = "the clientApiId token is invalid or revoked: copy the current one from the Calltouch cabinet"
_ACCESS_HINT = "check the site id and that the token belongs to the cabinet of this site"


def _json(response: httpx.Response) -> object:
    try:
        return load_json(response.content)
    except FormatError:
        return None


def _message(body: object) -> str | None:
    message = vendor_error_message(body)
    if message is None and isinstance(body, dict) and isinstance(body.get("message"), str):
        message = body["message"].strip() or None
    return message


def _classify(response: httpx.Response) -> ApiError | None:
    """HTTP status -> typed error, with the vendor's message from a JSON body when there is one."""
    status = response.status_code
    body = _json(response)
    message = _message(body)
    if status == 200:
        if message is not None and not (isinstance(body, dict) and "records" in body):
            return BadRequestError(VENDOR, message, status=status)
        return None
    if status < 400:
        return BadRequestError(VENDOR, "unexpected HTTP status from the Calltouch API", status=status)
    error = classify_status(VENDOR, response)
    if error is None:  # pragma: no cover - classify_status maps every status >= 400
        return None
    if message is not None:
        error.vendor_message = message
        error.args = (message,)
    if isinstance(error, AuthError):
        error.hint = _AUTH_HINT
    elif isinstance(error, AccessDeniedError):
        error.hint = _ACCESS_HINT
    return error


def _parse_page(response: httpx.Response) -> tuple[int, ParseResult]:
    """A page -> (``pageTotal``, its rows); a bare array (no paging) counts as the only page."""
    body = load_json(response.content)
    if isinstance(body, dict) and "records" in body:
        total = body.get("pageTotal")
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise FormatError("expected a whole number of pages", field="pageTotal")
    else:
        total = 1
    return total, parse_calls(response.content)


def _parse_requests(response: httpx.Response) -> ParseResult:
    return parse_requests(response.content)


def _site(site_id: int | str) -> str:
    site = str(site_id).strip()
    if not site.isdigit():
        raise ValueError(f"a Calltouch site id is a number, not {site_id!r}")
    return site


class CalltouchClient(VendorClient):
    """Reads the calls diary and the requests journal of the Calltouch sites one API token
    (``clientApiId``) can see.

    ``transport`` replaces the network in tests (``httpx.MockTransport``); ``sleep`` and
    ``clock`` replace real waiting. The rate limit (5 requests per second) is per client
    instance unless a shared ``rate_limiter`` is given (share one per outgoing IP).
    """

    def __init__(
        self,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        base_url: str = BASE_URL,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        page_limit: int = PAGE_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not token:
            raise ValueError("a Calltouch API token (clientApiId) is required")
        if not 1 <= page_limit <= PAGE_LIMIT:
            raise ValueError(f"page_limit must be between 1 and {PAGE_LIMIT}, not {page_limit}")
        self.base_url = base_url
        self.page_limit = page_limit
        self._token = token
        self._http = HttpClient(
            VENDOR,
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            rate_limiter=rate_limiter or RateLimiter(5, 1.0, clock=clock, sleep=sleep),
            retry=retry,
            classify=_classify,
            secrets=[token],
            sleep=sleep,
        )

    def calls(self, site_id: int | str, date_from: date, date_to: date) -> ParseResult:
        """Every call of site ``site_id`` from ``date_from`` to ``date_to`` (inclusive, cabinet time).

        Returns the rows of ``calltouch_calls`` as ``parse_calls`` gives them, all pages and
        chunks in one list (``_origin_line`` numbered 1..n), each call once (the last copy
        read); the period is the one requested. Raises ``AuthError`` (bad token),
        ``AccessDeniedError`` (no rights on the site), ``BadRequestError``,
        ``RateLimitError``/``ServerError``/``NetworkError`` (after retries) and
        ``ResponseFormatError`` (a truncated or foreign body, tried twice).
        """
        site = _site(site_id)
        if date_to < date_from:
            raise ValueError(f"date_to {date_to} is before date_from {date_from}")
        by_id: dict[object, dict[str, object]] = {}
        for start, end in date_chunks(date_from, date_to, MAX_DAYS):
            page = 1
            while True:
                params = {
                    "clientApiId": self._token,
                    "dateFrom": format_calltouch_date(start),
                    "dateTo": format_calltouch_date(end),
                    "page": str(page),
                    "limit": str(self.page_limit),
                }
                page_total, part = self._http.request(
                    "GET", f"{site}/calls-diary/calls", params=params, parse=_parse_page
                )
                for row in part.rows:
                    by_id[row["call_id"]] = row
                if page >= page_total:
                    break
                page += 1
        rows = [{**row, "_origin_line": i} for i, row in enumerate(by_id.values(), start=1)]
        return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)

    def requests(self, site_id: int | str, date_from: date, date_to: date) -> ParseResult:
        """Every request (form lead) of site ``site_id`` created ``date_from``..``date_to`` (inclusive).

        ``GET requests?clientApiId=&siteId=&dateFrom=mm/dd/yyyy&dateTo=mm/dd/yyyy``, one request
        per ≤ 90-day chunk. Returns the rows as ``parse_requests`` gives them, all chunks in one
        list (``_origin_line`` numbered 1..n), each request once (the last copy read); the
        period is the one requested. Raises the same errors as ``calls``.
        """
        site = _site(site_id)
        if date_to < date_from:
            raise ValueError(f"date_to {date_to} is before date_from {date_from}")
        by_id: dict[object, dict[str, object]] = {}
        for start, end in date_chunks(date_from, date_to, MAX_DAYS):
            params = {
                "clientApiId": self._token,
                "siteId": site,
                "dateFrom": format_requests_date(start),
                "dateTo": format_requests_date(end),
            }
            part = self._http.request("GET", "requests", params=params, parse=_parse_requests)
            for row in part.rows:
                by_id[row["request_id"]] = row
        rows = [{**row, "_origin_line": i} for i, row in enumerate(by_id.values(), start=1)]
        return ParseResult(kind=REQUESTS_KIND, rows=rows, date_from=date_from, date_to=date_to)
