"""Calltouch: the calls diary ("журнал звонков") and the requests journal ("журнал заявок"),
from the API or saved from the cabinet."""

from connectors.calltouch._calls import format_calltouch_date, parse_calls
from connectors.calltouch._client import CalltouchClient
from connectors.calltouch._requests import KIND as REQUESTS_KIND
from connectors.calltouch._requests import format_requests_date, parse_requests
from connectors.calltouch._requests_export import KIND as REQUESTS_EXPORT_KIND
from connectors.calltouch._requests_export import parse_requests_export

__all__ = [
    "REQUESTS_EXPORT_KIND",
    "REQUESTS_KIND",
    "CalltouchClient",
    "format_calltouch_date",
    "format_requests_date",
    "parse_calls",
    "parse_requests",
    "parse_requests_export",
]
