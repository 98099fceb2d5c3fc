"""Состояние данных: per client and source, loaded up to, last good load, last error, what to do."""

from __future__ import annotations

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
    view.sync_url(v)


current_view = view.current()
if current_view is None:  # Streamlit ran this file without app.py (see dashboard/shell.py)
    shell.run()
else:
    render(current_view)
