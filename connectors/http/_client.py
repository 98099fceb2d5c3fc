"""``HttpClient``: httpx with explicit timeouts, a rate limit, typed errors and tenacity retries."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx
import tenacity

from connectors.errors import FormatError
from connectors.http._errors import (
    AccessDeniedError,
    ApiError,
    AuthError,
    BadRequestError,
    NetworkError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
)
from connectors.http._ratelimit import RateLimiter
from connectors.http._redact import install_log_redaction, redact

__all__ = [
    "DEFAULT_TIMEOUT",
    "Classifier",
    "HttpClient",
    "RetryPolicy",
    "UploadFile",
    "VendorWait",
    "classify_status",
    "parse_retry_after",
]

log = logging.getLogger("connectors.http")
install_log_redaction("httpx", "connectors.http")

T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
"""Connect within 10 s; each read/write/pool wait up to 60 s (reports can be slow to stream)."""

Classifier = Callable[[httpx.Response], ApiError | None]
"""Turns a response into the error it means, or None when it is a success to parse."""

VendorWait = Callable[[ApiError], float | None]
"""The wait in seconds a vendor prescribes for an error (e.g. "retry in 10 s"), or None."""

_MESSAGE_LIMIT = 500

UploadFile = tuple[str, bytes, str]
"""A file of a multipart upload: (file name, content, MIME type)."""

_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
)
"""Failures that leave a request unread by the server (a partly written body is discarded)."""

_MAYBE_ARRIVED = "; it may have reached the server, so it is not sent again"


def _network_error(vendor: str, message: str, *, retryable: bool, unsure: bool) -> NetworkError:
    """A failed connection; when the request may have arrived (``unsure``) it is not retried."""
    if not unsure:
        return NetworkError(vendor, message, retryable=retryable)
    error = NetworkError(vendor, message + _MAYBE_ARRIVED, retryable=False)
    error.maybe_delivered = True
    return error


@dataclass(frozen=True)
class _Body:
    json: object
    content: bytes | None
    data: Mapping[str, str] | None
    files: Sequence[tuple[str, UploadFile]] | None
    idempotent: bool


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: at most ``max_attempts`` attempts and ``max_total_wait`` seconds of waiting.

    Waits are exponential (``backoff_initial`` doubling up to ``backoff_max``) plus up to
    ``jitter`` random seconds, unless the vendor names a wait (``Retry-After`` or a vendor
    hook); a named wait that would pass ``max_total_wait`` ends the retries at once. A
    truncated or unparsable body is tried at most ``max_format_attempts`` times.
    """

    max_attempts: int = 5
    max_total_wait: float = 300.0
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    jitter: float = 1.0
    max_format_attempts: int = 2


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or an HTTP date); None if absent/bad."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _body_message(response: httpx.Response) -> str | None:
    text = response.text.strip()
    if not text:
        return response.reason_phrase or None
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT] + "…"


def classify_status(vendor: str, response: httpx.Response) -> ApiError | None:
    """The generic mapping of an HTTP status to a typed error (None for 1xx-3xx)."""
    status = response.status_code
    if status < 400:
        return None
    message = _body_message(response)
    kwargs: dict[str, Any] = {"status": status}
    if status == 401:
        return AuthError(vendor, message, hint="check or renew the token", **kwargs)
    if status == 403:
        return AccessDeniedError(vendor, message, **kwargs)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimitError(vendor, message, retry_after=retry_after, **kwargs)
    if status == 408:
        return NetworkError(vendor, message, **kwargs)
    if status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return ServerError(vendor, message, retry_after=retry_after, **kwargs)
    return BadRequestError(vendor, message, **kwargs)


def _secrets_in(headers: Mapping[str, str]) -> list[str]:
    found = []
    for name, value in headers.items():
        if name.lower() in {"authorization", "x-api-key", "access-token"}:
            found.append(value)
            found.append(value.split(" ", 1)[-1])
    return found


class HttpClient:
    """One vendor's HTTP session: timeouts, a shared rate limit, typed errors and retries.

    ``request`` sends, classifies the response (``classify``, by default the HTTP status alone)
    and parses it with the caller's ``parse``; errors whose ``retryable`` is true (connection
    errors, timeouts, 429, 5xx, truncated bodies) are retried per ``retry``. Everything put in
    messages and logs has ``secrets``, the Authorization header and token parameters redacted.
    ``transport`` (e.g. ``httpx.MockTransport``) and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        vendor: str,
        *,
        base_url: str = "",
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        classify: Classifier | None = None,
        vendor_wait: VendorWait | None = None,
        secrets: Iterable[str] = (),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.vendor = vendor
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter
        self._classify = classify or (lambda response: classify_status(vendor, response))
        self._vendor_wait = vendor_wait
        self._sleep = sleep
        self._secrets = [s for s in (*secrets, *_secrets_in(headers or {})) if s]
        self._http = httpx.Client(
            base_url=base_url, headers=headers, timeout=timeout, transport=transport, follow_redirects=False
        )

    def __repr__(self) -> str:
        return f"HttpClient(vendor={self.vendor!r}, base_url={str(self._http.base_url)!r})"

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def redact(self, text: str) -> str:
        """``text`` with this client's secrets and any token-like parameter replaced by ``***``."""
        return redact(text, self._secrets)

    def request(
        self,
        method: str,
        url: str,
        *,
        parse: Callable[[httpx.Response], T],
        json: object = None,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        data: Mapping[str, str] | None = None,
        files: Sequence[tuple[str, UploadFile]] | None = None,
        idempotent: bool = True,
    ) -> T:
        """Send (with retries) and return ``parse(response)``; raises an ``ApiError`` subclass.

        ``params`` is a mapping, or a sequence of pairs for a name that repeats (``filter[id][]``).
        ``files`` (field name, (file name, bytes, MIME type)) with ``data`` send a
        ``multipart/form-data`` upload. A request that is not ``idempotent`` (it sends a message)
        is not tried again once it may have reached the vendor: a read timeout or a connection
        dropped before the reply fails at once, so nothing is sent twice; refused connections,
        429 and 5xx replies are still retried.
        """
        where = f"{method} {self.redact(url.split('?', 1)[0])}"
        format_failures = 0
        policy = self.retry
        body = _Body(json=json, content=content, data=data, files=files, idempotent=idempotent)

        def attempt() -> T:
            nonlocal format_failures
            try:
                return self._attempt(method, url, where, parse, params, headers, body)
            except ResponseFormatError as exc:
                format_failures += 1
                if format_failures >= policy.max_format_attempts:
                    exc.retryable = False
                raise

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(lambda exc: isinstance(exc, ApiError) and exc.retryable),
            stop=(
                tenacity.stop_after_attempt(policy.max_attempts)
                | _stop_when_waits_exceed(policy.max_total_wait)
            ),
            wait=self._wait_strategy(),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(where, state),
            reraise=True,
        )
        return retrying(attempt)

    def _attempt(
        self,
        method: str,
        url: str,
        where: str,
        parse: Callable[[httpx.Response], T],
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None,
        headers: Mapping[str, str] | None,
        body: _Body,
    ) -> T:
        if self.rate_limiter is not None:
            self.rate_limiter.acquire()
        query = params if params is None or isinstance(params, Mapping) else httpx.QueryParams(list(params))
        try:
            response = self._http.request(
                method,
                url,
                json=body.json,
                params=query,
                headers=headers,
                content=body.content,
                data=body.data,
                files=list(body.files) if body.files is not None else None,
            )
        except httpx.TimeoutException as exc:
            unsure = not body.idempotent and not isinstance(exc, _NOT_SENT)
            message = f"{where} timed out ({type(exc).__name__})"
            raise _network_error(self.vendor, message, retryable=True, unsure=unsure) from None
        except httpx.DecodingError as exc:
            message = f"{where}: the body could not be decoded: {self.redact(str(exc))}"
            raise ResponseFormatError(self.vendor, message) from None
        except httpx.RequestError as exc:
            detail = self.redact(str(exc)) or type(exc).__name__
            retryable = isinstance(exc, httpx.TransportError)
            unsure = retryable and not body.idempotent and not isinstance(exc, _NOT_SENT)
            message = f"{where} failed: {detail}"
            raise _network_error(self.vendor, message, retryable=retryable, unsure=unsure) from None
        request_id = _request_id(response)
        error = self._classify(response)
        if error is not None:
            if error.request_id is None:
                error.request_id = request_id
            raise self._clean(error)
        try:
            return parse(response)
        except ApiError as exc:
            raise self._clean(exc) from None
        except FormatError as exc:
            message = f"{where}: {self.redact(str(exc))}"
            raise ResponseFormatError(
                self.vendor, message, status=response.status_code, request_id=request_id
            ) from None

    def _clean(self, error: ApiError) -> ApiError:
        if error.vendor_message:
            error.vendor_message = self.redact(error.vendor_message)
            error.args = (error.vendor_message,)
        if error.hint:
            error.hint = self.redact(error.hint)
        return error

    def _wait_strategy(self) -> Callable[[tenacity.RetryCallState], float]:
        policy = self.retry
        backoff = tenacity.wait_exponential_jitter(
            initial=policy.backoff_initial, max=policy.backoff_max, jitter=policy.jitter
        )

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome is not None else None
            if isinstance(exc, ApiError):
                named = self._vendor_wait(exc) if self._vendor_wait is not None else None
                if named is None:
                    named = exc.retry_after
                if named is not None:
                    return max(0.0, named)
            return float(backoff(state))

        return wait

    def _log_retry(self, where: str, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        log.warning(
            "%s: attempt %d failed (%s); retrying in %.1f s",
            where,
            state.attempt_number,
            self.redact(str(exc)),
            state.upcoming_sleep,
        )


def _request_id(response: httpx.Response) -> str | None:
    for name in ("RequestId", "X-Request-Id", "Request-Id"):
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None


def _stop_when_waits_exceed(max_total_wait: float) -> tenacity.stop.stop_base:
    class _StopOnTotalWait(tenacity.stop.stop_base):
        def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
            return retry_state.idle_for + retry_state.upcoming_sleep > max_total_wait

    return _StopOnTotalWait()
