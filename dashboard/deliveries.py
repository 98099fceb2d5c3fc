"""The portfolio's "Client reports" section without Streamlit: where each report stands, its
words, and the manager's approval.

:func:`report_states` asks :func:`reports.status.report_states` for the viewer's clients (the
configuration ``AGENCY_CONFIG`` says who has recipients and review; the send log and the serving
file say the rest); :func:`states_table` words it in the page's language; :func:`approve`
records a manager's approval of a report as it is now (the content digest of the report in the
client's language, exactly what the send run renders), after checking the client is one the
viewer may see and the report is awaiting approval. The ``approved_reports`` Dagster sensor sends
it within minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from dashboard import fmt
from dashboard.fmt import Lang
from dashboard.i18n import hold_text, t
from reports.periods import period_title
from reports.status import Setup, load_setup

if TYPE_CHECKING:
    from delivery.send_log import Approval
    from reports.status import ReportState

__all__ = ["ApprovalRefused", "Setup", "approve", "details", "load_setup", "report_states", "states_table"]


class ApprovalRefused(Exception):
    """The report cannot be approved (not the viewer's client, not awaiting approval, ...)."""


def report_states(setup: Setup, clients: Sequence[str]) -> list[ReportState]:
    """The latest reports of the viewer's ``clients``, most urgent first."""
    from reports.status import report_states as states

    return states(setup.settings, setup.config, setup.today, clients)


def _when(value: dt.datetime, lang: Lang) -> str:
    return fmt.datetime_msk(value, lang)


def _approval_words(approval: Approval, key: str, lang: Lang) -> str:
    return t(key, lang, who=approval.who, when=_when(approval.at, lang))


def details(state: ReportState, lang: Lang) -> str:
    """Why the report is where it is, in words."""
    if state.state == "held":
        return "; ".join(
            hold_text(
                h.code,
                lang,
                source=h.source,
                account_id=h.account_id,
                covered_to=h.covered_to,
                settles_on=h.settles_on,
                error=h.error,
            )
            for h in state.holds
        )
    if state.state == "failed" and state.failure is not None:
        return f"{state.failure.key.recipient}: {state.failure.reason or ''}".strip()
    if state.state == "awaiting_review":
        if state.approval is not None:
            return _approval_words(state.approval, "report_detail_awaiting_changed", lang)
        return t("report_detail_awaiting", lang)
    if state.state == "approved" and state.approval is not None:
        return _approval_words(state.approval, "report_detail_approved", lang)
    if state.state == "due":
        return t("report_detail_due", lang)
    if state.state == "not_due":
        return t("report_detail_not_due", lang, day=fmt.date(state.due_on, lang))
    if state.sent:
        last = max(state.sent, key=lambda r: r.at)
        text = t(
            "report_detail_sent",
            lang,
            n=fmt.integer(len(state.sent), lang),
            total=fmt.integer(state.recipients, lang),
            when=_when(last.at, lang),
        )
        revision = max(r.revision for r in state.sent)
        return f"{text}; {t('report_detail_revision', lang, n=revision)}" if revision else text
    return ""


def states_table(states: Sequence[ReportState], lang: Lang) -> pd.DataFrame:
    """One row per report: client, period, state and details, in the page's language."""
    return pd.DataFrame(
        {
            t("col_client", lang): [s.client_name for s in states],
            t("col_report_period", lang): [period_title(s.period, lang) for s in states],
            t("col_report_state", lang): [t(f"report_state_{s.state}", lang) for s in states],
            t("col_report_details", lang): [details(s, lang) for s in states],
        }
    )


def approve(setup: Setup, client_id: str, period_name: str, *, allowed: Sequence[str], who: str) -> Approval:
    """Record ``who``'s approval of ``client_id``'s report for ``period_name`` as it is now.

    Refused (:class:`ApprovalRefused`) unless the client is in ``allowed`` (the viewer's) and the
    report is awaiting approval now (settled, due, reviewed, not sent)."""
    from delivery.send_log import SendLog
    from reports.build import FORMATS, report_digest
    from reports.data import serving_source

    if client_id not in allowed:
        raise ApprovalRefused(f"{client_id} is not one of the viewer's clients")
    waiting = [
        s
        for s in report_states(setup, [client_id])
        if s.period_name == period_name and s.state == "awaiting_review"
    ]
    if not waiting:
        raise ApprovalRefused(f"the report of {client_id} for {period_name} is not awaiting approval")
    client = setup.config.client(client_id)
    digest = report_digest(serving_source(setup.settings), client_id, waiting[0].period, lang=client.language)
    return SendLog(setup.settings.send_log).approve(client_id, period_name, FORMATS, digest, who=who)
