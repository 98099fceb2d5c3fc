"""Calltouch: the calls diary ("журнал звонков") client and its parser."""

from connectors.calltouch._calls import format_calltouch_date, parse_calls
from connectors.calltouch._client import CalltouchClient

__all__ = ["CalltouchClient", "format_calltouch_date", "parse_calls"]
