"""Alerts for the on-call morning: incidents opened and resolved once, told by e-mail and Telegram
through :mod:`delivery` (issue 21). Plain Python: no Dagster, no Streamlit."""

from alerts.check import CheckResult, run_check
from alerts.incidents import Incident, IncidentLog, Problem

__all__ = ["CheckResult", "Incident", "IncidentLog", "Problem", "run_check"]
