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
