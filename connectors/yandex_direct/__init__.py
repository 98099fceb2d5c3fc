"""Yandex Direct: the Reports service (API v5) client and its TSV report parser; the shared
account balances (Live 4 ``AccountManagement``)."""

from connectors.yandex_direct._balance import AccountBalance, Balances, DirectBalanceClient
from connectors.yandex_direct._client import DirectReportsClient, ReportLevel, ReportNotReadyError
from connectors.yandex_direct._report import DEFAULT_FIELD_NAMES, REQUIRED_FIELD_NAMES, parse_report_tsv

__all__ = [
    "DEFAULT_FIELD_NAMES",
    "REQUIRED_FIELD_NAMES",
    "AccountBalance",
    "Balances",
    "DirectBalanceClient",
    "DirectReportsClient",
    "ReportLevel",
    "ReportNotReadyError",
    "parse_report_tsv",
]
