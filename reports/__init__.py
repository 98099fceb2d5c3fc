"""Client-ready reports: one client's results for a period as a PDF and an Excel workbook.

Plain Python (no Streamlit, no Dagster): it reads the published serving file read-only
(:mod:`reports.data`), words and formats everything the dashboard's way (``dashboard.fmt``,
``dashboard.i18n``, ``dashboard.tables``) and renders with ReportLab, matplotlib and openpyxl.

    >>> report = render_report(serving_db, "alfa", parse_period("2026-10"), lang="ru")
    >>> report.files["pdf"][:5], report.run_id, report.data_cutoff
    (b'%PDF-', 'run-...', datetime.date(2026, 11, 22))

:func:`build_reports` renders a batch into a folder with a manifest; ``python -m reports build``
is its command line (:mod:`reports.cli`). :func:`reports.dispatch.send_due_reports` sends the
reports due on a day through the readiness gate and the send log (``python -m reports send``);
it is imported from its module, so that the dashboard does not load the delivery layer.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reports.branding import Branding
    from reports.build import (
        FORMATS,
        MEDIA_TYPES,
        BatchResult,
        ClientFailure,
        Format,
        RenderedReport,
        WrittenFile,
        build_reports,
        render_client,
        render_report,
        select_clients,
    )
    from reports.configuration import AgencySetup, read_agency, setup_from_config, setup_from_env
    from reports.data import ClientInfo, ServingMeta, ServingReader
    from reports.errors import (
        PeriodError,
        ReportConfigError,
        ReportError,
        ServingNotFoundError,
        UnknownClientError,
    )
    from reports.periods import parse_period, period_slug, period_title
    from reports.readiness import Hold, Readiness, check_readiness

# What each name is imported from, on first use (PEP 562): the alert check after every refresh
# reads the serving file through `reports.data` and must not pay for ReportLab, matplotlib and
# openpyxl, which rendering needs.
_LAZY = {
    "Branding": "reports.branding",
    "FORMATS": "reports.build",
    "MEDIA_TYPES": "reports.build",
    "BatchResult": "reports.build",
    "ClientFailure": "reports.build",
    "Format": "reports.build",
    "RenderedReport": "reports.build",
    "WrittenFile": "reports.build",
    "build_reports": "reports.build",
    "render_client": "reports.build",
    "render_report": "reports.build",
    "select_clients": "reports.build",
    "AgencySetup": "reports.configuration",
    "read_agency": "reports.configuration",
    "setup_from_config": "reports.configuration",
    "setup_from_env": "reports.configuration",
    "ClientInfo": "reports.data",
    "ServingMeta": "reports.data",
    "ServingReader": "reports.data",
    "PeriodError": "reports.errors",
    "ReportConfigError": "reports.errors",
    "ReportError": "reports.errors",
    "ServingNotFoundError": "reports.errors",
    "UnknownClientError": "reports.errors",
    "parse_period": "reports.periods",
    "period_slug": "reports.periods",
    "period_title": "reports.periods",
    "Hold": "reports.readiness",
    "Readiness": "reports.readiness",
    "check_readiness": "reports.readiness",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'reports' has no attribute {name!r}")


__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "AgencySetup",
    "BatchResult",
    "Branding",
    "ClientFailure",
    "ClientInfo",
    "Format",
    "Hold",
    "PeriodError",
    "Readiness",
    "RenderedReport",
    "ReportConfigError",
    "ReportError",
    "ServingMeta",
    "ServingNotFoundError",
    "ServingReader",
    "UnknownClientError",
    "WrittenFile",
    "build_reports",
    "check_readiness",
    "parse_period",
    "period_slug",
    "period_title",
    "read_agency",
    "render_client",
    "render_report",
    "select_clients",
    "setup_from_config",
    "setup_from_env",
]
