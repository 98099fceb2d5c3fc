"""Client of the Bitrix24 REST API (incoming webhook): smart invoices, leads and their rows.

The webhook URL (``https://<portal>/rest/<user id>/<secret>/``) is itself the secret: it is
redacted from every error and from the ``httpx``/``connectors.http`` logs.

``crm.item.list`` with ``entityTypeId=31`` returns 50 items per page in
``{"result": {"items": [...]}, "total": N, "next": 50}``; the next page is asked with
``start=<next>`` until ``next`` is absent. Bitrix24's leaky bucket (50 requests, draining 2 per
second) answers HTTP 503 ``QUERY_LIMIT_EXCEEDED`` when overfilled and HTTP 429 when a method's
"operating" time limit is spent; both are retried with backoff (or ``Retry-After``). Errors
are ``{"error": "<CODE>", "error_description": "..."}``.

``crm.lead.list`` (leads) pages the same way, its ``result`` a plain list; see ``_leads``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from connectors._json import json_decimal, json_text, load_json, shown, vendor_error_message
from connectors._result import ParseResult, created_span_result
from connectors._text import parse_iso_date
from connectors.bitrix24._leads import KIND as LEADS_KIND
from connectors.bitrix24._leads import LEAD_FIELDS, lead_row, read_lead_page
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
    ResponseFormatError,
    RetryPolicy,
    ServerError,
    VendorClient,
    classify_status,
    parse_retry_after,
)

__all__ = ["INVOICE_ENTITY_TYPE_ID", "PAGE_SIZE", "VENDOR", "Bitrix24Client", "invoice_rows"]

VENDOR = "bitrix24"
INVOICE_ENTITY_TYPE_ID = 31
"""The entity type of the new ("smart") invoices."""
PAGE_SIZE = 50
"""Items per page of a Bitrix24 list method (fixed by Bitrix24)."""

INVOICE_FIELDS: tuple[str, ...] = (
    "id",
    "accountNumber",
    "title",
    "begindate",
    "closedate",
    "opportunity",
    "taxValue",
    "currencyId",
    "stageId",
    "companyId",
    "movedTime",
    "updatedTime",
)
"""The invoice fields asked for (``select``); camelCase as ``crm.item.fields`` names them."""

_AUTH_CODES = frozenset(
    {"EXPIRED_TOKEN", "INVALID_TOKEN", "NO_AUTH_FOUND", "INVALID_CREDENTIALS", "WRONG_AUTH_TYPE"}
)
_ACCESS_CODES = frozenset({"ACCESS_DENIED", "INSUFFICIENT_SCOPE", "USER_ACCESS_ERROR"})
_RATE_CODES = frozenset({"QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT"})
_SERVER_CODES = frozenset({"INTERNAL_SERVER_ERROR", "ERROR_UNEXPECTED_ANSWER"})

# /rest/<user id>/<secret>/ in any URL a log line may carry.
_WEBHOOK_PATH = re.compile(r"(/rest/\d+/)[^/\s?#'\"]+")


def _redact_webhooks(text: str) -> str:
    return _WEBHOOK_PATH.sub(r"\1***", text)


class _WebhookLogFilter(logging.Filter):
    """Masks webhook secrets in log records (httpx logs every request URL at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = _redact_webhooks(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_LOG_FILTER = _WebhookLogFilter()
for _name in ("httpx", "connectors.http"):
    if _LOG_FILTER not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_LOG_FILTER)


def _webhook_secret(webhook_url: str) -> str:
    match = re.search(r"/rest/\d+/([^/?#]+)", webhook_url)
    if match is None:
        raise ValueError("a Bitrix24 webhook URL looks like https://<portal>/rest/<user id>/<secret>/")
    return match[1]


def _classify(response: httpx.Response) -> ApiError | None:
    status = response.status_code
    try:
        body = load_json(response.content)
    except FormatError:
        body = None
    code = body.get("error") if isinstance(body, dict) else None
    if not isinstance(code, str) or not code:
        return None if status < 400 else classify_status(VENDOR, response)
    message = vendor_error_message(body)
    upper = code.upper()
    common: dict[str, Any] = {"status": status, "vendor_code": code}
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    auth_hint = "the webhook is invalid or was deleted: create a new incoming webhook and update its URL"
    access_hint = "give the webhook's user the CRM permission (scope crm) and access to invoices and leads"
    if upper in _ACCESS_CODES:
        return AccessDeniedError(VENDOR, message, hint=access_hint, **common)
    if upper in _AUTH_CODES or status == 401:
        return AuthError(VENDOR, message, hint=auth_hint, **common)
    if status == 403:
        return AccessDeniedError(VENDOR, message, hint=access_hint, **common)
    if upper in _RATE_CODES or status == 429:
        return RateLimitError(VENDOR, message, retry_after=retry_after, **common)
    if upper in _SERVER_CODES or status >= 500:
        return ServerError(VENDOR, message, retry_after=retry_after, **common)
    return BadRequestError(VENDOR, message, **common)


def _parse_page(response: httpx.Response) -> tuple[list[dict[str, Any]], int | None]:
    body = load_json(response.content)
    result = body.get("result") if isinstance(body, dict) else None
    items = result.get("items") if isinstance(result, dict) else None
    if not isinstance(body, dict) or not isinstance(items, list):
        raise FormatError('no "result.items" list: not a Bitrix24 crm.item.list reply', field="result.items")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise FormatError("expected an object", field=f"result.items[{i}]")
    next_start = body.get("next")
    if next_start is not None and (not isinstance(next_start, int) or isinstance(next_start, bool)):
        raise FormatError(f"{shown(next_start)} is not a position", field="next")
    return items, next_start


def _lead_page_parser(start: int) -> Callable[[httpx.Response], tuple[list[dict[str, object]], int | None]]:
    def parse(response: httpx.Response) -> tuple[list[dict[str, object]], int | None]:
        leads, next_start = read_lead_page(response.content)
        path = f"start {start}: result"
        return [lead_row(record, f"{path}[{i}]", i + 1) for i, record in enumerate(leads)], next_start

    return parse


class Bitrix24Client(VendorClient):
    """Reads a Bitrix24 portal through an incoming webhook with the ``crm`` scope.

    ``transport`` replaces the network in tests (``httpx.MockTransport``); ``sleep`` and
    ``clock`` replace real waiting. The rate limit (2 requests per second, the bucket's drain
    rate) is per client instance unless a shared ``rate_limiter`` is given.
    """

    def __init__(
        self,
        webhook_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not webhook_url:
            raise ValueError("a Bitrix24 webhook URL is required")
        secret = _webhook_secret(webhook_url)
        base_url = webhook_url if webhook_url.endswith("/") else webhook_url + "/"
        self._http = HttpClient(
            VENDOR,
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            rate_limiter=rate_limiter or RateLimiter(2, 1.0, clock=clock, sleep=sleep),
            retry=retry,
            classify=_classify,
            secrets=[webhook_url, base_url, secret],
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return "Bitrix24Client(webhook_url='***')"

    def invoices(self, updated_since: date | None = None) -> list[dict[str, Any]]:
        """Every smart invoice (changed on or after ``updated_since`` when given), oldest id first.

        Items are Bitrix24's own dicts (``INVOICE_FIELDS``; money as ``Decimal``). Raises
        ``AuthError`` (webhook invalid), ``AccessDeniedError`` (no CRM permission),
        ``RateLimitError``/``ServerError`` once retries are spent, ``ResponseFormatError``.
        """
        body: dict[str, Any] = {
            "entityTypeId": INVOICE_ENTITY_TYPE_ID,
            "select": list(INVOICE_FIELDS),
            "order": {"id": "ASC"},
            "filter": {} if updated_since is None else {">=updatedTime": updated_since.isoformat()},
        }
        items: list[dict[str, Any]] = []
        start = 0
        while True:
            page, next_start = self._http.request(
                "POST", "crm.item.list", json={**body, "start": start}, parse=_parse_page
            )
            items.extend(page)
            if next_start is None:
                return items
            if next_start <= start:
                raise ResponseFormatError(
                    VENDOR, f"crm.item.list paging went backwards (start {start}, next {next_start})"
                )
            start = next_start

    def leads(self, created_from: date, created_to: date) -> ParseResult:
        """Every lead created from the start of ``created_from`` to the end of ``created_to``.

        ``crm.lead.list`` with ``select`` = ``LEAD_FIELDS`` (the ``UTM_*``, ``PHONE`` and
        ``EMAIL`` fields come only when named), ``filter`` ``>=DATE_CREATE``
        ``<created_from>T00:00:00`` and ``<=DATE_CREATE`` ``<created_to>T23:59:59`` (no offset:
        [INFERRED] read in the portal's time zone), ordered by ID, 50 per page by
        ``start``/``next``; each lead once. Rows: see ``parse_leads``. Errors and retries as
        ``invoices`` (503 ``QUERY_LIMIT_EXCEEDED`` and 429 retried with backoff).
        """
        if created_to < created_from:
            raise ValueError(f"created_to {created_to} is before created_from {created_from}")
        body: dict[str, Any] = {
            "select": list(LEAD_FIELDS),
            "order": {"ID": "ASC"},
            "filter": {
                ">=DATE_CREATE": f"{created_from.isoformat()}T00:00:00",
                "<=DATE_CREATE": f"{created_to.isoformat()}T23:59:59",
            },
        }
        by_id: dict[object, dict[str, object]] = {}
        start = 0
        while True:
            rows, next_start = self._http.request(
                "POST", "crm.lead.list", json={**body, "start": start}, parse=_lead_page_parser(start)
            )
            for row in rows:
                by_id.pop(row["lead_id"], None)
                by_id[row["lead_id"]] = row
            if next_start is None:
                break
            if next_start <= start:
                raise ResponseFormatError(
                    VENDOR, f"crm.lead.list paging went backwards (start {start}, next {next_start})"
                )
            start = next_start
        numbered = [{**row, "_origin_line": i} for i, row in enumerate(by_id.values(), start=1)]
        return created_span_result(LEADS_KIND, numbered, (created_from, created_to))


# Stage ids are "DT31_<category>:<stage>"; the system stages are N (new), S (sent),
# P (paid: the success stage) and D (declined: the failure stage). [INFERRED] from Bitrix24's
# default smart-invoice pipeline; custom stages in between count as not paid.
PAID_STATUS = "Оплачен"
DECLINED_STATUS = "Отклонён"
UNPAID_STATUS = "Не оплачен"


def _payment_status(stage_id: str | None) -> str | None:
    if not stage_id:
        return None
    stage = stage_id.rsplit(":", 1)[-1].upper()
    if stage == "P":
        return PAID_STATUS
    if stage == "D":
        return DECLINED_STATUS
    return UNPAID_STATUS


def _day(value: object, field: str, *, required: bool) -> date | None:
    if value is None or value == "":
        if required:
            raise FormatError("the date is missing", field=field)
        return None
    if not isinstance(value, str) or len(value) < 10:
        raise FormatError(f"{shown(value)} is not a date", field=field)
    try:
        # Date or date-time with the portal's offset: the calendar date as the portal shows it.
        return parse_iso_date(value[:10])
    except ValueError as exc:
        raise FormatError(str(exc), field=field) from None


def _money(value: object, field: str) -> Decimal | None:
    if isinstance(value, float):
        value = str(value)
    try:
        return json_decimal(value)
    except ValueError as exc:
        raise FormatError(str(exc), field=field) from None


def _text(value: object, field: str) -> str | None:
    try:
        text = json_text(value)
    except ValueError as exc:
        raise FormatError(str(exc), field=field) from None
    if text is None:
        return None
    return text.strip() or None


def invoice_rows(
    items: Sequence[Mapping[str, Any]], inn_by_company_id: Mapping[str, str]
) -> list[dict[str, object]]:
    """Smart invoices -> rows of ``invoice_register_rows`` (minus client_id and lineage).

    accountNumber -> invoice_number, begindate -> issued_on, closedate -> due_on, opportunity ->
    amount (incl. VAT), taxValue -> vat_amount, currencyId -> currency, stageId ->
    payment_status (``Оплачен`` for ``…:P``, ``Отклонён`` for ``…:D``, else ``Не оплачен``;
    [INFERRED]); a paid invoice's ``movedTime`` (when it entered the paid stage) -> paid_on
    [INFERRED]. The ИНН is ``inn_by_company_id[str(companyId)]``. ``_origin_line`` is the
    1-based position in ``items``. An invoice without a number, issue date, amount or a
    company with a known ИНН raises ``FormatError`` naming it: the register is never loaded
    with invoices silently missing.
    """
    rows: list[dict[str, object]] = []
    for i, item in enumerate(items):
        path = f"items[{i}]"
        number = _text(item.get("accountNumber"), f"{path}.accountNumber")
        if number is None:
            raise FormatError(f"invoice id {item.get('id')} has no number", field=f"{path}.accountNumber")
        company = _text(item.get("companyId"), f"{path}.companyId")
        if company == "0":
            company = None  # Bitrix24's "no company"
        inn = inn_by_company_id.get(company) if company is not None else None
        if not inn:
            raise FormatError(
                f"invoice {number}: company {company or '(none)'} has no known ИНН",
                field=f"{path}.companyId",
            )
        amount = _money(item.get("opportunity"), f"{path}.opportunity")
        if amount is None:
            raise FormatError(f"invoice {number} has no amount", field=f"{path}.opportunity")
        status = _payment_status(_text(item.get("stageId"), f"{path}.stageId"))
        paid_on = _day(item.get("movedTime"), f"{path}.movedTime", required=False)
        rows.append(
            {
                "inn": inn,
                "invoice_number": number,
                "issued_on": _day(item.get("begindate"), f"{path}.begindate", required=True),
                "due_on": _day(item.get("closedate"), f"{path}.closedate", required=False),
                "counterparty": None,
                "amount_net": None,
                "vat_rate": None,
                "vat_amount": _money(item.get("taxValue"), f"{path}.taxValue"),
                "amount": amount,
                "paid_amount": None,
                "paid_on": paid_on if status == PAID_STATUS else None,
                "payment_status": status,
                "currency": _text(item.get("currencyId"), f"{path}.currencyId"),
                "_origin_line": i + 1,
            }
        )
    return rows
