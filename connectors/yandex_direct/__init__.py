"""Yandex Direct: the Reports service (API v5) client and its TSV report parser."""

from connectors.yandex_direct._client import DirectReportsClient, ReportLevel, ReportNotReadyError
from connectors.yandex_direct._report import DEFAULT_FIELD_NAMES, REQUIRED_FIELD_NAMES, parse_report_tsv

__all__ = [
    "DEFAULT_FIELD_NAMES",
    "REQUIRED_FIELD_NAMES",
    "DirectReportsClient",
    "ReportLevel",
    "ReportNotReadyError",
    "parse_report_tsv",
]
