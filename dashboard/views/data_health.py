"""Состояние данных: per client and source, loaded up to, last good load, last error, what to do;
then the ad account balances (money left, days it lasts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard import data, fmt, health, shell, view
from dashboard.i18n import t

_ROW_HEIGHT = 35


def _highlight(value: object) -> str:
    return "color: #c62828; font-weight: 600" if value else ""


def render(v: view.View) -> None:
    lang = v.lang
    st.title(t("page_data_health", lang))
    st.caption(t("health_caption", lang, as_of=fmt.date(v.meta.as_of_date, lang)))
    if not v.clients:
        st.info(t("no_clients", lang))
        view.sync_url(v)
        return
    rows = health.health_rows(data.data_health(v.clients), v.meta.as_of_date)
    counts = rows["state"].value_counts()
    for column, state in zip(st.columns(len(health.STATES)), health.STATES, strict=True):
        column.metric(
            t(f"health_kpi_{state}", lang), fmt.integer(int(counts.get(state, 0)), lang), border=True
        )
    if set(rows["state"]) <= {"ok"}:
        st.success(t("health_all_ok", lang))
    table = health.health_table(rows, lang, v.client_names, data.source_names(), data.channel_names())
    st.dataframe(
        table.style.map(_highlight, subset=[t("col_last_error", lang)]),
        hide_index=True,
        key="data_health_table",
        column_config={
            t("col_last_error", lang): st.column_config.TextColumn(width="large"),
            t("col_what_to_do", lang): st.column_config.TextColumn(width="large"),
        },
        height=min(38 + _ROW_HEIGHT * len(table), 720),
    )
    _balances(v)
    view.sync_url(v)


def _balance_style(low: set[str]) -> Callable[[Any], str]:
    def style(value: Any) -> str:
        return "color: #c62828; font-weight: 600" if value in low else ""

    return style


def _balances(v: view.View) -> None:
    lang = v.lang
    rows = data.ad_account_balances(v.clients)
    st.subheader(t("balances_title", lang))
    if rows.empty:
        st.caption(t("balances_none", lang))
        return
    threshold = int(rows["threshold_days"].max())
    st.caption(t("balances_caption", lang, days=threshold))
    problems = int(rows["status"].isin(health.BALANCE_PROBLEMS).sum())
    if problems:
        st.warning(t("balances_low_warning", lang, n=problems), icon=":material/account_balance_wallet:")
    table = health.balance_table(rows, lang, v.client_names, data.source_names(), data.channel_names())
    low = {t(f"balance_state_{code}", lang) for code in health.BALANCE_PROBLEMS}
    state = t("col_balance_state", lang)
    st.dataframe(
        table.style.map(_balance_style(low), subset=[state]).map(
            _highlight, subset=[t("col_last_error", lang)]
        ),
        hide_index=True,
        key="balances_table",
        column_config={t("col_last_error", lang): st.column_config.TextColumn(width="large")},
        height=min(38 + _ROW_HEIGHT * len(table), 480),
    )


current_view = view.current()
if current_view is None:  # Streamlit ran this file without app.py (see dashboard/shell.py)
    shell.run()
else:
    render(current_view)
