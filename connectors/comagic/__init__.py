"""CoMagic / UIS Data API v2.0 (JSON-RPC 2.0): ``get.calls_report``."""

from connectors.comagic._calls import parse_calls_report
from connectors.comagic._errors import ComagicApiError

__all__ = ["ComagicApiError", "parse_calls_report"]
