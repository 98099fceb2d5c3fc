"""The agency's economics for the pages (issue 19): which month to show, the managers' table, and
tooltips worded from the metric passport.

The numbers come from the marts (``manager_economics_monthly``, ``manager_portfolio``,
``client_lifecycle_monthly``) through :mod:`dashboard.data`; nothing is recomputed here but
ratios of two published sums for the table (budget against plan; the revenue against its plan is
the mart's). No Streamlit here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Final

import pandas as pd

from dashboard import fmt
from dashboard.data import PublishMeta
from dashboard.fmt import Lang
from dashboard.i18n import t
from dashboard.periods import add_months, month_start

__all__ = [
    "MONEY_COLUMNS",
    "column_helps",
    "default_month",
    "has_month_to_date",
    "lifecycle_label",
    "manager_formats",
    "manager_table",
    "passport_help",
    "passport_table",
    "trend_months",
]

# column key -> (mart column, passport metric, money?)
_COLUMNS: Final[tuple[tuple[str, str, str, bool], ...]] = (
    ("col_active_clients", "active_clients", "active_clients", False),
    ("col_new_clients", "new_clients", "new_clients", False),
    ("col_returning_clients", "returning_clients", "returning_clients", False),
    ("col_churned_clients", "churned_clients", "churned_clients", False),
    ("col_churn_rate", "churn_rate", "churn_rate", False),
    ("col_budget_vs_plan", "budget_vs_plan", "budget_fulfilment", False),
    ("col_fee_revenue", "fee_invoiced_net", "fee_revenue", True),
    ("col_fee_plan", "fee_plan_net", "fee_plan", True),
    ("col_fee_vs_plan", "fee_plan_fulfilment", "fee_plan_fulfilment", True),
    ("col_fee_mom", "fee_mom_growth", "revenue_growth_mom", True),
    ("col_fee_yoy", "fee_yoy_growth", "revenue_growth_yoy", True),
    ("col_top3", "top3_share", "top3_share", True),
    ("col_hhi", "herfindahl_index", "herfindahl_index", True),
    ("col_overdue", "overdue", "overdue", True),
    ("col_dso", "dso_days", "dso", True),
)
MONEY_COLUMNS: Final = frozenset(key for key, _, _, money in _COLUMNS if money)
"""The agency's money (revenue, receivables): shown only to a viewer with ``View.money``."""


def has_month_to_date(meta: PublishMeta) -> bool:
    """Whether the month of ``as_of_date`` has at least one full day of data (not on the 1st)."""
    return meta.last_full_day >= month_start(meta.as_of_date)


def default_month(meta: PublishMeta) -> dt.date:
    """The month a page opens on: this month while it has data, else the last full month (on
    the first days of a month the month to date is empty and would show zeros everywhere)."""
    current = month_start(meta.as_of_date)
    return current if has_month_to_date(meta) else add_months(current, -1)


def trend_months(last: dt.date, months: int = 12) -> tuple[dt.date, dt.date]:
    """First days of the first and the last month of a ``months``-long trend ending at ``last``."""
    return add_months(month_start(last), -(months - 1)), month_start(last)


def passport_help(metric: str, passport: pd.DataFrame, lang: Lang) -> str:
    """A tooltip from the metric passport: the words, then the formula, VAT and unit as the
    published passport states them (so the tooltip says what the SQL computes)."""
    words = t(f"passport_{metric}", lang)
    rows = passport[passport["metric"] == metric] if not passport.empty else passport
    if rows.empty:
        return words
    row = rows.iloc[0]
    vat = {"net": t("vat_net", lang), "gross": t("vat_gross", lang)}.get(str(row["vat"]), "")
    parts = [words, f"`{row['formula']}`"]
    if vat:
        parts.append(vat)
    return " · ".join(parts)


def passport_table(passport: pd.DataFrame, lang: Lang, metrics: tuple[str, ...]) -> pd.DataFrame:
    """The passport rows of ``metrics``: name in words, formula, VAT, currency, grain."""
    rows = passport[passport["metric"].isin(metrics)]
    vat = {"net": t("vat_net", lang), "gross": t("vat_gross", lang)}
    return pd.DataFrame(
        {
            t("col_metric", lang): [t(f"passport_{m}", lang) for m in rows["metric"]],
            t("col_formula", lang): list(rows["formula"]),
            t("col_vat", lang): [vat.get(str(v), fmt.MISSING) for v in rows["vat"]],
            t("col_currency", lang): [fmt.MISSING if pd.isna(c) else str(c) for c in rows["currency"]],
        }
    )


def lifecycle_label(status: str, lang: Lang) -> str:
    return t(f"lifecycle_{status}", lang)


def manager_table(
    economics: pd.DataFrame,
    portfolio: pd.DataFrame,
    month: dt.date,
    managers: Mapping[str, str],
    lang: Lang,
    *,
    money: bool,
) -> pd.DataFrame:
    """One row per manager (by name), then the agency's row when present, for ``month``.

    ``economics``: :func:`data.manager_economics`; ``portfolio``: :func:`data.manager_portfolio`
    (budget against plan = spend / plan budget, both summed over the manager's clients)."""
    rows = economics[pd.to_datetime(economics["month"]).dt.date == month].copy()
    plans = portfolio[pd.to_datetime(portfolio["month"]).dt.date == month]
    spend = {
        str(m): (s, p)
        for m, s, p in zip(plans["manager_id"], plans["spend"], plans["plan_budget"], strict=True)
    }
    total_spend = sum(float(s or 0) for s, _ in spend.values())
    total_plan = sum(float(p) for _, p in spend.values() if p is not None and not pd.isna(p))

    def budget_vs_plan(scope: str, manager: Any) -> float | None:
        if scope == "agency":
            return total_spend / total_plan if total_plan else None
        s, p = spend.get(str(manager), (None, None))
        if s is None or p is None or pd.isna(p) or not float(p):
            return None
        return float(s) / float(p)

    rows["budget_vs_plan"] = [
        budget_vs_plan(s, m) for s, m in zip(rows["scope"], rows["manager_id"], strict=True)
    ]
    rows["_name"] = [
        t("agency_total", lang) if scope == "agency" else managers.get(str(m), str(m))
        for scope, m in zip(rows["scope"], rows["manager_id"], strict=True)
    ]
    rows["_order"] = (rows["scope"] == "agency").astype(int)
    rows = rows.sort_values(["_order", "_name"])
    columns: dict[str, Any] = {t("col_manager", lang): list(rows["_name"])}
    for key, column, _, is_money in _COLUMNS:
        if is_money and not money:
            continue
        columns[t(key, lang)] = pd.to_numeric(rows[column], errors="coerce").astype("float64").tolist()
    return pd.DataFrame(columns)


def manager_formats(lang: Lang) -> dict[str, Callable[[Any], str]]:
    integer: Callable[[Any], str] = lambda v: fmt.integer(v, lang)  # noqa: E731
    return {
        t("col_active_clients", lang): integer,
        t("col_new_clients", lang): integer,
        t("col_returning_clients", lang): integer,
        t("col_churned_clients", lang): integer,
        t("col_churn_rate", lang): lambda v: fmt.percent(v, lang, 0),
        t("col_budget_vs_plan", lang): lambda v: fmt.percent(v, lang, 0),
        t("col_fee_revenue", lang): lambda v: fmt.money(v, lang, 0),
        t("col_fee_plan", lang): lambda v: fmt.money(v, lang, 0),
        t("col_fee_vs_plan", lang): lambda v: fmt.percent(v, lang, 0),
        t("col_fee_mom", lang): lambda v: fmt.delta_percent(v, lang, 0),
        t("col_fee_yoy", lang): lambda v: fmt.delta_percent(v, lang, 0),
        t("col_top3", lang): lambda v: fmt.percent(v, lang, 0),
        t("col_hhi", lang): lambda v: fmt.number(v, lang, 2),
        t("col_overdue", lang): lambda v: fmt.money(v, lang, 0),
        t("col_dso", lang): lambda v: fmt.number(v, lang, 0),
    }


def column_helps(passport: pd.DataFrame, lang: Lang) -> dict[str, str]:
    """Column title -> tooltip from the passport, for the managers' table."""
    return {t(key, lang): passport_help(metric, passport, lang) for key, _, metric, _ in _COLUMNS}
