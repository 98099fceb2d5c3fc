"""Yandex Metrika: a counter's goals (with the automatic-goal rule) and goal reaches as leads,
from the API, a saved API answer or a report saved from the interface."""

from connectors.yandex_metrika._client import (
    ATTRIBUTION_MODELS,
    AUTOMATIC_GOAL_TYPES,
    CALL_GOAL_TYPES,
    Goal,
    MetrikaClient,
    is_automatic,
    lead_goals,
)
from connectors.yandex_metrika._export import KIND as GOALS_EXPORT_KIND
from connectors.yandex_metrika._export import parse_goals_export
from connectors.yandex_metrika._report import goal_metric, parse_goal_report, parse_saved_goal_report

__all__ = [
    "ATTRIBUTION_MODELS",
    "AUTOMATIC_GOAL_TYPES",
    "CALL_GOAL_TYPES",
    "GOALS_EXPORT_KIND",
    "Goal",
    "MetrikaClient",
    "goal_metric",
    "is_automatic",
    "lead_goals",
    "parse_goal_report",
    "parse_goals_export",
    "parse_saved_goal_report",
]
