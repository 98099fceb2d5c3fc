"""The report's chart, drawn with matplotlib into a PNG at print resolution.

matplotlib's object API is used (``Figure`` + the Agg canvas), never ``pyplot``: no global state,
so reports can be drawn from a Streamlit thread or a batch. Text is in DejaVu Sans, the font
matplotlib ships and the PDF embeds, and numbers follow :mod:`dashboard.fmt`.
"""

from __future__ import annotations

import io
import math
from typing import Final

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from dashboard import fmt
from dashboard.fmt import Lang
from dashboard.i18n import t

__all__ = ["DPI", "LEADS_COLOR", "daily_trend_png"]

DPI: Final = 300
"""Print resolution of the charts."""
LEADS_COLOR: Final = "#E8711A"
_GRID: Final = "#D9DDE3"
_TEXT: Final = "#333333"
_MM: Final = 1 / 25.4


def _tick_days(count: int) -> int:
    """Label every n-th day so that about a dozen labels fit."""
    return max(1, math.ceil(count / 12))


def daily_trend_png(
    daily: pd.DataFrame, lang: Lang, color: str, *, width_mm: float = 178, height_mm: float = 72
) -> bytes:
    """Spend per day as bars (left axis) and leads as a line (right axis), as PNG bytes.

    ``daily``: columns date, spend, leads, one row per day (:meth:`ServingReader.daily_results`).
    """
    dates = [pd.Timestamp(d).date() for d in daily["date"]]
    spend = [float(v) for v in daily["spend"]]
    leads = [float(v) for v in daily["leads"]]
    positions = list(range(len(dates)))

    figure = Figure(figsize=(width_mm * _MM, height_mm * _MM), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.set_layout_engine("constrained")
    money_axis = figure.add_subplot()
    money_axis.bar(positions, spend, color=color, width=0.72, label=t("series_spend", lang), zorder=2)
    money_axis.set_ylabel(t("axis_spend", lang), color=_TEXT, fontsize=7)
    money_axis.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v, lang)))
    money_axis.yaxis.set_major_locator(MaxNLocator(5))
    money_axis.set_ylim(bottom=0, top=max([*spend, 1.0]) * 1.12)
    money_axis.grid(axis="y", color=_GRID, linewidth=0.5, zorder=0)

    leads_axis = money_axis.twinx()
    leads_axis.plot(
        positions,
        leads,
        color=LEADS_COLOR,
        linewidth=1.4,
        marker="o",
        markersize=2.2,
        label=t("series_leads", lang),
    )
    leads_axis.set_ylabel(t("axis_leads", lang), color=_TEXT, fontsize=7)
    leads_axis.yaxis.set_major_locator(MaxNLocator(5, integer=True))
    leads_axis.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.integer(v, lang)))
    leads_axis.set_ylim(bottom=0, top=max([*leads, 1.0]) * 1.25)

    step = _tick_days(len(dates))
    money_axis.set_xticks(positions[::step])
    labels = [f"{d:%d.%m}" if lang == "ru" else f"{d.day} {d:%b}" for d in dates[::step]]
    money_axis.set_xticklabels(labels)
    money_axis.set_xlim(-0.6, len(dates) - 0.4)
    for axis in (money_axis, leads_axis):
        axis.tick_params(labelsize=6.5, colors=_TEXT, length=0)
        for side in ("top", "right", "left"):
            axis.spines[side].set_visible(False)
        axis.spines["bottom"].set_color(_GRID)
    handles = money_axis.get_legend_handles_labels()[0] + leads_axis.get_legend_handles_labels()[0]
    money_axis.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0, 1.1), ncols=2, frameon=False, fontsize=7
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
