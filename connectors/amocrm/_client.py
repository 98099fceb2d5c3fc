"""Client of the amoCRM API v4: the leads of one account and their contacts, read with a long-lived token.

Read in amoCRM's developer docs (leads-api, filters, "Ограничения"/Kommo "Limitations"):

- ``GET https://<subdomain>.amocrm.ru/api/v4/leads`` with ``page``, ``limit`` (at most 250),
  ``with`` (``contacts`` adds the linked contacts), ``filter`` and ``order`` (``created_at``,
  ``updated_at`` or ``id``; ``asc``/``desc``); 401 means "not authorised";
- range filters ``filter[created_at][from]=<unix>&filter[created_at][to]=<unix>`` and the
  same for ``updated_at``;
- a long-lived token (1 day to 5 years) is sent as ``Authorization: Bearer <token>``;
- at most 7 requests per second; suspicious or runaway use gets the IP restricted.

Inferred, not read: the limit is answered with HTTP 429 (retried here with backoff or
``Retry-After``) and an IP block with HTTP 403 (never retried: retrying prolongs the block);
an unpaid account answers 402; error bodies are RFC 7807 ``{"title", "detail", "status"}``.
The lead list envelope, 204-when-empty and the UTM field codes: see ``_leads``; the contact
list and its phone/e-mail fields: see ``_contacts``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import httpx

from connectors._json import load_json
from connectors._result import ParseResult, created_span_result
from connectors.amocrm._contacts import Contact, contact_of, read_contact_page
from connectors.amocrm._leads import KIND, lead_row, read_page
from connectors.errors import FormatError
from connectors.http import (
    DEFAULT_TIMEOUT,
    AccessDeniedError,
    ApiError,
    AuthError,
    HttpClient,
    RateLimiter,
    RetryPolicy,
    VendorClient,
    classify_status,
)

__all__ = ["PAGE_LIMIT", "REQUESTS_PER_SECOND", "VENDOR", "AmoCrmClient"]

VENDOR = "amocrm"
PAGE_LIMIT = 250
"""Largest ``limit`` of an amoCRM v4 list."""
REQUESTS_PER_SECOND = 7
"""amoCRM's documented ceiling per integration."""

_AUTH_HINT = (
    "the long-lived token is invalid, expired or revoked: issue a new one in the integration's settings"
)
_BLOCK_HINT = (
    "amoCRM refuses this token or IP (the user lacks rights, or the IP was blocked for too many "
    "requests): wait before trying again and check the integration's access"
)
_PAYMENT_HINT = "the amoCRM account's subscription is not paid"


def _base_url(subdomain_or_base_url: str) -> str:
    value = subdomain_or_base_url.strip().rstrip("/")
    if not value:
        raise ValueError("an amoCRM subdomain or base URL is required")
    if "://" in value:
        return value
    if "." in value:
        return f"https://{value}"
    return f"https://{value}.amocrm.ru"


def _problem_message(response: httpx.Response) -> str | None:
    try:
        body = load_json(response.content)
    except FormatError:
        body = None
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("title", "detail", "hint") if body.get(k) not in (None, "")]
        if parts:
            return ": ".join(parts)
    text = response.text.strip()
    return text[:500] or response.reason_phrase or None


def _classify(response: httpx.Response) -> ApiError | None:
    status = response.status_code
    if status < 400:
        return None
    common: dict[str, Any] = {"status": status}
    message = _problem_message(response)
    if status == 401:
        return AuthError(VENDOR, message, hint=_AUTH_HINT, **common)
    if status == 403:
        return AccessDeniedError(VENDOR, message, hint=_BLOCK_HINT, **common)
    if status == 402:
        return AccessDeniedError(VENDOR, message, hint=_PAYMENT_HINT, **common)
    error = classify_status(VENDOR, response)
    if error is not None and message:
        error.vendor_message = message
        error.args = (message,)
    return error


def _page_parser(page: int) -> Callable[[httpx.Response], tuple[list[dict[str, object]], bool]]:
    def parse(response: httpx.Response) -> tuple[list[dict[str, object]], bool]:
        leads, has_next = read_page(response.content)
        path = f"page {page}: _embedded.leads"
        return [lead_row(record, f"{path}[{i}]", i + 1) for i, record in enumerate(leads)], has_next

    return parse


def _contact_page_parser(page: int) -> Callable[[httpx.Response], tuple[list[Contact], bool]]:
    def parse(response: httpx.Response) -> tuple[list[Contact], bool]:
        contacts, has_next = read_contact_page(response.content)
        path = f"page {page}: _embedded.contacts"
        return [contact_of(record, f"{path}[{i}]") for i, record in enumerate(contacts)], has_next

    return parse


def _unix(day: date, zone: tzinfo) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())


class AmoCrmClient(VendorClient):
    """Reads the leads of one amoCRM account.

    ``subdomain_or_base_url`` is ``"agency"`` (-> ``https://agency.amocrm.ru``), a host
    (``"agency.kommo.com"``) or a full base URL. ``token`` is a long-lived token; it never
    appears in errors, logs or ``repr``. Requests are spaced to 7 per second per client unless
    a shared ``rate_limiter`` is given; ``transport``, ``sleep`` and ``clock`` are for tests.
    """

    def __init__(
        self,
        subdomain_or_base_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not token:
            raise ValueError("an amoCRM long-lived token is required")
        self.base_url = _base_url(subdomain_or_base_url)
        self._http = HttpClient(
            VENDOR,
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/hal+json"},
            timeout=timeout,
            transport=transport,
            rate_limiter=rate_limiter or RateLimiter(REQUESTS_PER_SECOND, 1.0, clock=clock, sleep=sleep),
            retry=retry,
            classify=_classify,
            secrets=[token],
            sleep=sleep,
        )

    def leads(
        self,
        created_from: date,
        created_to: date,
        *,
        updated_since: datetime | None = None,
        tz: tzinfo = UTC,
        contacts: bool = True,
    ) -> ParseResult:
        """Every lead created from the start of ``created_from`` to the end of ``created_to``.

        Days are cut in ``tz`` (UTC unless told; pass the account's zone, e.g.
        ``ZoneInfo("Europe/Moscow")``, for the account's own days). With ``updated_since`` the
        filter is instead ``updated_at >= updated_since`` (an incremental pull: leads created
        earlier but changed since are included; a naive ``updated_since`` is UTC), and the
        result's period is the span of the rows' creation dates. Pages of 250, ``with=contacts``,
        ordered by id, until a page has no ``_links.next`` (or the reply is 204); each lead
        once (the last copy read). Rows: see ``parse_leads``; with ``contacts`` (the default)
        ``contact_phone``/``contact_email`` are then filled from :meth:`contacts` for the rows'
        ``contact_id`` (None for a lead without a contact, or whose contact has no phone or
        e-mail, or was deleted since).

        Raises ``AuthError`` (401: token invalid or expired, never retried),
        ``AccessDeniedError`` (403: no rights or IP blocked; 402: unpaid account),
        ``RateLimitError``/``ServerError``/``NetworkError`` once retries are spent and
        ``ResponseFormatError`` for a body that is not a lead list.
        """
        if created_to < created_from:
            raise ValueError(f"created_to {created_to} is before created_from {created_from}")
        params: dict[str, str] = {"limit": str(PAGE_LIMIT), "with": "contacts", "order[id]": "asc"}
        if updated_since is None:
            params["filter[created_at][from]"] = str(_unix(created_from, tz))
            params["filter[created_at][to]"] = str(_unix(created_to + timedelta(days=1), tz) - 1)
        else:
            since = updated_since if updated_since.tzinfo else updated_since.replace(tzinfo=UTC)
            params["filter[updated_at][from]"] = str(int(since.timestamp()))
        by_id: dict[object, dict[str, object]] = {}
        page = 1
        while True:
            rows, has_next = self._http.request(
                "GET", "/api/v4/leads", params={**params, "page": str(page)}, parse=_page_parser(page)
            )
            for row in rows:
                by_id.pop(row["lead_id"], None)
                by_id[row["lead_id"]] = row
            if not has_next or not rows:
                break
            page += 1
        if contacts:
            found = self.contacts(
                row["contact_id"] for row in by_id.values() if isinstance(row["contact_id"], int)
            )
            for row in by_id.values():
                contact = found.get(row["contact_id"]) if isinstance(row["contact_id"], int) else None
                row["contact_phone"] = contact.phone if contact else None
                row["contact_email"] = contact.email if contact else None
        numbered = [{**row, "_origin_line": i} for i, row in enumerate(by_id.values(), start=1)]
        period = (created_from, created_to) if updated_since is None else None
        return created_span_result(KIND, numbered, period)

    def contacts(self, ids: Iterable[int]) -> dict[int, Contact]:
        """The first phone and e-mail of each contact in ``ids``, by contact id.

        ``GET /api/v4/contacts`` with ``filter[id][]`` repeated for at most 250 ids a request
        (``limit=250``), paged while ``_links.next`` is present; 204 means none of them. A
        contact that does not come back (deleted, or out of the token's rights) is missing
        from the result. Raises the errors :meth:`leads` raises.
        """
        wanted = list(dict.fromkeys(int(contact_id) for contact_id in ids))
        found: dict[int, Contact] = {}
        for start in range(0, len(wanted), PAGE_LIMIT):
            chunk = wanted[start : start + PAGE_LIMIT]
            asked = set(chunk)
            params = [("filter[id][]", str(contact_id)) for contact_id in chunk]
            page = 1
            while True:
                page_params = [*params, ("limit", str(PAGE_LIMIT)), ("page", str(page))]
                contacts, has_next = self._http.request(
                    "GET", "/api/v4/contacts", params=page_params, parse=_contact_page_parser(page)
                )
                found.update((c.id, c) for c in contacts if c.id in asked)
                if not has_next or not contacts:
                    break
                page += 1
        return found
