"""The client page's "PDF" and "Excel" buttons: the client's report for the period on screen,
rendered by ``reports`` when the button is clicked (Streamlit calls :func:`report_bytes` then).

No Streamlit here, so the rendering is tested like any function. The report is in the page's
language and carries the agency's branding from ``AGENCY_CONFIG``; without a readable
configuration it is rendered in the plain look rather than not at all.
"""

from __future__ import annotations

from dashboard.fmt import Lang
from dashboard.periods import Period
from reports import Branding, Format, ReportError, period_slug, render_report, setup_from_env
from reports.data import Serving

__all__ = ["file_name", "report_bytes"]


def file_name(client_id: str, period: Period, lang: Lang, kind: Format) -> str:
    """``alfa_2026-10_ru.pdf``: the name the report files have everywhere (``reports``)."""
    return f"{client_id}_{period_slug(period)}_{lang}.{kind}"


def _branding() -> Branding:
    try:
        return setup_from_env().branding
    except ReportError:
        return Branding()


def report_bytes(
    serving_db: Serving, client_id: str, period: Period, lang: Lang, kind: Format, *, who: str | None = None
) -> bytes:
    """The client's report for ``period`` as PDF or XLSX bytes; ``who`` (the viewer) is written to
    the access audit log as a report download."""
    report = render_report(serving_db, client_id, period, lang=lang, formats=(kind,), branding=_branding())
    if who is not None:
        _audit_download(who, client_id, period, kind, report.sha256(kind))
    return report.files[kind]


def _audit_download(who: str, client_id: str, period: Period, kind: Format, sha256: str) -> None:
    from dashboard.access import AccessStore
    from dashboard.access.audit import REPORT_DOWNLOADED

    detail = {"client": client_id, "period": period_slug(period), "format": kind, "sha256": sha256}
    AccessStore().audit.record(REPORT_DOWNLOADED, who, detail)
