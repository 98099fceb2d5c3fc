"""CoMagic / UIS Data API v2.0 (JSON-RPC 2.0): the ``get.calls_report`` client and its parser."""

from connectors.comagic._calls import parse_calls_report
from connectors.comagic._client import ComagicClient
from connectors.comagic._errors import ComagicApiError

__all__ = ["ComagicApiError", "ComagicClient", "parse_calls_report"]
