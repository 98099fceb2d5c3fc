"""Client of the VK Ads (ads.vk.com, ex-myTarget) API v2: tokens, campaign ids, daily campaign stats.

A token comes from ``POST oauth2/token.json`` (``obtain_token``): ``client_credentials`` for
the agency's own account, ``agency_client_credentials`` + ``agency_client_name`` for one of its
clients. VK limits the number of live tokens per app, so keep a token while it is valid rather
than asking for a new one per run.

Statistics are read from ``statistics/campaigns/day.json`` in ≤ 90-day chunks and batches of
≤ 200 campaign ids (both limits as third-party clients apply them; VK's exact limits are
[INFERRED]); the rows of every request are concatenated into one ``ParseResult``.

Errors arrive as ``{"error": {"code": ..., "message": ...}}``, ``{"errors": [...]}`` or, from
the token endpoint, ``{"error": "invalid_client", "error_description": ...}``. HTTP 401 and the
token codes below mean a bad token (never retried), 403 a missing permission; 429 and 5xx are
retried. The code names are [INFERRED] from third-party clients.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

import httpx

from connectors._json import json_text, load_json, vendor_error_message
from connectors._result import ParseResult, date_chunks
from connectors.errors import FormatError
from connectors.http import (
    DEFAULT_TIMEOUT,
    AccessDeniedError,
    ApiError,
    AuthError,
    BadRequestError,
    HttpClient,
    QuotaError,
    RateLimiter,
    RateLimitError,
    RetryPolicy,
    ServerError,
    VendorClient,
    classify_status,
    parse_retry_after,
)
from connectors.vk_ads._stats import KIND, parse_campaign_day_stats

__all__ = ["BASE_URL", "MAX_DAYS", "MAX_IDS", "PAGE_LIMIT", "VENDOR", "VkAdsClient", "obtain_token"]

VENDOR = "vk_ads"
BASE_URL = "https://ads.vk.com/api/v2/"
MAX_DAYS = 90
"""Longest period of one statistics request."""
MAX_IDS = 200
"""Most campaign ids in one statistics request."""
PAGE_LIMIT = 250
"""Largest page of an entity list (``limit``)."""

_AUTH_CODES = frozenset(
    {"invalid_token", "expired_token", "token_expired", "invalid_client", "invalid_grant", "unauthorized"}
)
_ACCESS_CODES = frozenset({"access_denied", "forbidden", "permission_denied", "insufficient_scope"})
_RATE_CODES = frozenset({"too_many_requests", "rate_limit_exceeded", "throttled"})
_TOKEN_LIMIT_CODES = frozenset({"token_limit_exceeded"})


def _error_code(body: object) -> str | None:
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, str) and error:
        return error
    if isinstance(error, dict) and error.get("code") not in (None, ""):
        return str(error["code"])
    errors = body.get("errors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict) and item.get("code") not in (None, ""):
                return str(item["code"])
    return None


def _json_body(response: httpx.Response) -> object:
    try:
        return load_json(response.content)
    except FormatError:
        return None


def _classify(response: httpx.Response) -> ApiError | None:
    """A VK reply -> its typed error (also an HTTP 200 carrying ``error``/``errors``), else None."""
    status = response.status_code
    body = _json_body(response)
    message = vendor_error_message(body)
    is_data = isinstance(body, dict) and ("items" in body or "access_token" in body)
    if status < 400 and (message is None or is_data):
        return None
    if message is None:
        return classify_status(VENDOR, response)
    code = _error_code(body)
    lowered = (code or "").lower()
    common: dict[str, Any] = {"status": status, "vendor_code": code}
    if status == 401 or lowered in _AUTH_CODES:
        hint = "the VK Ads token is invalid or expired: obtain a new one (obtain_token)"
        return AuthError(VENDOR, message, hint=hint, **common)
    if lowered in _TOKEN_LIMIT_CODES:
        hint = "the app holds too many live tokens: reuse one or delete old ones (oauth2/token/delete.json)"
        return QuotaError(VENDOR, message, hint=hint, **common)
    if status == 403 or lowered in _ACCESS_CODES:
        hint = "check that the account is this agency's client and the app has the needed permissions"
        return AccessDeniedError(VENDOR, message, hint=hint, **common)
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 429 or lowered in _RATE_CODES:
        return RateLimitError(VENDOR, message, retry_after=retry_after, **common)
    if status >= 500:
        return ServerError(VENDOR, message, retry_after=retry_after, **common)
    return BadRequestError(VENDOR, message, **common)


def _default_limiter(clock: Callable[[], float], sleep: Callable[[float], None]) -> RateLimiter:
    # VK publishes no exact rate; a few requests per second stays well clear of it [INFERRED].
    return RateLimiter(5, 1.0, clock=clock, sleep=sleep)


def obtain_token(
    client_id: str,
    client_secret: str,
    *,
    agency_client_name: str | None = None,
    transport: httpx.BaseTransport | None = None,
    base_url: str = BASE_URL,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """A new access token of the app ``client_id`` (for ``agency_client_name`` when given).

    Without ``agency_client_name`` the grant is ``client_credentials`` (the app owner's own
    account); with it, ``agency_client_credentials`` (the agency acting for that client, whose
    name is the client's VK Ads username). Raises ``AuthError`` for a wrong id/secret,
    ``QuotaError`` when the app holds too many live tokens.
    """
    if not client_id or not client_secret:
        raise ValueError("a VK Ads client_id and client_secret are required")
    form = {"client_id": client_id, "client_secret": client_secret}
    if agency_client_name is None:
        form["grant_type"] = "client_credentials"
    else:
        form["grant_type"] = "agency_client_credentials"
        form["agency_client_name"] = agency_client_name
    http = HttpClient(
        VENDOR,
        base_url=base_url,
        timeout=timeout,
        transport=transport,
        retry=retry,
        classify=_classify,
        secrets=[client_secret],
        sleep=sleep,
    )
    with http:
        return http.request(
            "POST",
            "oauth2/token.json",
            content=urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            parse=_parse_token,
        )


def _parse_token(response: httpx.Response) -> str:
    body = load_json(response.content)
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise FormatError('no "access_token" in the token reply', field="access_token")
    return token


def _batches(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), MAX_IDS):
        yield ids[i : i + MAX_IDS]


class VkAdsClient(VendorClient):
    """Reads one VK Ads account (the one ``access_token`` belongs to).

    ``transport`` replaces the network in tests (``httpx.MockTransport``); ``sleep`` and
    ``clock`` replace real waiting. The rate limit (5 requests per second, [INFERRED]) is per
    client instance unless a shared ``rate_limiter`` is given.
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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not access_token:
            raise ValueError("a VK Ads access token is required")
        self.base_url = base_url
        self._http = HttpClient(
            VENDOR,
            base_url=base_url,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=timeout,
            transport=transport,
            rate_limiter=rate_limiter or _default_limiter(clock, sleep),
            retry=retry,
            classify=_classify,
            secrets=[access_token],
            sleep=sleep,
        )

    def campaign_ids(self, *, include_deleted: bool = True) -> list[str]:
        """Ids of the account's campaigns (deleted ones too by default: their past stats count).

        Pages through ``campaigns.json`` with ``limit=250`` and ``offset`` until ``count`` ids
        are read. The ``_status__in`` filter that brings back deleted campaigns is [INFERRED].
        """
        ids: list[str] = []
        offset = 0
        while True:
            params = {"fields": "id", "limit": str(PAGE_LIMIT), "offset": str(offset)}
            if include_deleted:
                params["_status__in"] = "active,blocked,deleted"
            count, page = self._http.request("GET", "campaigns.json", params=params, parse=_parse_id_page)
            ids.extend(page)
            offset += len(page)
            done = offset >= count if count is not None else len(page) < PAGE_LIMIT
            if not page or done:
                return list(dict.fromkeys(ids))

    def campaign_day_stats(self, campaign_ids: Iterable[str], date_from: date, date_to: date) -> ParseResult:
        """Daily base metrics of ``campaign_ids`` from ``date_from`` to ``date_to`` (inclusive).

        Returns the rows of ``vk_ads_campaign_stats`` as ``parse_campaign_day_stats`` gives them,
        every request's rows in one list (``_origin_line`` numbered 1..n across them); the
        period is the one requested. No ids -> no rows and no request. Raises ``AuthError``,
        ``AccessDeniedError``, ``BadRequestError``, ``RateLimitError``/``ServerError`` (after
        retries) and ``ResponseFormatError`` (a truncated or foreign body, tried twice).
        """
        if date_to < date_from:
            raise ValueError(f"date_to {date_to} is before date_from {date_from}")
        ids = list(dict.fromkeys(str(i) for i in campaign_ids))
        rows: list[dict[str, object]] = []
        for batch in _batches(ids):
            for start, end in date_chunks(date_from, date_to, MAX_DAYS):
                params = {
                    "id": ",".join(batch),
                    "date_from": start.isoformat(),
                    "date_to": end.isoformat(),
                    "metrics": "base",
                }
                part = self._http.request(
                    "GET", "statistics/campaigns/day.json", params=params, parse=_parse_stats
                )
                for row in part.rows:
                    rows.append({**row, "_origin_line": len(rows) + 1})
        return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)


def _parse_stats(response: httpx.Response) -> ParseResult:
    return parse_campaign_day_stats(response.content)


def _parse_id_page(response: httpx.Response) -> tuple[int | None, list[str]]:
    body = load_json(response.content)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise FormatError('no "items" list: not a VK Ads campaign list', field="items")
    ids: list[str] = []
    for i, item in enumerate(items):
        value = item.get("id") if isinstance(item, dict) else None
        try:
            text = json_text(value)
        except ValueError:
            text = None
        if not text:
            raise FormatError("a campaign without an id", field=f"items[{i}].id")
        ids.append(text)
    count = body.get("count") if isinstance(body, dict) else None
    return (count if isinstance(count, int) and not isinstance(count, bool) else None), ids
