"""Plotly figure builders: pure functions DataFrame -> ``go.Figure``.

Labels come from :mod:`dashboard.i18n`; numbers on axes and in hovers use the language's
separators (Russian: NBSP thousands, decimal comma) via the layout's ``separators``; money is
hovered as ``1 234 567,89 ₽`` (``₽1,234,567.89`` in English).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.fmt import Lang
from dashboard.i18n import t

__all__ = ["daily_trend", "portfolio_monthly"]

SPEND_COLOR = "#4C78A8"
PLAN_COLOR = "#9DB9D9"
LEADS_COLOR = "#F58518"

_RU_MONTHS = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(month: dt.date, lang: Lang) -> str:
    """``ноя 2026`` / ``Nov 2026``."""
    names = _EN_MONTHS if lang == "en" else _RU_MONTHS
    return f"{names[month.month - 1]} {month.year}"


def _money_hover(lang: Lang) -> str:
    return "₽%{y:,.2f}" if lang == "en" else "%{y:,.2f}\u00a0₽"


def _layout(
    fig: go.Figure, lang: Lang, title: str, y_title: str, y2_title: str, counts_max: float
) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        separators=".," if lang == "en" else ",\u00a0",
        hovermode="x unified",
        barmode="group",
        bargap=0.25,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1},
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        height=380,
        yaxis={"title": {"text": y_title}, "tickformat": ",.0f", "rangemode": "tozero"},
        yaxis2={
            "title": {"text": y2_title},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "tickmode": "linear",
            "tick0": 0,
            "dtick": _count_step(counts_max),
            "tickformat": ",d",
        },
    )
    return fig


def _count_step(largest: float) -> float:
    """A whole-number tick step giving about five ticks up to ``largest`` (counts have no fractions)."""
    raw = max(largest, 1.0) / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return float(max(factor * magnitude, 1))
    return float(10 * magnitude)


def _max(values: pd.Series) -> float:
    numbers = [v for v in _float(values) if v is not None]
    return max(numbers, default=0.0)


def _float(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def daily_trend(daily: pd.DataFrame, lang: Lang) -> go.Figure:
    """Spend per day as bars (left axis) and leads as a line (right axis).

    ``daily`` needs columns date, spend, leads (one row per day, see data.daily_results).
    """
    dates = [pd.Timestamp(d).date() for d in daily["date"]]
    fig = go.Figure()
    fig.add_bar(
        x=dates,
        y=_float(daily["spend"]),
        name=t("series_spend", lang),
        marker_color=SPEND_COLOR,
        hovertemplate=_money_hover(lang) + "<extra>" + t("series_spend", lang) + "</extra>",
    )
    fig.add_scatter(
        x=dates,
        y=_float(daily["leads"]),
        name=t("series_leads", lang),
        yaxis="y2",
        mode="lines+markers",
        line={"color": LEADS_COLOR, "width": 2},
        marker={"size": 5},
        hovertemplate="%{y:,d}<extra>" + t("series_leads", lang) + "</extra>",
    )
    _layout(
        fig, lang, t("trend_title", lang), t("axis_spend", lang), t("axis_leads", lang), _max(daily["leads"])
    )
    fig.update_xaxes(
        title={"text": ""}, tickformat="%d.%m" if lang == "ru" else "%d %b", hoverformat="%d.%m.%Y"
    )
    return fig


def portfolio_monthly(monthly: pd.DataFrame, lang: Lang) -> go.Figure:
    """Monthly spend (bars) against the budget plan, and leads (line) against the leads plan.

    ``monthly`` needs columns month, spend, plan_budget, leads, plan_leads (see
    data.portfolio_monthly). Months are categories labelled ``ноя 2026``.
    """
    months: Sequence[dt.date] = [pd.Timestamp(m).date() for m in monthly["month"]]
    x = [month_label(m, lang) for m in months]
    fig = go.Figure()
    fig.add_bar(
        x=x,
        y=_float(monthly["spend"]),
        name=t("series_spend", lang),
        marker_color=SPEND_COLOR,
        hovertemplate=_money_hover(lang) + "<extra>" + t("series_spend", lang) + "</extra>",
    )
    if monthly["plan_budget"].notna().any():
        fig.add_bar(
            x=x,
            y=_float(monthly["plan_budget"]),
            name=t("series_plan_budget", lang),
            marker_color=PLAN_COLOR,
            hovertemplate=_money_hover(lang) + "<extra>" + t("series_plan_budget", lang) + "</extra>",
        )
    fig.add_scatter(
        x=x,
        y=_float(monthly["leads"]),
        name=t("series_leads", lang),
        yaxis="y2",
        mode="lines+markers",
        line={"color": LEADS_COLOR, "width": 3},
        marker={"size": 8},
        hovertemplate="%{y:,d}<extra>" + t("series_leads", lang) + "</extra>",
    )
    if monthly["plan_leads"].notna().any():
        fig.add_scatter(
            x=x,
            y=_float(monthly["plan_leads"]),
            name=t("series_plan_leads", lang),
            yaxis="y2",
            mode="lines",
            line={"color": LEADS_COLOR, "width": 2, "dash": "dot"},
            hovertemplate="%{y:,d}<extra>" + t("series_plan_leads", lang) + "</extra>",
        )
    counts_max = max(_max(monthly["leads"]), _max(monthly["plan_leads"]))
    _layout(
        fig, lang, t("portfolio_chart_title", lang), t("axis_spend", lang), t("axis_leads", lang), counts_max
    )
    fig.update_xaxes(title={"text": ""}, type="category")
    return fig
