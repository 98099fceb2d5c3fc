"""Агентство: the agency head's page, every manager's portfolio side by side (issue 19).

Active clients, new, returning and churned ones, churn, budget against plan and, for a viewer
with the agency's money, the fee revenue against its plan and its growth, concentration, overdue
money and DSO;
a 12-month trend; the clients lost and won in the month; how each figure is computed (the
published metric passport). Everything comes from the marts through :mod:`dashboard.data`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts, data, economics, fmt, shell, tables, view
from dashboard.fmt import Lang
from dashboard.i18n import t
from dashboard.periods import month_start

_TREND_METRICS: tuple[tuple[str, str, bool], ...] = (
    # column key, mart column, money
    ("col_active_clients", "active_clients", False),
    ("col_churned_clients", "churned_clients", False),
    ("col_fee_revenue", "fee_invoiced_net", True),
    ("col_fee_vs_plan", "fee_plan_fulfilment", True),
    ("col_overdue", "overdue", True),
    ("col_dso", "dso_days", True),
)
_PASSPORT_METRICS = (
    "active_clients",
    "new_clients",
    "returning_clients",
    "churned_clients",
    "churn_rate",
    "budget_fulfilment",
    "fee_revenue",
    "fee_plan",
    "fee_plan_fulfilment",
    "revenue_growth_mom",
    "revenue_growth_yoy",
    "top3_share",
    "herfindahl_index",
    "overdue",
    "dso",
    "lifetime_months",
    "ltv",
)
_MONEY_PASSPORT = frozenset(
    {"fee_revenue", "fee_plan", "fee_plan_fulfilment", "revenue_growth_mom", "revenue_growth_yoy"}
    | {"top3_share", "herfindahl_index", "overdue", "dso", "ltv"}
)


def _month_label(month: dt.date, current: dt.date, lang: Lang) -> str:
    label = charts.month_label(month, lang)
    return t("agency_month_partial", lang, month=label) if month == current else label


def _pick_month(months: list[dt.date], v: view.View) -> dt.date:
    current = month_start(v.meta.as_of_date)
    default = economics.default_month(v.meta)
    if default not in months:
        default = months[-1]
    options = [m.isoformat() for m in reversed(months)]
    view.seed_widget("agency_month", "month", options, default.isoformat())
    chosen = st.selectbox(
        t("agency_month", v.lang),
        options,
        key="agency_month",
        format_func=lambda m: _month_label(dt.date.fromisoformat(m), current, v.lang),
    )
    return dt.date.fromisoformat(str(chosen))


def _managers(directory: pd.DataFrame) -> dict[str, str]:
    pairs = directory[["manager_id", "manager_name"]].drop_duplicates("manager_id")
    return {str(m): str(n) for m, n in zip(pairs["manager_id"], pairs["manager_name"], strict=True)}


def _side_by_side(
    econ: pd.DataFrame, portfolio: pd.DataFrame, month: dt.date, managers: dict[str, str], v: view.View
) -> None:
    lang = v.lang
    passport = data.metric_passport()
    table = economics.manager_table(econ, portfolio, month, managers, lang, money=v.money)
    st.subheader(t("agency_managers_title", lang))
    helps = economics.column_helps(passport, lang)
    st.dataframe(
        tables.styled(table, economics.manager_formats(lang), bold_last_row=True),
        hide_index=True,
        key="agency_managers_table",
        placeholder=fmt.MISSING,
        column_config={
            col: st.column_config.Column(help=helps[col]) for col in table.columns if col in helps
        },
    )
    if month == month_start(v.meta.as_of_date):
        st.caption(t("agency_partial_note", lang))


def _trend(econ: pd.DataFrame, managers: dict[str, str], v: view.View) -> None:
    lang = v.lang
    metrics = [(key, column) for key, column, money in _TREND_METRICS if v.money or not money]
    st.subheader(t("agency_trend_title", lang))
    labels = {column: t(key, lang) for key, column in metrics}
    view.seed_widget("agency_metric", "metric", list(labels), metrics[0][1])
    metric = st.segmented_control(
        t("agency_trend_metric", lang), list(labels), key="agency_metric", format_func=labels.__getitem__
    )
    column = str(metric or metrics[0][1])
    frame = econ.assign(
        _series=[
            t("agency_total", lang) if scope == "agency" else managers.get(str(m), str(m))
            for scope, m in zip(econ["scope"], econ["manager_id"], strict=True)
        ],
        _month=[charts.month_label(pd.Timestamp(m).date(), lang) for m in econ["month"]],
        _order=pd.to_datetime(econ["month"]),
        _value=pd.to_numeric(econ[column], errors="coerce"),
    )
    wide = frame.pivot_table(index=["_order", "_month"], columns="_series", values="_value", aggfunc="sum")
    wide.index = wide.index.get_level_values("_month")
    st.line_chart(wide, x_label="", y_label=labels[column])


def _lost_and_won(month: dt.date, v: view.View) -> None:
    lang = v.lang
    lifecycle = data.client_lifecycle(v.clients, month)
    moved = lifecycle[lifecycle["lifecycle_status"].isin(["new", "returning", "churned"])]
    st.subheader(t("agency_churned_title", lang))
    if moved.empty:
        st.caption(t("agency_churned_none", lang))
        return
    table = pd.DataFrame(
        {
            t("col_client", lang): [v.client_names.get(str(c), str(c)) for c in moved["client_id"]],
            t("col_status", lang): [
                economics.lifecycle_label(str(s), lang) for s in moved["lifecycle_status"]
            ],
            t("col_lifetime", lang): list(moved["lifetime_months"]),
        }
    )
    formats = {t("col_lifetime", lang): lambda x: fmt.integer(x, lang)}
    if v.money:
        table[t("col_ltv", lang)] = (
            pd.to_numeric(moved["ltv_net"], errors="coerce").astype("float64").tolist()
        )
        formats[t("col_ltv", lang)] = lambda x: fmt.money(x, lang, 0)
    st.dataframe(tables.styled(table, formats), hide_index=True, key="agency_moved_table")
    for status in ("churned", "new", "returning"):
        names = [
            v.client_names.get(str(c), str(c))
            for c in moved.loc[moved["lifecycle_status"] == status, "client_id"]
        ]
        if names:
            label = economics.lifecycle_label(status, lang)
            st.caption(t("agency_moved_summary", lang, status=label.capitalize(), clients=", ".join(names)))


def _debtors(month: dt.date, v: view.View) -> None:
    """The clients owing overdue money at the month's snapshot, the largest first, with DSO."""
    lang = v.lang
    owed = data.client_receivables(v.clients, month)
    owed = owed[pd.to_numeric(owed["overdue"], errors="coerce") > 0]
    st.subheader(t("agency_debtors_title", lang))
    if owed.empty:
        st.caption(t("agency_debtors_none", lang))
        return
    names = [v.client_names.get(str(c), str(c)) for c in owed["client_id"]]
    top = owed.iloc[0]
    st.caption(
        t(
            "agency_debtors_top",
            lang,
            client=names[0],
            overdue=fmt.money(top["overdue"], lang, 0),
            dso=fmt.number(top["dso_days"], lang, 0),
        )
    )
    table = pd.DataFrame(
        {
            t("col_client", lang): names,
            t("col_overdue", lang): pd.to_numeric(owed["overdue"]).astype("float64").tolist(),
            t("col_dso", lang): pd.to_numeric(owed["dso_days"], errors="coerce").astype("float64").tolist(),
        }
    )
    formats = {
        t("col_overdue", lang): lambda x: fmt.money(x, lang, 0),
        t("col_dso", lang): lambda x: fmt.number(x, lang, 0),
    }
    st.dataframe(tables.styled(table, formats), hide_index=True, key="agency_debtors_table")


def _passport(v: view.View) -> None:
    metrics = tuple(m for m in _PASSPORT_METRICS if v.money or m not in _MONEY_PASSPORT)
    with st.expander(t("agency_passport_title", v.lang)):
        st.dataframe(
            economics.passport_table(data.metric_passport(), v.lang, metrics),
            hide_index=True,
            key="agency_passport_table",
        )


def render(v: view.View) -> None:
    lang = v.lang
    st.title(t("page_agency", lang))
    if not v.clients:
        st.info(t("no_clients", lang))
        view.sync_url(v)
        return
    first, last = economics.trend_months(month_start(v.meta.as_of_date))
    econ = data.manager_economics(v.clients, first, last)
    if econ.empty:
        st.info(t("agency_no_access", lang))
        view.sync_url(v)
        return
    months = sorted({pd.Timestamp(m).date() for m in econ["month"]})
    month = _pick_month(months, v)
    st.caption(
        t(
            "agency_caption",
            lang,
            viewer=v.viewer_name,
            as_of=fmt.date(v.meta.as_of_date, lang),
            month=_month_label(month, month_start(v.meta.as_of_date), lang),
        )
    )
    managers = _managers(data.viewer_directory())
    portfolio = data.manager_portfolio(v.clients, first, last)
    _side_by_side(econ, portfolio, month, managers, v)
    _trend(econ, managers, v)
    _lost_and_won(month, v)
    if v.money:
        _debtors(month, v)
    _passport(v)
    view.sync_url(v, {"month": month.isoformat()})


current_view = view.current()
if current_view is None:  # Streamlit ran this file without app.py (see dashboard/shell.py)
    shell.run()
else:
    render(current_view)
