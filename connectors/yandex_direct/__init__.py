"""Yandex Direct: the Reports service (API v5) TSV report body."""

from connectors.yandex_direct._report import DEFAULT_FIELD_NAMES, REQUIRED_FIELD_NAMES, parse_report_tsv

__all__ = ["DEFAULT_FIELD_NAMES", "REQUIRED_FIELD_NAMES", "parse_report_tsv"]
