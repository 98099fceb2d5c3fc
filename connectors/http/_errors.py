"""The typed errors of a vendor API call; catch ``ApiError`` (or ``ConnectorError``) to catch them all.

::

    ConnectorError
    └── ApiError                  .vendor .status .vendor_code .vendor_message .request_id .retryable
        ├── AuthError             token invalid or expired: re-authorise, never retried
        ├── AccessDeniedError     the token may not read this account (e.g. not the agency's client)
        ├── QuotaError            points/units spent; retried only when the caller allows a wait
        │   └── RateLimitError    too many requests right now (HTTP 429, "try again in 10 s")
        ├── BadRequestError       the request is wrong; retrying will not help
        ├── ServerError           the vendor failed (HTTP 5xx, vendor "internal error" codes)
        ├── NetworkError          connection failed, timed out or was cut before the body ended
        └── ResponseFormatError   the body is truncated or not in the vendor's format
"""

from __future__ import annotations

from typing import Any, ClassVar

from connectors.errors import ConnectorError

__all__ = [
    "AccessDeniedError",
    "ApiError",
    "AuthError",
    "BadRequestError",
    "NetworkError",
    "QuotaError",
    "RateLimitError",
    "ResponseFormatError",
    "ServerError",
]


class ApiError(ConnectorError):
    """A vendor API call failed; the message carries the vendor's own words, never a token.

    ``status`` is the HTTP status (None when no response came), ``vendor_code`` and
    ``vendor_message`` the vendor's error code and text, ``request_id`` the vendor's id of the
    request (quote it to their support), ``hint`` what the user can do about it.
    ``retryable`` says whether trying the same request again may succeed; ``retry_after`` is
    the wait in seconds the vendor asked for (``Retry-After``, ``retryIn``), if any.
    """

    default_retryable: ClassVar[bool] = False

    def __init__(
        self,
        vendor: str,
        vendor_message: str | None = None,
        *,
        status: int | None = None,
        vendor_code: int | str | None = None,
        request_id: str | None = None,
        hint: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(vendor_message)
        self.vendor = vendor
        self.vendor_message = vendor_message
        self.status = status
        self.vendor_code = vendor_code
        self.request_id = request_id
        self.hint = hint
        self.retryable = self.default_retryable if retryable is None else retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        parts = [f"{self.vendor}:"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.vendor_code is not None:
            parts.append(f"error {self.vendor_code}")
        head = " ".join(parts)
        text = f"{head} {self.vendor_message}" if self.vendor_message else f"{head} {type(self).__name__}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        if self.hint:
            text += f". {self.hint}"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls: type[ApiError], state: dict[str, Any]) -> ApiError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("vendor_message"))
    error.__dict__.update(state)
    return error


class AuthError(ApiError):
    """The token is invalid, expired or revoked: get a new one; never retried."""


class AccessDeniedError(ApiError):
    """The token is valid but may not read this account or method."""


class QuotaError(ApiError):
    """The account's request points/units are spent for now."""


class RateLimitError(QuotaError):
    """Too many requests right now; retried after the wait the vendor asks for."""

    default_retryable = True


class BadRequestError(ApiError):
    """The vendor rejected the request itself (parameters, fields, dates)."""


class ServerError(ApiError):
    """The vendor's side failed; usually worth another try."""

    default_retryable = True


class NetworkError(ApiError):
    """No complete response: connection refused or reset, timeout, body cut short.

    ``maybe_delivered`` is true when a request that must not repeat (it sends a message) may
    have reached the vendor before the connection failed: it was not sent again."""

    default_retryable = True
    maybe_delivered: bool = False


class ResponseFormatError(ApiError):
    """The response body is truncated or not in the vendor's format."""

    default_retryable = True
