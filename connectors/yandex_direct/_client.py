"""Client of the Reports service (API v5): one campaign stats report per advertiser and period.

The agency token reads each client's account through ``Client-Login``. A report is requested
with ``processingMode: auto``: Direct answers 200 with the TSV at once, or 201/202 while it
builds the report offline; the identical request is then resent after ``retryIn`` seconds
(10 s when the header is missing) until the report is ready or ``max_report_wait`` passes.

The title, column header and ``Total rows`` summary are all requested, so the parser checks
the columns and that no row was lost (a truncated body is retried once, then fails).

Ad-group level (``level="ad_group"``) requests AD_GROUP_PERFORMANCE_REPORT with AdGroupId and
AdGroupName, so the report really is split by ad group, but returns rows in the same raw
shape as the campaign level: the ad-group columns are dropped and a (date, campaign) pair
may occur once per ad group. The raw table is campaign-level; the loader sums such rows
(its additive collapse over the key), which gives the campaign totals.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import httpx

from connectors._result import ParseResult
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
    ResponseFormatError,
    RetryPolicy,
    ServerError,
    VendorClient,
    classify_status,
)
from connectors.yandex_direct._report import DEFAULT_FIELD_NAMES, parse_report_tsv

__all__ = ["BASE_URL", "VENDOR", "DirectReportsClient", "ReportLevel", "ReportNotReadyError"]

VENDOR = "yandex_direct"
BASE_URL = "https://api.direct.yandex.com/json/v5/"
DEFAULT_RETRY_IN = 10.0
"""Seconds between polls of an offline report when Direct sends no ``retryIn``."""
VENDOR_WAIT = 10.0
"""Seconds Direct asks to wait after 56 (method limit), 506 (concurrency) and 9000 (queue full)."""

ReportLevel = Literal["campaign", "ad_group"]

_REPORT_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "campaign": ("CAMPAIGN_PERFORMANCE_REPORT", DEFAULT_FIELD_NAMES),
    "ad_group": ("AD_GROUP_PERFORMANCE_REPORT", (*DEFAULT_FIELD_NAMES, "AdGroupId", "AdGroupName")),
}
_AUTH_CODES = {53}
_ACCESS_CODES = {54, 58}
_UNITS_CODES = {152}
_WAIT_CODES = {56, 506, 9000}
_SERVER_CODES = {52, 1000, 1001, 1002}


class ReportNotReadyError(ServerError):
    """Direct kept building the report offline for longer than the client may wait."""

    default_retryable = False


@dataclass(frozen=True)
class _Pending:
    retry_in: float


def _report_params(client_login: str, date_from: date, date_to: date, level: str) -> dict[str, Any]:
    report_type, field_names = _REPORT_TYPES[level]
    params: dict[str, Any] = {
        "SelectionCriteria": {"DateFrom": date_from.isoformat(), "DateTo": date_to.isoformat()},
        "FieldNames": list(field_names),
        "OrderBy": [{"Field": "Date"}],
        "ReportType": report_type,
        "DateRangeType": "CUSTOM_DATE",
        "Format": "TSV",
        "IncludeVAT": "NO",
        "IncludeDiscount": "NO",
    }
    # The same parameters always get the same name, different ones never share it.
    digest = hashlib.sha256(
        json.dumps({"login": client_login, "params": params}, sort_keys=True).encode()
    ).hexdigest()[:20]
    params["ReportName"] = f"agency_{level}_{date_from:%Y%m%d}_{date_to:%Y%m%d}_{digest}"
    return {"params": params}


def _retry_in(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("retryIn", "")))
    except ValueError:
        return DEFAULT_RETRY_IN


def _error_json(response: httpx.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    error = data.get("error", data)
    if not isinstance(error, dict) or "error_code" not in error:
        return None
    return error


class DirectReportsClient(VendorClient):
    """Downloads Reports service statistics for the advertisers an agency token can read.

    ``transport`` replaces the network in tests (``httpx.MockTransport``); ``sleep`` and
    ``clock`` replace real waiting. The rate limit (20 requests per 10 s, Direct's per-user
    limit) is per client instance unless a shared ``rate_limiter`` is given. Error 152 (API
    units spent) fails at once unless ``units_wait`` seconds are allowed for them to recover.
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
        max_report_wait: float = 1800.0,
        units_wait: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not token:
            raise ValueError("a Yandex.Direct OAuth token is required")
        self.base_url = base_url
        self.max_report_wait = max_report_wait
        self.units_wait = units_wait
        self._sleep = sleep
        self._http = HttpClient(
            VENDOR,
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "ru"},
            timeout=timeout,
            transport=transport,
            rate_limiter=rate_limiter or RateLimiter(20, 10.0, clock=clock, sleep=sleep),
            retry=retry,
            classify=self._classify,
            vendor_wait=self._vendor_wait,
            secrets=[token],
            sleep=sleep,
        )

    def campaign_stats(
        self, client_login: str, date_from: date, date_to: date, *, level: ReportLevel = "campaign"
    ) -> ParseResult:
        """Daily stats of every campaign of ``client_login`` from ``date_from`` to ``date_to``.

        Returns the rows of ``yandex_direct_campaign_stats`` exactly as ``parse_report_tsv``
        gives them (cost in micros, net of VAT and before discounts). Raises ``AuthError``
        (token invalid), ``AccessDeniedError`` (not this agency's client), ``QuotaError``
        (units spent), ``BadRequestError``, ``ServerError``/``ReportNotReadyError`` and
        ``ResponseFormatError`` (truncated report) once retries are exhausted.
        """
        if level not in _REPORT_TYPES:
            raise ValueError(f"level must be 'campaign' or 'ad_group', not {level!r}")
        if date_to < date_from:
            raise ValueError(f"date_to {date_to} is before date_from {date_from}")
        body = _report_params(client_login, date_from, date_to, level)
        headers = {
            "Client-Login": client_login,
            "processingMode": "auto",
            "returnMoneyInMicros": "true",
            "skipReportHeader": "false",
            "skipColumnHeader": "false",
            "skipReportSummary": "false",
        }
        waited = 0.0
        while True:
            outcome = self._http.request("POST", "reports", json=body, headers=headers, parse=self._parse)
            if isinstance(outcome, ParseResult):
                return outcome
            if waited + outcome.retry_in > self.max_report_wait:
                raise ReportNotReadyError(
                    VENDOR,
                    f"report for {client_login} {date_from} - {date_to} not ready after {waited:.0f} s",
                    hint="Direct is busy building offline reports; run the load again later",
                )
            self._sleep(outcome.retry_in)
            waited += outcome.retry_in

    @staticmethod
    def _parse(response: httpx.Response) -> ParseResult | _Pending:
        if response.status_code in (201, 202):
            return _Pending(_retry_in(response))
        if response.status_code != 200:
            raise ResponseFormatError(VENDOR, "unexpected success status", status=response.status_code)
        return parse_report_tsv(response.content)

    def _classify(self, response: httpx.Response) -> ApiError | None:
        if response.status_code in (200, 201, 202):
            return None
        error = _error_json(response)
        if error is None:
            return classify_status(VENDOR, response)
        try:
            code: int | None = int(str(error.get("error_code")))
        except ValueError:
            code = None
        text = str(error.get("error_string") or "").strip()
        detail = str(error.get("error_detail") or "").strip()
        message = f"{text}: {detail}" if text and detail else (text or detail or None)
        request_id = error.get("request_id")
        common: dict[str, Any] = {
            "status": response.status_code,
            "vendor_code": code if code is not None else error.get("error_code"),
            "request_id": None if request_id is None else str(request_id),
        }
        if code in _AUTH_CODES:
            hint = "the OAuth token is invalid or expired: issue a new one"
            return AuthError(VENDOR, message, hint=hint, **common)
        if code in _ACCESS_CODES:
            hint = "check that the Client-Login is this agency's client and the app is approved"
            return AccessDeniedError(VENDOR, message, hint=hint, **common)
        if code in _UNITS_CODES:
            return QuotaError(
                VENDOR,
                message,
                hint="the account's API units are spent; they recover within the hour",
                retryable=self.units_wait is not None,
                **common,
            )
        if code in _WAIT_CODES:
            return RateLimitError(VENDOR, message, **common)
        if code in _SERVER_CODES or response.status_code >= 500:
            return ServerError(VENDOR, message, **common)
        return BadRequestError(VENDOR, message, **common)  # 8000 (invalid request) and any other code

    def _vendor_wait(self, error: ApiError) -> float | None:
        if error.vendor_code in _WAIT_CODES:
            return VENDOR_WAIT
        if error.vendor_code in _UNITS_CODES:
            return self.units_wait
        return None
