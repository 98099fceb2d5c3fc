"""Портфель: the account manager's morning view of all visible clients (``client_status``), with
a flag for ad accounts running out of money (``ad_account_balances``)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, data, deliveries, downloads, economics, fmt, health, shell, tables, view
from dashboard.fmt import Lang
from dashboard.i18n import HEALTH_COLORS, health_label, source_name, t
from dashboard.periods import add_months, month_start
from dashboard.warehouse import source_from_env
from reports.periods import period_title
from reports.status import ReportState

_CHART_MONTHS = 12
_DIGEST_OPEN_UP_TO = 8  # the reasons list starts expanded when this few clients need attention
_HIGHLIGHT = "background-color: rgba(245, 133, 24, 0.18)"  # a cell that is a reason for attention


def _sum(series: pd.Series) -> float:
    return float(pd.to_numeric(series, errors="coerce").fillna(0).sum())


def _plan_sum(series: pd.Series) -> float | None:
    values = pd.to_numeric(series, errors="coerce")
    return None if values.isna().all() else float(values.sum())


# What a viewer without the agency's money (a specialist) does not see: the receivables. (A bare
# string here would be drawn on the page: Streamlit's "magic" writes a page script's expressions.)
_MONEY_COLUMNS = ("col_outstanding", "col_overdue")
_MONEY_CARDS = ("kpi_outstanding", "kpi_overdue")
_MONEY_REASONS = ("invoice_overdue",)


def _kpis(status: pd.DataFrame, lang: Lang, money: bool) -> None:
    active = status[status["health"] != "churned"]
    spend, leads = _sum(active["spend_mtd"]), _sum(active["leads_mtd"])
    plan_budget, plan_leads = _plan_sum(active["plan_budget"]), _plan_sum(active["plan_leads"])
    attention = int((active["health"] == "attention").sum())
    cards: list[tuple[str, str, str]] = [
        (
            t("kpi_spend_mtd", lang),
            fmt.money(spend, lang, 0),
            t("kpi_spend_mtd_help", lang, plan=fmt.money(plan_budget, lang, 0)),
        ),
        (
            t("kpi_leads_mtd", lang),
            fmt.integer(leads, lang),
            t("kpi_leads_mtd_help", lang, plan=fmt.integer(plan_leads, lang)),
        ),
        (t("kpi_cpl_mtd", lang), fmt.money(tables.ratio(spend, leads), lang), t("kpi_cpl_mtd_help", lang)),
        (
            t("kpi_outstanding", lang),
            fmt.money(_sum(status["outstanding_total"]), lang, 0),
            t("kpi_outstanding_help", lang),
        ),
        (
            t("kpi_overdue", lang),
            fmt.money(_sum(status["overdue_total"]), lang, 0),
            t("kpi_overdue_help", lang),
        ),
        (
            t("kpi_attention", lang),
            t("kpi_attention_value", lang, n=attention, total=len(active)),
            "",
        ),
    ]
    if not money:
        cards = [c for c in cards if c[0] not in {t(key, lang) for key in _MONEY_CARDS}]
    # Two rows of three: results, then money and health; wide enough for full ruble amounts.
    for row in (cards[:3], cards[3:]):
        for column, (label, value, help_text) in zip(st.columns(len(row)), row, strict=True):
            column.metric(label, value, help=help_text or None, border=True)


def _last_full_month(status: pd.DataFrame, v: view.View) -> pd.DataFrame:
    """On the first days of a month the month to date has no data (zeros everywhere): the
    month-to-date columns of ``status`` then hold the last full month from ``client_monthly``
    (its pacing is the month's budget fulfilment)."""
    month = add_months(month_start(v.meta.as_of_date), -1)
    monthly = data.client_month(v.clients, month).set_index("client_id")
    ids = status["client_id"].astype(str)
    out = status.copy()
    for target, source in (
        ("spend_mtd", "spend"),
        ("leads_mtd", "leads"),
        ("cpl_mtd", "cpl"),
        ("plan_budget", "plan_budget"),
        ("plan_leads", "plan_leads"),
        ("plan_cpl", "plan_cpl"),
        ("budget_pacing", "budget_fulfilment"),
    ):
        out[target] = ids.map(monthly[source]).to_numpy() if not monthly.empty else None
    return out


_NUMBERS: tuple[tuple[str, str, str, bool], ...] = (
    # label key, mart column, passport metric, money
    ("col_active_clients", "active_clients", "active_clients", False),
    ("col_new_clients", "new_clients", "new_clients", False),
    ("col_churned_clients", "churned_clients", "churned_clients", False),
    ("col_fee_revenue", "fee_invoiced_net", "fee_revenue", True),
    ("col_fee_mom", "fee_mom_growth", "revenue_growth_mom", True),
    ("col_fee_vs_plan", "fee_plan_fulfilment", "fee_plan_fulfilment", True),
    ("col_dso", "dso_days", "dso", True),
    ("col_top3", "top3_share", "top3_share", True),
)


def _my_numbers(v: view.View) -> None:
    """The viewer's own economics (their manager's row, or the agency's for the head) for the
    month the page shows, from ``manager_economics_monthly``; nothing for a partial view."""
    lang = v.lang
    month = economics.default_month(v.meta)
    rows = data.manager_economics(v.clients, month, month)
    scope = "agency" if v.viewer == view.ALL_CLIENTS else "manager"
    rows = rows[rows["scope"] == scope]
    if scope == "manager":
        rows = rows[rows["manager_id"] == v.viewer]
    if rows.empty:
        return
    row = rows.iloc[0]
    passport = data.metric_passport()
    title = "my_numbers_agency_title" if scope == "agency" else "my_numbers_title"
    st.subheader(t(title, lang, month=charts.month_label(month, lang)))
    shown = [n for n in _NUMBERS if v.money or not n[3]]
    values = {
        "fee_invoiced_net": lambda x: fmt.money(x, lang, 0),
        "fee_mom_growth": lambda x: fmt.delta_percent(x, lang, 0),
        "fee_plan_fulfilment": lambda x: fmt.percent(x, lang, 0),
        "dso_days": lambda x: fmt.number(x, lang, 0),
        "top3_share": lambda x: fmt.percent(x, lang, 0),
    }
    for column, (key, field, metric, _) in zip(st.columns(len(shown)), shown, strict=True):
        value = row[field]
        text = values.get(field, lambda x: fmt.integer(x, lang))(None if pd.isna(value) else value)
        column.metric(t(key, lang), text, help=economics.passport_help(metric, passport, lang), border=True)


def _pacing_style(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    off = abs(float(value) - 1) > tables.PACING_TOLERANCE
    return _HIGHLIGHT if off else ""


def _health_style(lang: Lang) -> Callable[[Any], str]:
    colors = {health_label(h, lang): color for h, color in HEALTH_COLORS.items()}

    def style(value: Any) -> str:
        color = colors.get(str(value))
        return f"color: {color}; font-weight: 600" if color else ""

    return style


def _overdue_style(value: Any) -> str:
    if value is None or pd.isna(value) or float(value) <= 0:
        return ""
    return "color: #c62828; font-weight: 600"


def _stale_style(value: Any) -> str:
    if value is None or pd.isna(value) or int(value) <= tables.STALE_DAYS:
        return ""
    return _HIGHLIGHT


def _attention(status: pd.DataFrame, reasons: pd.DataFrame, lang: Lang) -> None:
    """The reasons in full sentences, one line per client that needs attention."""
    flagged = status[status["health"] == "attention"].sort_values("client_name")
    if flagged.empty:
        return
    words = tables.health_reasons_by_client(reasons, lang)
    with st.expander(t("attention_title", lang, n=len(flagged)), expanded=len(flagged) <= _DIGEST_OPEN_UP_TO):
        st.markdown(
            "\n".join(
                f"- **{name}** — {words.get(str(client), '')}"
                for name, client in zip(flagged["client_name"], flagged["client_id"], strict=True)
            )
        )


def _low_balances(status: pd.DataFrame, v: view.View) -> None:
    """The flag an account manager must not miss: a shown client's ad account running out of money."""
    lang = v.lang
    balances = data.ad_account_balances(v.clients)
    low = balances[
        balances["status"].isin(health.BALANCE_PROBLEMS) & balances["client_id"].isin(status["client_id"])
    ]
    if low.empty:
        return
    names = data.source_names()
    lines = []
    for r in low.to_dict("records"):
        days = (
            t("portfolio_balance_empty", lang)
            if r["status"] == "empty"
            else t("portfolio_balance_days", lang, days=fmt.number(r["days_left"], lang, 1))
        )
        line = t(
            "portfolio_low_balance_line",
            lang,
            client=v.client_names.get(str(r["client_id"]), str(r["client_id"])),
            source=source_name(str(r["source"]), lang, source_names=names),
            account=r["account_id"],
            left=health.balance_money(r["amount"], r["currency"], lang),
            days=days,
        )
        lines.append(f"- {line}")
    st.warning(
        f"**{t('portfolio_low_balances', lang)}**\n\n" + "\n".join(lines),
        icon=":material/account_balance_wallet:",
    )


def _table(status: pd.DataFrame, reasons: pd.DataFrame, v: view.View) -> None:
    lang = v.lang
    table = tables.portfolio_table(status, lang, with_manager=v.viewer == view.ALL_CLIENTS, reasons=reasons)
    if not v.money:
        table = table.drop(columns=[t(key, lang) for key in _MONEY_COLUMNS])
    styler = tables.styled(
        table,
        tables.portfolio_formats(lang),
        cell_styles={
            t("col_health", lang): _health_style(lang),
            t("col_pacing", lang): _pacing_style,
            t("col_overdue", lang): _overdue_style,
            t("col_days_stale", lang): _stale_style,
        },
    )
    event = st.dataframe(
        styler,
        hide_index=True,
        key="portfolio_table",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            t("col_client", lang): st.column_config.TextColumn(width="medium"),
            t("col_reasons", lang): st.column_config.TextColumn(width="large"),
        },
        height=min(38 + 35 * len(table), 640),
        placeholder=fmt.MISSING,
    )
    st.caption(t("table_hint", lang))
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    if rows:
        client_id = str(table.index[rows[0]])
        st.switch_page(v.pages["client_report"], query_params={"client": client_id, **v.url_params()})


def _report_link(status: pd.DataFrame, v: view.View) -> None:
    lang = v.lang
    active_first = status.assign(_churned=status["health"].eq("churned")).sort_values(
        ["_churned", "client_name"]
    )
    options = [str(c) for c in active_first["client_id"]]
    names = dict(zip(options, active_first["client_name"].astype(str), strict=True))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    chosen = left.selectbox(
        t("open_report", lang), options, format_func=names.__getitem__, key="portfolio_pick"
    )
    if chosen is not None:
        right.page_link(
            v.pages["client_report"],
            label=t("open_report_button", lang, client=names[chosen]),
            icon=":material/analytics:",
            query_params={"client": chosen, **v.url_params()},
        )


def _unmatched_payments(v: view.View) -> None:
    """Bank payments no invoice could be found for: the manager's to sort out (none: nothing shown).

    A payment from a payer that is no client is shown only to the viewer who sees all clients.
    """
    lang = v.lang
    payments = data.unmatched_payments(v.clients, include_unassigned=v.viewer == view.ALL_CLIENTS)
    if payments.empty:
        return
    st.subheader(t("unmatched_title", lang))
    st.caption(
        t(
            "unmatched_caption",
            lang,
            n=fmt.integer(len(payments), lang),
            amount=fmt.money(_sum(payments["amount"]), lang),
        )
    )
    table = tables.unmatched_payments_table(payments, lang, v.client_names)
    st.dataframe(
        tables.styled(table, tables.unmatched_payments_formats(lang)),
        hide_index=True,
        key="unmatched_payments_table",
        placeholder=fmt.MISSING,
        column_config={
            t("col_purpose", lang): st.column_config.TextColumn(width="large"),
            t("col_reason", lang): st.column_config.TextColumn(width="large"),
        },
        height=min(38 + 35 * len(table), 320),
    )


_REVIEW_MESSAGE = "_review_message"


def _approve(setup: deliveries.Setup, state: ReportState, v: view.View) -> None:
    """The "Approve sending" button: record the approval (or say why it cannot be)."""
    lang = v.lang
    words = {"client": state.client_name, "period": period_title(state.period, lang)}
    try:
        deliveries.approve(setup, state.client_id, state.period_name, allowed=v.clients, who=_approver(v))
    except Exception as exc:  # shown to the manager; the report stays unapproved
        st.session_state[_REVIEW_MESSAGE] = ("error", t("review_failed", lang, error=exc, **words))
        return
    st.session_state[_REVIEW_MESSAGE] = ("success", t("review_done", lang, **words))


def _approver(v: view.View) -> str:
    """Who approves, as the send log records it: the signed-in login, else the viewer picked."""
    return f"{v.who} (dashboard)" if v.who != "anyone" else f"{v.viewer_name} (dashboard)"


def _review(setup: deliveries.Setup, waiting: list[ReportState], v: view.View) -> None:
    lang = v.lang
    path = source_from_env()
    with st.expander(t("review_title", lang, n=len(waiting)), expanded=True):
        for state in waiting:
            client_lang = setup.config.client(state.client_id).language
            slug = f"{state.client_id}_{state.period_name}"
            name, pdf, approve = st.columns([4, 1, 1], vertical_alignment="center")
            name.markdown(
                t("review_row", lang, client=state.client_name, period=period_title(state.period, lang))
                + f" — {deliveries.details(state, lang)}"
            )
            pdf.download_button(
                t("review_pdf", lang),
                data=functools.partial(
                    downloads.report_bytes,
                    path,
                    state.client_id,
                    state.period,
                    client_lang,
                    "pdf",
                    who=v.audited,
                ),
                file_name=downloads.file_name(state.client_id, state.period, client_lang, "pdf"),
                mime="application/pdf",
                key=f"review_pdf_{slug}",
                on_click="ignore",
                icon=":material/picture_as_pdf:",
            )
            approve.button(
                t("review_approve", lang),
                key=f"review_approve_{slug}",
                type="primary",
                on_click=_approve,
                args=(setup, state, v),
                icon=":material/send:",
            )


def _client_reports(v: view.View) -> None:
    """Where each visible client's latest report stands; the reports awaiting approval."""
    lang = v.lang
    try:
        setup = deliveries.load_setup()
        states = [] if setup is None else deliveries.report_states(setup, v.clients)
    except Exception as exc:  # a wrong configuration or send log must not take the page down
        st.warning(t("reports_unavailable", lang, error=exc), icon=":material/warning:")
        return
    if setup is None or not states:
        return
    st.subheader(t("reports_title", lang))
    st.caption(t("reports_caption", lang))
    message = st.session_state.pop(_REVIEW_MESSAGE, None)
    if message is not None:
        (st.success if message[0] == "success" else st.error)(message[1])
    table = deliveries.states_table(states, lang)
    st.dataframe(
        table,
        hide_index=True,
        key="reports_table",
        column_config={t("col_report_details", lang): st.column_config.TextColumn(width="large")},
        height=min(38 + 35 * len(table), 320),
    )
    waiting = [s for s in states if s.state == "awaiting_review"]
    if waiting and v.can_approve:
        _review(setup, waiting, v)


def _chart(v: view.View) -> None:
    last = month_start(v.meta.as_of_date)
    year, month = divmod(last.year * 12 + last.month - 1 - (_CHART_MONTHS - 1), 12)
    first = dt.date(year, month + 1, 1)
    monthly = data.portfolio_monthly(v.clients, first, last)
    if monthly.empty:
        return
    st.plotly_chart(charts.portfolio_monthly(monthly, v.lang), config={"displaylogo": False})
    st.caption(t("portfolio_chart_note", v.lang, month=charts.month_label(last, v.lang)))


def render(v: view.View) -> None:
    lang = v.lang
    st.title(t("page_portfolio", lang))
    st.caption(
        t(
            "portfolio_caption",
            lang,
            viewer=v.viewer_name,
            as_of=fmt.date(v.meta.as_of_date, lang),
            month=charts.month_label(economics.default_month(v.meta), lang),
        )
    )
    if not v.clients:
        st.info(t("no_clients", lang))
        view.sync_url(v)
        return

    if "show_churned" not in st.session_state:
        st.session_state["show_churned"] = st.query_params.get("churned") == "1"
    status = data.client_status(v.clients)
    if not economics.has_month_to_date(v.meta):
        shown_month = add_months(month_start(v.meta.as_of_date), -1)
        st.info(
            t(
                "portfolio_last_month_note",
                lang,
                current=charts.month_label(month_start(v.meta.as_of_date), lang),
                month=charts.month_label(shown_month, lang),
            ),
            icon=":material/info:",
        )
        status = _last_full_month(status, v)
    _kpis(status, lang, v.money)
    _my_numbers(v)

    show_churned = st.toggle(t("show_churned", lang), key="show_churned")
    shown = status if show_churned else status[status["health"] != "churned"]
    reasons = data.client_health_reasons(v.clients)
    if not v.money:
        reasons = reasons[~reasons["reason_code"].isin(_MONEY_REASONS)]
    _low_balances(shown, v)
    _attention(shown, reasons, lang)
    _table(shown, reasons, v)
    _report_link(shown if not shown.empty else status, v)
    _client_reports(v)
    if v.money:
        _unmatched_payments(v)
    _chart(v)
    view.sync_url(v, {"churned": "1" if show_churned else None})


current_view = view.current()
if current_view is None:  # Streamlit ran this file without app.py (see dashboard/shell.py)
    shell.run()
else:
    render(current_view)
