"""The shared account ("общий счёт") balance of advertisers, from the Live 4 JSON API.

API v5 has no method for the balance: it is ``AccountManagement`` with ``"Action": "Get"`` of
the Live 4 API (``POST https://api.direct.yandex.ru/live/v4/json/``), the token in the body.
An agency must name the advertisers (``SelectionCriteria.Logins``, at most 50 per request); the
answer is ``data.Accounts[]`` (``AccountID``, ``Login``, ``Amount``, ``Currency``, ...) and, for
logins it could not answer (no shared account, not this agency's client),
``data.ActionsResult[]`` with ``Errors[]`` (``FaultCode``, ``FaultString``, ``FaultDetail``).

A request that fails as a whole is HTTP 200 with ``error_code``, ``error_str`` and
``error_detail`` at the top level (53: the token is invalid). ``Amount`` is in the account's own
currency (``Currency``: RUB, KZT, USD, ...); whether it includes VAT the reference does not say.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from connectors.http import (
    DEFAULT_TIMEOUT,
    AccessDeniedError,
    ApiError,
    AuthError,
    BadRequestError,
    HttpClient,
    QuotaError,
    RateLimiter,
    ResponseFormatError,
    RetryPolicy,
    ServerError,
    VendorClient,
    classify_status,
)
from connectors.yandex_direct._client import VENDOR

__all__ = ["LIVE_URL", "MAX_LOGINS", "AccountBalance", "Balances", "DirectBalanceClient"]

LIVE_URL = "https://api.direct.yandex.ru/live/v4/json/"
MAX_LOGINS = 50
"""Most advertiser logins in one ``AccountManagement`` request (the reference's limit for agencies)."""

_AUTH_CODES = {53}
_ACCESS_CODES = {54, 58}
_UNITS_CODES = {152}
_SERVER_CODES = {52, 500, 503, 510, 1000, 1001, 1002}


@dataclass(frozen=True)
class AccountBalance:
    """One shared account as Direct reports it."""

    login: str
    account_id: str
    """``AccountID`` of the shared account."""
    amount: Decimal
    """``Amount``: the money left, in ``currency``, to two decimals."""
    currency: str


@dataclass(frozen=True)
class Balances:
    accounts: tuple[AccountBalance, ...]
    failures: dict[str, str] = field(default_factory=dict)
    """Per login Direct could not answer for: its ``FaultString: FaultDetail`` (code in brackets)."""


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _amount(value: object, login: str) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        message = f"shared account of {login}: Amount {value!r} is not a number"
        raise ResponseFormatError(VENDOR, message) from None


def _fault(errors: object) -> str:
    if not isinstance(errors, list) or not errors:
        return "no shared account returned"
    parts = []
    for error in errors:
        if not isinstance(error, dict):
            continue
        text = str(error.get("FaultString") or "").strip()
        detail = str(error.get("FaultDetail") or "").strip()
        message = f"{text}: {detail}" if text and detail else (text or detail or "error")
        parts.append(f"{message} [{error.get('FaultCode')}]")
    return "; ".join(parts) or "no shared account returned"


class DirectBalanceClient(VendorClient):
    """Reads the shared account balances of an agency's advertisers (``balances``).

    ``transport`` replaces the network in tests (``httpx.MockTransport``), ``sleep``/``clock``
    real waiting. Errors are the connectors' typed ``ApiError`` subclasses, retried like the
    Reports client's (server errors and timeouts; never a bad token).
    """

    def __init__(
        self,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        base_url: str = LIVE_URL,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not token:
            raise ValueError("a Yandex.Direct OAuth token is required")
        self.base_url = base_url
        self._token = token
        self._http = HttpClient(
            VENDOR,
            base_url=base_url,
            headers={"Accept-Language": "ru"},
            timeout=timeout,
            transport=transport,
            rate_limiter=RateLimiter(20, 10.0, clock=clock, sleep=sleep),
            retry=retry,
            classify=_classify,
            secrets=[token],
            sleep=sleep,
        )

    def balances(self, logins: Iterable[str]) -> Balances:
        """The shared accounts of ``logins`` (asked 50 at a time); logins without one are in
        ``failures``. Raises ``AuthError`` (token invalid), ``AccessDeniedError``, ``QuotaError``,
        ``BadRequestError``, ``ServerError`` or ``ResponseFormatError`` for a request that failed
        as a whole."""
        wanted = list(dict.fromkeys(logins))
        accounts: list[AccountBalance] = []
        failures: dict[str, str] = {}
        for chunk in _chunks(wanted, MAX_LOGINS):
            body = {
                "method": "AccountManagement",
                "param": {"Action": "Get", "SelectionCriteria": {"Logins": chunk}},
                "locale": "ru",
                "token": self._token,
            }
            data = self._http.request("POST", "", json=body, parse=_data)
            found, faults = _parse(data)
            accounts += [a for a in found if a.login in chunk]
            failures.update(faults)
            answered = {a.login for a in found}
            for login in chunk:
                if login not in answered and login not in failures:
                    failures[login] = "no shared account returned"
        return Balances(tuple(accounts), failures)


def _data(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        raise ResponseFormatError(VENDOR, "the answer is not JSON") from None
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise ResponseFormatError(VENDOR, "the answer has no data object")
    return data


def _parse(data: dict[str, Any]) -> tuple[list[AccountBalance], dict[str, str]]:
    accounts = []
    for item in data.get("Accounts") or []:
        if not isinstance(item, dict) or not item.get("Login"):
            raise ResponseFormatError(VENDOR, "a shared account without Login")
        login = str(item["Login"])
        currency = str(item.get("Currency") or "").strip().upper()
        if not currency:
            raise ResponseFormatError(VENDOR, f"shared account of {login} has no Currency")
        accounts.append(
            AccountBalance(
                login=login,
                account_id=str(item.get("AccountID", "")),
                amount=_amount(item.get("Amount"), login),
                currency=currency,
            )
        )
    failures = {
        str(result["Login"]): _fault(result.get("Errors"))
        for result in data.get("ActionsResult") or []
        if isinstance(result, dict) and result.get("Login") and result.get("Errors")
    }
    return accounts, failures


def _classify(response: httpx.Response) -> ApiError | None:
    if response.status_code != 200:
        return classify_status(VENDOR, response)
    try:
        payload = response.json()
    except ValueError:
        return None  # the parser reports a body that is not JSON
    if not isinstance(payload, dict) or "error_code" not in payload:
        return None
    try:
        code: int | None = int(str(payload.get("error_code")))
    except ValueError:
        code = None
    text = str(payload.get("error_str") or "").strip()
    detail = str(payload.get("error_detail") or "").strip()
    message = f"{text}: {detail}" if text and detail else (text or detail or None)
    common: dict[str, Any] = {"status": response.status_code, "vendor_code": payload.get("error_code")}
    if code in _AUTH_CODES:
        hint = "the OAuth token is invalid or expired: issue a new one"
        return AuthError(VENDOR, message, hint=hint, **common)
    if code in _ACCESS_CODES:
        hint = "check that the logins are this agency's clients and the app is approved"
        return AccessDeniedError(VENDOR, message, hint=hint, **common)
    if code in _UNITS_CODES:
        hint = "the API units are spent; they recover within the hour"
        return QuotaError(VENDOR, message, hint=hint, **common)
    if code in _SERVER_CODES:
        return ServerError(VENDOR, message, **common)
    return BadRequestError(VENDOR, message, **common)
