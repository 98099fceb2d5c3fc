"""Calltouch: the calls diary ("журнал звонков") and the requests journal ("журнал заявок")."""

from connectors.calltouch._calls import format_calltouch_date, parse_calls
from connectors.calltouch._client import CalltouchClient
from connectors.calltouch._requests import KIND as REQUESTS_KIND
from connectors.calltouch._requests import format_requests_date, parse_requests

__all__ = [
    "REQUESTS_KIND",
    "CalltouchClient",
    "format_calltouch_date",
    "format_requests_date",
    "parse_calls",
    "parse_requests",
]
