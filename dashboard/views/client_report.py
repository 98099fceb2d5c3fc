"""Отчёт по клиенту: one client's results for a period, compared with the period before."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Literal

import pandas as pd
import streamlit as st

from dashboard import charts, data, downloads, fmt, shell, tables, view
from dashboard.fmt import Lang
from dashboard.i18n import leads_by_type_text, source_name, t
from dashboard.periods import PRESETS, Period, Preset, default_preset, month_start, preset_period
from dashboard.warehouse import source_from_env
from reports import MEDIA_TYPES, Format

_RANGE_KEY = "report_range"
_DeltaColor = Literal["normal", "inverse", "off"]


def _as_date(value: object) -> dt.date | None:
    """A date from a query result cell (Timestamp, date or missing)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _custom_period(v: view.View, last_full_day: dt.date) -> Period | None:
    """The custom range picker; None while only the first day is picked."""
    lang = v.lang
    fallback = preset_period("custom", v.meta.as_of_date, last_full_day)
    stored = st.session_state.get(_RANGE_KEY)
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[1] <= last_full_day):
        start = _parse_date(st.query_params.get("from")) or fallback.start
        end = min(_parse_date(st.query_params.get("to")) or fallback.end, last_full_day)
        st.session_state[_RANGE_KEY] = (min(start, end), end)
    picked: object = st.date_input(
        t("custom_range", lang), max_value=last_full_day, key=_RANGE_KEY, format="DD.MM.YYYY"
    )
    if isinstance(picked, tuple) and len(picked) == 2:
        first, last = picked
        return Period(first, last)
    st.info(t("pick_both_dates", lang))
    return None


def _controls(v: view.View) -> tuple[str, Preset, Period | None]:
    lang = v.lang
    last_full_day = v.meta.last_full_day
    options = list(v.client_names)
    if v.fixed_period is not None:  # a client link for one month: one client, that month
        period = Period(v.fixed_period.start, min(v.fixed_period.end, last_full_day))
        return options[0], "custom", period
    view.seed_widget("report_client", "client", options, options[0])
    default = default_preset(v.meta.as_of_date, last_full_day)
    view.seed_widget("report_period", "period", PRESETS, default)

    left, right = st.columns([2, 3], vertical_alignment="bottom")
    client_id = str(
        left.selectbox(
            t("client", lang), options, key="report_client", format_func=v.client_names.__getitem__
        )
    )
    with right:
        chosen = st.segmented_control(
            t("period", lang),
            PRESETS,
            key="report_period",
            format_func=lambda p: t(f"period_{p}", lang),
            required=True,
        )
    preset: Preset = chosen if chosen in PRESETS else default
    if preset == "custom":
        return client_id, preset, _custom_period(v, last_full_day)
    return client_id, preset, preset_period(preset, v.meta.as_of_date, last_full_day)


def _headline(current: tables.Totals, previous: tables.Totals, previous_period: Period, lang: Lang) -> None:
    """Spend, leads, CPL, calls, CTR with the change against the previous period of equal length,
    and the period's leads by type."""
    previous_label = fmt.date_range(previous_period.start, previous_period.end, lang)
    cards: list[tuple[str, float | None, float | None, Callable[[object], str], _DeltaColor]] = [
        (t("metric_spend", lang), current.spend, previous.spend, lambda x: fmt.money(x, lang, 0), "off"),
        (t("metric_leads", lang), current.leads, previous.leads, lambda x: fmt.integer(x, lang), "normal"),
        (t("metric_cpl", lang), current.cpl, previous.cpl, lambda x: fmt.money(x, lang), "inverse"),
        (t("metric_calls", lang), current.calls, previous.calls, lambda x: fmt.integer(x, lang), "normal"),
        (t("metric_ctr", lang), current.ctr, previous.ctr, lambda x: fmt.percent(x, lang, 2), "normal"),
    ]
    for column, (label, now, before, show, color) in zip(st.columns(len(cards)), cards, strict=True):
        change = tables.relative_change(now, before)
        column.metric(
            label,
            show(now),
            delta=None if change is None else fmt.delta_percent(change, lang),
            delta_color=color,
            help=t("metric_delta_help", lang, previous=previous_label, value=show(before)),
            border=True,
        )
    by_type = leads_by_type_text(current.leads_by_type, lang)
    if by_type:
        st.caption(by_type)


def _channels(results: pd.DataFrame, lang: Lang) -> None:
    st.subheader(t("channels_title", lang))
    table = tables.channel_table(results, lang, data.channel_names())
    st.dataframe(
        tables.styled(table, tables.channel_formats(lang), bold_last_row=True),
        hide_index=True,
        key="channel_table",
        placeholder=fmt.MISSING,
        column_config={t("col_channel", lang): st.column_config.TextColumn(pinned=True)},
    )


def _comparison(v: view.View, client_id: str, period: Period) -> None:
    """A month (or the month to date) against the previous equal period and the same period a
    year earlier, as the published ``monthly_comparisons`` computes them; shown when the period on
    screen is exactly the mart's month (other periods keep the headline's comparison)."""
    lang = v.lang
    if period.start != month_start(period.start):
        return
    published = data.monthly_comparison(v.clients, client_id, period.start)
    rows = published[published["grain"] == "client"]
    if rows.empty or _as_date(rows["period_end"].iloc[0]) != period.end:
        return
    row = rows.iloc[0].to_dict()
    channels = published[published["grain"] == "channel"]

    def span(start: str, end: str) -> str:
        first, last = _as_date(row[start]), _as_date(row[end])
        return fmt.date_range(first, last, lang) if first and last else fmt.MISSING

    st.subheader(t("comparison_title", lang))
    st.dataframe(tables.comparison_table(row, lang), hide_index=True, key="comparison_table")
    st.caption(
        t(
            "comparison_caption",
            lang,
            period=span("period_start", "period_end"),
            previous=span("previous_start", "previous_end"),
            year_ago=span("year_ago_start", "year_ago_end"),
        )
    )
    if not channels.empty:
        st.markdown(f"**{t('comparison_channels_title', lang)}**")
        st.dataframe(
            tables.channel_comparison_table(channels, lang, data.channel_names()),
            hide_index=True,
            key="channel_comparison_table",
            column_config={t("col_channel", lang): st.column_config.TextColumn(pinned=True)},
        )


def _months_label(first: dt.date, last: dt.date, lang: Lang) -> str:
    if first == last:
        return charts.month_label(first, lang)
    return f"{charts.month_label(first, lang)} – {charts.month_label(last, lang)}"


def _leads(v: view.View, client_id: str, period: Period) -> None:
    """Leads reconciliation (per lead system, whole months) and the period's leads one by one."""
    lang = v.lang
    first, last = period.months()
    reconciliation = data.lead_reconciliation(v.clients, client_id, first, last)
    ledger = data.lead_ledger(v.clients, client_id, period.start, period.end)
    if reconciliation.empty and ledger.empty:
        return
    st.subheader(t("reconciliation_title", lang))
    if not reconciliation.empty:
        st.caption(t("reconciliation_months", lang, months=_months_label(first, last, lang)))
        st.dataframe(
            tables.styled(
                tables.reconciliation_table(reconciliation, lang, data.source_names()),
                tables.reconciliation_formats(lang),
                bold_last_row=True,
            ),
            hide_index=True,
            key="reconciliation_table",
            placeholder=fmt.MISSING,
            column_config={
                t(header, lang): st.column_config.Column(help=t(explanation, lang))
                for header, explanation in tables.RECONCILIATION_HELP.items()
            },
        )
        totals = tables.reconciliation_totals(reconciliation)
        st.caption(
            t(
                "reconciliation_line",
                lang,
                source=fmt.integer(totals["source_leads"], lang),
                merged=fmt.integer(totals["merged_leads"], lang),
                ledger=fmt.integer(totals["ledger_leads"], lang),
                excluded=fmt.integer(totals["excluded_records"], lang),
            )
        )
    if not ledger.empty:
        with st.expander(t("ledger_title", lang, n=fmt.integer(len(ledger), lang))):
            st.dataframe(
                tables.styled(
                    tables.lead_ledger_table(ledger, lang, data.channel_names(), data.source_names()),
                    tables.lead_ledger_formats(lang),
                ),
                hide_index=True,
                key="lead_ledger_table",
                placeholder=fmt.MISSING,
                column_config={
                    t("col_merged_events", lang): st.column_config.Column(help=t("help_merged_events", lang))
                },
            )
            st.caption(t("ledger_note", lang))


def _plan(v: view.View, clients: tuple[str, ...], client_id: str, period: Period) -> None:
    lang = v.lang
    first, last = period.months()
    monthly = data.monthly_plan(clients, client_id, first, last)
    if monthly.empty:
        return
    st.subheader(t("plan_title", lang))
    current_month = month_start(v.meta.as_of_date)
    labels: dict[object, str] = {}
    for month in monthly["month"]:
        day = pd.Timestamp(month).date()
        label = charts.month_label(day, lang)
        if day == current_month:
            label = t("month_to_date", lang, month=label, day=fmt.date(v.meta.last_full_day, lang))
        labels[month] = label
    st.dataframe(
        tables.styled(tables.plan_table(monthly, lang, labels), tables.plan_formats(lang)),
        hide_index=True,
        key="plan_table",
        placeholder=fmt.MISSING,
    )
    if monthly["plan_budget"].isna().all() and monthly["plan_leads"].isna().all():
        st.caption(t("no_plan", lang))


def _payments(v: view.View, client_id: str, period: Period) -> None:
    """The client's bank payments received in the period and the invoices they paid, if any."""
    payments = data.client_payments(v.clients, client_id, period.start, period.end)
    if payments.empty:
        return
    st.subheader(t("payments_title", v.lang))
    st.dataframe(
        tables.styled(tables.payments_table(payments, v.lang), tables.payments_formats(v.lang)),
        hide_index=True,
        key="payments_table",
        placeholder=fmt.MISSING,
    )
    st.caption(t("payments_note", v.lang))


def _campaigns(v: view.View, client_id: str, period: Period) -> None:
    campaigns = data.top_campaigns(v.clients, client_id, period.start, period.end)
    if campaigns.empty:
        return
    st.subheader(t("campaigns_title", v.lang))
    st.dataframe(
        tables.styled(
            tables.campaign_table(campaigns, v.lang, data.channel_names()), tables.campaign_formats(v.lang)
        ),
        hide_index=True,
        key="campaign_table",
        placeholder=fmt.MISSING,
    )


def _freshness(v: view.View, client_id: str) -> None:
    lang = v.lang
    sources = data.source_freshness(v.clients, client_id)
    channel_names, source_names = data.channel_names(), data.source_names()
    parts = []
    for row in sources.to_dict("records"):
        name = source_name(str(row["source"]), lang, channel_names, source_names, str(row["account_id"]))
        last_day = _as_date(row["last_data_date"])
        if last_day is None:
            parts.append(f"{name}: {t('source_never', lang)}")
            continue
        text = f"{name}: {fmt.date(last_day, lang)}"
        stale = pd.to_numeric(row["days_stale"], errors="coerce")
        # The invoice register is monthly: only daily feeds (ads, calls) can be "behind".
        behind = row["feed"] in tables.DAILY_FEEDS and not pd.isna(stale) and stale > tables.STALE_DAYS
        parts.append(f":material/warning: {text}" if behind else text)
    line = view.freshness_line(v.meta, lang)
    st.caption(line + (" · " + "; ".join(parts) if parts else ""))
    st.caption(t("notes", lang))


def _downloads(v: view.View, client_id: str, period: Period) -> None:
    """ "PDF" and "Excel" buttons: the report for this client and period, rendered on click."""
    lang = v.lang
    path = source_from_env()
    days = fmt.date_range(period.start, period.end, lang)
    buttons: tuple[tuple[Format, str, str], ...] = (
        ("pdf", "download_pdf", ":material/picture_as_pdf:"),
        ("xlsx", "download_xlsx", ":material/table_view:"),
    )
    columns = st.columns([1, 1, 6])
    for column, (kind, label, icon) in zip(columns, buttons, strict=False):
        name = downloads.file_name(client_id, period, lang, kind)
        column.download_button(
            t(label, lang),
            data=functools.partial(
                downloads.report_bytes, path, client_id, period, lang, kind, who=v.audited
            ),
            file_name=name,
            mime=MEDIA_TYPES[kind],
            key=f"download_{kind}",
            help=t("download_help", lang, period=days, file=name),
            on_click="ignore",
            icon=icon,
        )


def render(v: view.View) -> None:
    lang = v.lang
    if not v.clients:
        st.title(t("page_client_report", lang))
        st.info(t("no_clients", lang))
        view.sync_url(v)
        return

    client_id, preset, period = _controls(v)
    params: dict[str, str | None] = {"client": client_id, "period": preset}
    if v.fixed_period is not None:
        params = {}
    elif preset == "custom" and period is not None:
        params.update({"from": period.start.isoformat(), "to": period.end.isoformat()})
    view.sync_url(v, params)
    if period is None:
        return

    st.title(v.client_names[client_id])
    if period.is_empty:
        st.info(t("period_empty", lang, cutoff=fmt.date(v.meta.last_full_day, lang)))
        return
    previous = period.previous()
    st.caption(
        t(
            "report_period",
            lang,
            period=fmt.date_range(period.start, period.end, lang),
            previous=fmt.date_range(previous.start, previous.end, lang),
        )
    )

    _downloads(v, client_id, period)

    results = data.channel_results(v.clients, client_id, period.start, period.end)
    before = data.channel_results(v.clients, client_id, previous.start, previous.end)
    _headline(
        tables.Totals.from_channel_results(results),
        tables.Totals.from_channel_results(before),
        previous,
        lang,
    )

    if results.empty:
        st.info(t("no_results", lang))
    else:
        _channels(results, lang)
        _comparison(v, client_id, period)
        daily = data.daily_results(v.clients, client_id, period.start, period.end)
        st.plotly_chart(charts.daily_trend(daily, lang), config={"displaylogo": False})
    _leads(v, client_id, period)
    _plan(v, v.clients, client_id, period)
    if v.money:
        _payments(v, client_id, period)
    _campaigns(v, client_id, period)
    _freshness(v, client_id)


current_view = view.current()
if current_view is None:  # Streamlit ran this file without app.py (see dashboard/shell.py)
    shell.run()
else:
    render(current_view)
