"""Calltouch: the calls diary ("журнал звонков")."""

from connectors.calltouch._calls import format_calltouch_date, parse_calls

__all__ = ["format_calltouch_date", "parse_calls"]
