"""The HTTP layer every connector shares: timeouts, retries, a rate limit and typed errors.

Catch ``ApiError`` (or ``connectors.errors.ConnectorError``) for every failure of a vendor
call; the subclasses say what went wrong (see ``connectors.http._errors``). Tokens never
appear in error messages or logs.
"""

from connectors.http._client import (
    DEFAULT_TIMEOUT,
    Classifier,
    HttpClient,
    RetryPolicy,
    UploadFile,
    VendorWait,
    classify_status,
    parse_retry_after,
)
from connectors.http._errors import (
    AccessDeniedError,
    ApiError,
    AuthError,
    BadRequestError,
    NetworkError,
    QuotaError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
)
from connectors.http._ratelimit import RateLimiter
from connectors.http._redact import redact
from connectors.http._vendor import VendorClient

__all__ = [
    "DEFAULT_TIMEOUT",
    "AccessDeniedError",
    "ApiError",
    "AuthError",
    "BadRequestError",
    "Classifier",
    "HttpClient",
    "NetworkError",
    "QuotaError",
    "RateLimitError",
    "RateLimiter",
    "ResponseFormatError",
    "RetryPolicy",
    "ServerError",
    "UploadFile",
    "VendorClient",
    "VendorWait",
    "classify_status",
    "parse_retry_after",
    "redact",
]
