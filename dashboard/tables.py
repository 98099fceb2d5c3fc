"""Table builders: query results -> the tables people read (pure functions over DataFrames).

Ratios are always computed from the summed numerators and denominators of the row (the metric
passport in DOMAIN.md), never averaged from daily ratios; a zero or missing denominator gives
``None`` (shown as "—"). Cost ratios (CPC, CPL) of a row with no ad spend (SEO, direct visits,
referrals) are ``None`` too: "—", not "0,00 ₽" (:func:`cost_ratio`). Builders return numeric
frames with display column names; formatting is applied by :func:`styled` so that sorting in the
browser still sorts numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
from pandas.io.formats.style import Styler

from dashboard import fmt
from dashboard.fmt import Lang
from dashboard.i18n import (
    LEAD_TYPES,
    ChannelNames,
    HealthReason,
    PaymentReason,
    channel_name,
    counted_by_label,
    health_label,
    health_reasons_text,
    lead_type_label,
    match_method_label,
    payment_reason_text,
    source_name,
    t,
)

__all__ = [
    "CHANNEL_COMPARISON_METRICS",
    "COMPARISON_METRICS",
    "PACING_TOLERANCE",
    "RECONCILIATION_COUNTS",
    "RECONCILIATION_HELP",
    "STALE_DAYS",
    "Totals",
    "campaign_formats",
    "campaign_table",
    "channel_formats",
    "channel_table",
    "cost_ratio",
    "health_reasons_by_client",
    "lead_ledger_formats",
    "lead_ledger_table",
    "lead_type_columns",
    "payment_reasons",
    "payments_formats",
    "payments_table",
    "plan_formats",
    "plan_table",
    "portfolio_formats",
    "portfolio_table",
    "ratio",
    "reconciliation_formats",
    "reconciliation_table",
    "reconciliation_totals",
    "relative_change",
    "styled",
    "unmatched_payments_formats",
    "unmatched_payments_table",
]

_HEALTH_ORDER = {"attention": 0, "ok": 1, "churned": 2}

# The thresholds of client_status's health rules, so that cells are highlighted the same way.
PACING_TOLERANCE = 0.15
"""Budget pacing off by more than this (|pacing - 1|) needs attention."""
STALE_DAYS = 2
"""A daily source more than this many days behind needs attention."""

DAILY_FEEDS: Final[frozenset[str]] = frozenset({"ad_stats", "calls"})
"""Feeds (``dim_sources.feed``) that deliver every day; the invoice register is monthly."""


def _num(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _count(value: object) -> int:
    """A published count as an int; 0 when missing."""
    number = _num(value)
    return 0 if number is None else round(number)


def ratio(numerator: object, denominator: object) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    num, den = _num(numerator), _num(denominator)
    if num is None or den is None or den == 0:
        return None
    return num / den


def cost_ratio(spend: object, denominator: object) -> float | None:
    """spend / denominator (CPC, CPL), or None when there was no ad spend (missing or zero: an
    organic or direct channel has no cost per click or per lead) or the denominator is 0."""
    amount = _num(spend)
    if amount is None or amount == 0:
        return None
    return ratio(amount, denominator)


def relative_change(current: object, previous: object) -> float | None:
    """(current - previous) / previous; None when either is missing or previous is 0."""
    cur, prev = _num(current), _num(previous)
    if cur is None or prev is None or prev == 0:
        return None
    return (cur - prev) / abs(prev)


@dataclass(frozen=True)
class Totals:
    """Sums over a period and the ratios computed from them."""

    spend: float = 0.0
    impressions: int = 0
    clicks: int = 0
    calls: int = 0
    target_calls: int = 0
    leads: int = 0
    call_leads: int = 0
    form_leads: int = 0
    chat_leads: int = 0
    crm_leads: int = 0

    @property
    def leads_by_type(self) -> dict[str, int]:
        """Lead type (:data:`dashboard.i18n.LEAD_TYPES`) -> leads of that type."""
        return {
            "call": self.call_leads,
            "form": self.form_leads,
            "chat": self.chat_leads,
            "crm": self.crm_leads,
        }

    @property
    def ctr(self) -> float | None:
        return ratio(self.clicks, self.impressions)

    @property
    def cpc(self) -> float | None:
        return cost_ratio(self.spend, self.clicks)

    @property
    def cpl(self) -> float | None:
        return cost_ratio(self.spend, self.leads)

    @classmethod
    def from_channel_results(cls, df: pd.DataFrame) -> Totals:
        """The totals row (channel NULL) of :func:`dashboard.data.channel_results`; zeros if empty."""
        rows = df[df["channel"].isna()]
        if rows.empty:
            return cls()
        row = rows.iloc[0]

        def count(col: str) -> int:
            return _count(row[col])

        return cls(
            spend=_num(row["spend"]) or 0.0,
            impressions=count("impressions"),
            clicks=count("clicks"),
            calls=count("calls"),
            target_calls=count("target_calls"),
            leads=count("leads"),
            call_leads=count("call_leads"),
            form_leads=count("form_leads"),
            chat_leads=count("chat_leads"),
            crm_leads=count("crm_leads"),
        )


def _ratio_column(num: pd.Series, den: pd.Series) -> pd.Series:
    return pd.Series([ratio(n, d) for n, d in zip(num, den, strict=True)], index=num.index, dtype="object")


def _cost_column(spend: pd.Series, den: pd.Series) -> pd.Series:
    return pd.Series(
        [cost_ratio(s, d) for s, d in zip(spend, den, strict=True)], index=spend.index, dtype="object"
    )


def lead_type_columns(results: pd.DataFrame) -> list[str]:
    """The lead types a channel table splits its leads into: those with leads in the totals row of
    :func:`data.channel_results`, when there are two or more (one type is all of the leads)."""
    totals = Totals.from_channel_results(results).leads_by_type
    present = [kind for kind in LEAD_TYPES if totals[kind] > 0]
    return present if len(present) > 1 else []


def channel_table(results: pd.DataFrame, lang: Lang, channel_names: ChannelNames) -> pd.DataFrame:
    """Results by channel with a last "Итого"/"Total" row, from :func:`data.channel_results`.

    Channels are named from ``channel_names`` (:func:`data.channel_names`), else by their code.

    Columns (display names): channel, spend, impressions, clicks, CTR, CPC, calls, target calls,
    leads, leads by type (:func:`lead_type_columns`: only the types the period has, and only
    when there are two or more), CPL, share of spend. Every ratio, the totals row's included,
    comes from its row's sums; CPL is spend / all leads; a row without spend has no CPC or CPL.
    """
    df = results.copy()
    total_spend = _num(df.loc[df["channel"].isna(), "spend"].sum()) if not df.empty else None
    by_type = {t(f"col_{kind}_leads", lang): df[f"{kind}_leads"] for kind in lead_type_columns(df)}
    out = pd.DataFrame(
        {
            t("col_channel", lang): [
                channel_name(c if isinstance(c, str) else None, lang, channel_names) for c in df["channel"]
            ],
            t("col_spend", lang): df["spend"].astype("float64"),
            t("col_impressions", lang): df["impressions"],
            t("col_clicks", lang): df["clicks"],
            t("col_ctr", lang): _ratio_column(df["clicks"], df["impressions"]),
            t("col_cpc", lang): _cost_column(df["spend"], df["clicks"]),
            t("col_calls", lang): df["calls"],
            t("col_target_calls", lang): df["target_calls"],
            t("col_leads", lang): df["leads"],
            **by_type,
            t("col_cpl", lang): _cost_column(df["spend"], df["leads"]),
            t("col_share", lang): [ratio(s, total_spend) for s in df["spend"]],
        }
    )
    return out.reset_index(drop=True)


def channel_formats(lang: Lang) -> dict[str, Callable[[Any], str]]:
    return {
        t("col_spend", lang): lambda v: fmt.money(v, lang),
        t("col_impressions", lang): lambda v: fmt.integer(v, lang),
        t("col_clicks", lang): lambda v: fmt.integer(v, lang),
        t("col_ctr", lang): lambda v: fmt.percent(v, lang, 2),
        t("col_cpc", lang): lambda v: fmt.money(v, lang),
        t("col_calls", lang): lambda v: fmt.integer(v, lang),
        t("col_target_calls", lang): lambda v: fmt.integer(v, lang),
        t("col_leads", lang): lambda v: fmt.integer(v, lang),
        **{t(f"col_{kind}_leads", lang): lambda v: fmt.integer(v, lang) for kind in LEAD_TYPES},
        t("col_cpl", lang): lambda v: fmt.money(v, lang),
        t("col_share", lang): lambda v: fmt.percent(v, lang),
    }


RECONCILIATION_COUNTS: Final[tuple[str, ...]] = (
    "records",
    "excluded_records",
    "source_leads",
    "merged_leads",
    "ledger_leads",
)
"""The count columns of :func:`data.lead_reconciliation`, in the order the table shows them."""

_RECONCILIATION_HEADERS: Final[dict[str, str]] = {
    "records": "col_records",
    "excluded_records": "col_excluded",
    "source_leads": "col_source_leads",
    "merged_leads": "col_merged",
    "ledger_leads": "col_ledger_leads",
}
RECONCILIATION_HELP: Final[dict[str, str]] = {
    "col_records": "help_records",
    "col_excluded": "help_excluded",
    "col_source_leads": "help_source_leads",
    "col_merged": "help_merged",
    "col_ledger_leads": "help_ledger_leads",
}
"""Column header key -> the key of its explanation (a tooltip)."""


def reconciliation_table(
    reconciliation: pd.DataFrame, lang: Lang, source_names: ChannelNames
) -> pd.DataFrame:
    """Leads per lead system (:func:`data.lead_reconciliation`) with a last "Итого"/"Total" row.

    Systems are named from ``source_names`` (:func:`data.source_names`), else by their code.
    """
    df = reconciliation
    names = [source_name(str(s), lang, None, source_names) for s in df["source"]]
    out = pd.DataFrame(
        {
            t("col_source", lang): [*names, t("total", lang)],
            **{
                t(_RECONCILIATION_HEADERS[col], lang): [
                    *(_count(v) for v in df[col]),
                    sum(_count(v) for v in df[col]),
                ]
                for col in RECONCILIATION_COUNTS
            },
        }
    )
    return out.reset_index(drop=True)


def reconciliation_formats(lang: Lang) -> dict[str, Callable[[Any], str]]:
    return {t(key, lang): lambda v: fmt.integer(v, lang) for key in _RECONCILIATION_HEADERS.values()}


def reconciliation_totals(reconciliation: pd.DataFrame) -> dict[str, int]:
    """Count column (:data:`RECONCILIATION_COUNTS`) -> its sum over the systems."""
    return {col: sum(_count(v) for v in reconciliation[col]) for col in RECONCILIATION_COUNTS}


def lead_ledger_table(
    ledger: pd.DataFrame, lang: Lang, channel_names: ChannelNames, source_names: ChannelNames
) -> pd.DataFrame:
    """The period's leads (:func:`data.lead_ledger`): when, type, system and record, channel,
    campaign, why it is a lead and how many other systems' enquiries it absorbed. No contacts."""
    df = ledger
    return pd.DataFrame(
        {
            t("col_lead_at", lang): df["lead_at"],
            t("col_lead_type", lang): [lead_type_label(v, lang) for v in df["lead_type"]],
            t("col_source", lang): [source_name(str(s), lang, None, source_names) for s in df["source"]],
            t("col_record", lang): df["record_id"],
            t("col_channel", lang): [
                channel_name(c, lang, channel_names) if isinstance(c, str) else fmt.MISSING
                for c in df["channel"]
            ],
            t("col_utm_campaign", lang): df["utm_campaign"],
            t("col_counted_by", lang): [counted_by_label(v, lang) for v in df["counted_by"]],
            t("col_merged_events", lang): df["merged_events"],
        }
    ).reset_index(drop=True)


def lead_ledger_formats(lang: Lang) -> dict[str, Callable[[Any], str]]:
    return {
        t("col_lead_at", lang): lambda v: fmt.date_time(v, lang),
        t("col_merged_events", lang): lambda v: fmt.integer(v, lang),
    }


def health_reasons_by_client(reasons: pd.DataFrame, lang: Lang) -> dict[str, str]:
    """Client id -> its reasons in words, ``'; '``-joined in ``reason_order``.

    ``reasons``: rows of :func:`data.client_health_reasons`. A client without rows is absent.
    """
    rows: dict[str, list[HealthReason]] = {}
    for row in reasons.sort_values(["client_id", "reason_order"]).to_dict("records"):
        rows.setdefault(str(row["client_id"]), []).append(
            HealthReason(str(row["reason_code"]), row["value_pct"], row["value_days"])
        )
    return {client: health_reasons_text(items, lang) for client, items in rows.items()}


def portfolio_table(
    status: pd.DataFrame, lang: Lang, with_manager: bool, reasons: pd.DataFrame
) -> pd.DataFrame:
    """One row per client from ``client_status``: attention first, then ok, then churned.

    The index is the client_id (for row selection). Client, (manager,) health and the numbers
    come first; the reasons (``reasons``: :func:`data.client_health_reasons`), the longest
    text, come last. Money and counts stay numeric.
    """
    words = health_reasons_by_client(reasons, lang)
    df = status.copy()
    df["_order"] = df["health"].map(_HEALTH_ORDER).fillna(3)
    df = df.sort_values(["_order", "spend_mtd", "client_name"], ascending=[True, False, True])
    cols: dict[str, Any] = {t("col_client", lang): df["client_name"]}
    if with_manager:
        cols[t("col_manager", lang)] = df["manager_name"]
    cols.update(
        {
            t("col_health", lang): [health_label(h, lang) for h in df["health"]],
            t("col_spend_mtd", lang): df["spend_mtd"].astype("float64"),
            t("col_plan_budget", lang): df["plan_budget"].astype("float64"),
            t("col_pacing", lang): df["budget_pacing"].astype("float64"),
            t("col_leads_mtd", lang): df["leads_mtd"],
            t("col_plan_leads", lang): df["plan_leads"],
            t("col_cpl_mtd", lang): df["cpl_mtd"].astype("float64"),
            t("col_plan_cpl", lang): df["plan_cpl"].astype("float64"),
            t("col_cpl_trend", lang): [
                relative_change(a, b) for a, b in zip(df["cpl_last_30d"], df["cpl_prev_30d"], strict=True)
            ],
            t("col_outstanding", lang): df["outstanding_total"].astype("float64"),
            t("col_overdue", lang): df["overdue_total"].astype("float64"),
            t("col_days_stale", lang): df["max_days_stale"],
            t("col_reasons", lang): [words.get(str(c), "") for c in df["client_id"]],
        }
    )
    out = pd.DataFrame(cols)
    out.index = pd.Index(df["client_id"].astype(str), name="client_id")
    return out


def portfolio_formats(lang: Lang) -> dict[str, Callable[[Any], str]]:
    return {
        t("col_spend_mtd", lang): lambda v: fmt.money(v, lang, 0),
        t("col_plan_budget", lang): lambda v: fmt.money(v, lang, 0),
        t("col_pacing", lang): lambda v: fmt.percent(v, lang, 0),
        t("col_leads_mtd", lang): lambda v: fmt.integer(v, lang),
        t("col_plan_leads", lang): lambda v: fmt.integer(v, lang),
        t("col_cpl_mtd", lang): lambda v: fmt.money(v, lang, 0),
        t("col_plan_cpl", lang): lambda v: fmt.money(v, lang, 0),
        t("col_cpl_trend", lang): lambda v: fmt.delta_percent(v, lang, 0),
        t("col_outstanding", lang): lambda v: fmt.money(v, lang, 0),
        t("col_overdue", lang): lambda v: fmt.money(v, lang, 0),
        t("col_days_stale", lang): lambda v: fmt.integer(v, lang),
    }


def plan_table(monthly: pd.DataFrame, lang: Lang, month_labels: Mapping[Any, str]) -> pd.DataFrame:
    """Plan vs actual per month from ``client_monthly`` (ratios as published by the mart; a month
    without spend has no CPL, and so no CPL against the target)."""
    df = monthly
    spent = [(_num(v) or 0) != 0 for v in df["spend"]]
    return pd.DataFrame(
        {
            t("col_month", lang): [month_labels.get(m, str(m)) for m in df["month"]],
            t("col_spend", lang): df["spend"].astype("float64"),
            t("col_plan_budget", lang): df["plan_budget"].astype("float64"),
            t("col_budget_fulfilment", lang): df["budget_fulfilment"],
            t("col_pacing", lang): df["budget_pacing"],
            t("col_leads", lang): df["leads"],
            t("col_plan_leads", lang): df["plan_leads"],
            t("col_leads_fulfilment", lang): df["leads_fulfilment"],
            t("col_cpl", lang): [_num(v) if s else None for v, s in zip(df["cpl"], spent, strict=True)],
            t("col_plan_cpl", lang): df["plan_cpl"].astype("float64"),
            t("col_cpl_fulfilment", lang): [
                _num(v) if s else None for v, s in zip(df["cpl_fulfilment"], spent, strict=True)
            ],
            t("col_invoiced", lang): df["invoiced"].astype("float64"),
            t("col_paid", lang): df["paid"].astype("float64"),
        }
    ).reset_index(drop=True)


def plan_formats(lang: Lang) -> dict[str, Callable[[Any], str]]:
    return {
        t("col_spend", lang): lambda v: fmt.money(v, lang, 0),
        t("col_plan_budget", lang): lambda v: fmt.money(v, lang, 0),
        t("col_budget_fulfilment", lang): lambda v: fmt.percent(v, lang, 0),
        t("col_pacing", lang): lambda v: fmt.percent(v, lang, 0),
        t("col_leads", lang): lambda v: fmt.integer(v, lang),
        t("col_plan_leads", lang): lambda v: fmt.integer(v, lang),
        t("col_leads_fulfilment", lang): lambda v: fmt.percent(v, lang, 0),
        t("col_cpl", lang): lambda v: fmt.money(v, lang),
        t("col_plan_cpl", lang): lambda v: fmt.money(v, lang),
        t("col_cpl_fulfilment", lang): lambda v: fmt.percent(v, lang, 0),
        t("col_invoiced", lang): lambda v: fmt.money(v, lang, 0),
        t("col_paid", lang): lambda v: fmt.money(v, lang, 0),
    }


def campaign_table(campaigns: pd.DataFrame, lang: Lang, channel_names: ChannelNames) -> pd.DataFrame:
    """Top campaigns with CTR and CPC from their sums."""
    df = campaigns
    return pd.DataFrame(
        {
            t("col_campaign", lang): df["campaign_name"].fillna(df["campaign_id"]),
            t("col_channel", lang): [channel_name(c, lang, channel_names) for c in df["channel"]],
            t("col_account", lang): df["platform_account_id"],
            t("col_spend", lang): df["spend"].astype("float64"),
            t("col_impressions", lang): df["impressions"],
            t("col_clicks", lang): df["clicks"],
            t("col_ctr", lang): _ratio_column(df["clicks"], df["impressions"]),
            t("col_cpc", lang): _cost_column(df["spend"], df["clicks"]),
        }
    ).reset_index(drop=True)


def campaign_formats(lang: Lang) -> dict[str, Callable[[Any], str]]:
    return {
        t("col_spend", lang): lambda v: fmt.money(v, lang),
        t("col_impressions", lang): lambda v: fmt.integer(v, lang),
        t("col_clicks", lang): lambda v: fmt.integer(v, lang),
        t("col_ctr", lang): lambda v: fmt.percent(v, lang, 2),
        t("col_cpc", lang): lambda v: fmt.money(v, lang),
    }


def payment_reasons(payments: pd.DataFrame, lang: Lang) -> list[str]:
    """Each payment's unmatched reason in words (``''`` when matched), from the ``payments`` columns."""
    return [
        payment_reason_text(
            PaymentReason(
                code=row["unmatched_reason_code"] if isinstance(row["unmatched_reason_code"], str) else None,
                amount_code=(
                    row["unmatched_amount_reason_code"]
                    if isinstance(row["unmatched_amount_reason_code"], str)
                    else None
                ),
                payer_inn=row["payer_inn"],
                amount=row["payment_amount"],
                invoice_number=row["unmatched_invoice_number"],
                invoice_numbers=row["unmatched_invoice_numbers"],
                open_invoices=row["unmatched_open_invoices"],
            ),
            lang,
        )
        for row in payments.to_dict("records")
    ]


def unmatched_payments_table(
    payments: pd.DataFrame, lang: Lang, client_names: Mapping[str, str]
) -> pd.DataFrame:
    """Payments matched to no invoice (:func:`dashboard.data.unmatched_payments`), newest first.

    The client column names the payer's client, or says the payer is no client of the agency.
    """
    df = payments
    clients = [
        t("payer_not_client", lang) if not isinstance(c, str) else client_names.get(c, c)
        for c in df["client_id"]
    ]
    return pd.DataFrame(
        {
            t("col_paid_on", lang): df["paid_on"],
            t("col_client", lang): clients,
            t("col_payer", lang): df["payer_name"],
            t("col_inn", lang): df["payer_inn"],
            t("col_amount", lang): df["amount"].astype("float64"),
            t("col_purpose", lang): df["purpose"],
            t("col_reason", lang): payment_reasons(df, lang),
        }
    ).reset_index(drop=True)


def unmatched_payments_formats(lang: Lang) -> dict[str, Callable[[Any], str]]:
    return {
        t("col_paid_on", lang): lambda v: fmt.date(v, lang),
        t("col_amount", lang): lambda v: fmt.money(v, lang),
    }


def payments_table(payments: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """One client's payments (:func:`dashboard.data.client_payments`): one row per invoice paid."""
    df = payments
    return pd.DataFrame(
        {
            t("col_paid_on", lang): df["paid_on"],
            t("col_document", lang): df["document_number"],
            t("col_amount", lang): df["amount"].astype("float64"),
            t("col_invoice", lang): [i if isinstance(i, str) else fmt.MISSING for i in df["invoice_number"]],
            t("col_match", lang): [match_method_label(m, lang) for m in df["match_method"]],
        }
    ).reset_index(drop=True)


def payments_formats(lang: Lang) -> dict[str, Callable[[Any], str]]:
    return {
        t("col_paid_on", lang): lambda v: fmt.date(v, lang),
        t("col_amount", lang): lambda v: fmt.money(v, lang),
    }


def styled(
    df: pd.DataFrame,
    formats: Mapping[str, Callable[[Any], str]],
    *,
    bold_last_row: bool = False,
    cell_styles: Mapping[str, Callable[[Any], str]] | None = None,
) -> Styler:
    """A Styler that shows ``formats`` (missing values as "—") and keeps numbers sortable."""
    present = {col: f for col, f in formats.items() if col in df.columns}
    styler = df.style.format(present, na_rep=fmt.MISSING)  # type: ignore[arg-type]
    for col, rule in (cell_styles or {}).items():
        if col in df.columns:
            styler = styler.map(rule, subset=[col])
    if bold_last_row and len(df):
        last = df.index[-1]
        styler = styler.apply(
            lambda row: ["font-weight: bold" if row.name == last else "" for _ in row], axis=1
        )
    return styler


# metric label key, monthly_comparisons column (previous_<column>, year_ago_<column> beside it)
COMPARISON_METRICS: Final[tuple[tuple[str, str], ...]] = (
    ("metric_spend", "spend"),
    ("col_impressions", "impressions"),
    ("col_clicks", "clicks"),
    ("metric_leads", "leads"),
    ("metric_ctr", "ctr"),
    ("col_cpc", "cpc"),
    ("metric_cpl", "cpl"),
)


def comparison_table(row: Mapping[Any, Any], lang: Lang) -> pd.DataFrame:
    """One ``monthly_comparisons`` row as a table: each metric in the period, the previous equal
    period and the same period a year earlier, with the changes. The values (ratios included)
    are the mart's, each period's ratio recomputed there from its own sums; a change is the
    relative difference of the two published values."""
    show: dict[str, Callable[[object], str]] = {
        "spend": lambda x: fmt.money(x, lang, 0),
        "ctr": lambda x: fmt.percent(x, lang, 2),
        "cpc": lambda x: fmt.money(x, lang),
        "cpl": lambda x: fmt.money(x, lang),
    }
    columns: dict[str, list[str]] = {
        t(key, lang): []
        for key in (
            "col_metric",
            "col_value",
            "col_previous",
            "col_change",
            "col_year_ago",
            "col_change_year",
        )
    }
    for key, column in COMPARISON_METRICS:
        text: Callable[[object], str] = show.get(column, lambda x: fmt.integer(x, lang))
        now, before, year_ago = (row.get(c) for c in (column, f"previous_{column}", f"year_ago_{column}"))
        cells = (
            t(key, lang),
            text(now),
            text(before),
            fmt.delta_percent(relative_change(now, before), lang),
            text(year_ago),
            fmt.delta_percent(relative_change(now, year_ago), lang),
        )
        for name, cell in zip(columns, cells, strict=True):
            columns[name].append(cell)
    return pd.DataFrame(columns)


# metric label key, monthly_comparisons column: the channel grain's table shows these three
CHANNEL_COMPARISON_METRICS: Final[tuple[tuple[str, str], ...]] = (
    ("metric_spend", "spend"),
    ("metric_leads", "leads"),
    ("metric_cpl", "cpl"),
)


def channel_comparison_table(rows: pd.DataFrame, lang: Lang, channel_names: ChannelNames) -> pd.DataFrame:
    """The channel rows of ``monthly_comparisons`` (one client, one month) as a table: per channel,
    spend, leads and CPL in the period with their changes against the previous equal period and
    the same period a year earlier (the mart's values; CPL recomputed there from each period's
    sums). The largest spend first; a channel new this year has no change to show."""
    show: dict[str, Callable[[object], str]] = {
        "spend": lambda x: fmt.money(x, lang, 0),
        "cpl": lambda x: fmt.money(x, lang),
    }
    ordered = rows.sort_values(["spend", "channel"], ascending=[False, True], na_position="last")
    columns: dict[str, list[str]] = {t("col_channel", lang): []}
    for key, _ in CHANNEL_COMPARISON_METRICS:
        metric = t(key, lang)
        for name in (
            metric,
            t("col_vs_previous", lang, metric=metric),
            t("col_vs_year", lang, metric=metric),
        ):
            columns[name] = []
    for _, row in ordered.iterrows():
        cells = [channel_name(str(row["channel"]), lang, channel_names)]
        for _, column in CHANNEL_COMPARISON_METRICS:
            text: Callable[[object], str] = show.get(column, lambda x: fmt.integer(x, lang))
            now = row.get(column)
            cells += [
                text(now),
                fmt.delta_percent(relative_change(now, row.get(f"previous_{column}")), lang),
                fmt.delta_percent(relative_change(now, row.get(f"year_ago_{column}")), lang),
            ]
        for name, cell in zip(columns, cells, strict=True):
            columns[name].append(cell)
    return pd.DataFrame(columns)
