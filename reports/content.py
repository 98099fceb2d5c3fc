"""What one client's report says, in one language: cards, sentences, tables; no layout.

:func:`build_content` turns :class:`~reports.figures.Figures` into :class:`ReportContent`, which
both renderers lay out: the PDF (:mod:`reports.pdf`) formats each value the dashboard's way
(:mod:`dashboard.fmt`) and the workbook (:mod:`reports.xlsx`) writes the same values as numbers
with number formats, so the two files hold the same figures. The tables are the dashboard's
(:mod:`dashboard.tables`: the same ratios from the same sums, "—" for cost ratios without
spend), and the words its :mod:`dashboard.i18n`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from dashboard import fmt, tables
from dashboard.fmt import Lang
from dashboard.i18n import leads_by_type_text, source_name, t
from dashboard.periods import month_end, month_start
from reports.figures import Figures
from reports.narrative import what_changed
from reports.periods import month_name, period_title

__all__ = [
    "REPORTED_FEEDS",
    "Card",
    "Kind",
    "ReportContent",
    "Table",
    "build_content",
    "content_digest",
    "format_value",
]

Kind = Literal["money", "money0", "int", "pct", "pct0", "pct2", "delta", "date", "text"]
"""How a value is shown: money with kopecks or whole rubles, a count, a percent with 1, 0 or 2
decimals, a signed change, a date, text."""

Better = Literal["up", "down", "none"]


def format_value(value: object, kind: Kind, lang: Lang) -> str:
    """A value as the dashboard shows it (``1 234 567,89 ₽``, ``12,3 %``, ``—`` when missing)."""
    if kind == "money":
        return fmt.money(value, lang)
    if kind == "money0":
        return fmt.money(value, lang, 0)
    if kind == "int":
        return fmt.integer(value, lang)
    if kind == "pct":
        return fmt.percent(value, lang)
    if kind == "pct0":
        return fmt.percent(value, lang, 0)
    if kind == "pct2":
        return fmt.percent(value, lang, 2)
    if kind == "delta":
        return fmt.delta_percent(value, lang)
    if kind == "date":
        return fmt.date(value, lang)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return fmt.MISSING
    return str(value)


@dataclass(frozen=True)
class Card:
    """A headline figure with its two comparisons."""

    key: str
    label: str
    kind: Kind
    value: float | None
    previous: float | None
    year_ago: float | None
    better: Better
    """Which way is good news: more leads (``up``), a lower CPL (``down``), spend (``none``)."""

    @property
    def change_previous(self) -> float | None:
        return tables.relative_change(self.value, self.previous)

    @property
    def change_year(self) -> float | None:
        return tables.relative_change(self.value, self.year_ago)


@dataclass(frozen=True)
class Table:
    """One section's table: display headers, values as numbers, and how each column is shown."""

    key: str
    """``results``, ``leads``, ``plan``, ``campaigns``, ``daily``, ``passport``."""
    title: str
    frame: pd.DataFrame
    kinds: Mapping[str, Kind]
    """Column header -> kind; columns not listed are text."""
    total_row: bool = False
    """The last row is a totals row (printed bold)."""
    note: str | None = None
    in_pdf: bool = True
    """False for tables only the workbook holds (the days, which the PDF draws as a chart)."""

    def kind(self, column: str) -> Kind:
        return self.kinds.get(column, "text")


@dataclass(frozen=True)
class ReportContent:
    """Everything one report says, in one language."""

    lang: Lang
    figures: Figures
    title: str
    """``Отчёт о рекламе``."""
    client_name: str
    period_line: str
    """``Октябрь 2026 (01.10.2026 – 31.10.2026)``."""
    notes: tuple[str, ...]
    """Under the period: a period still running, the comparison periods."""
    cards: tuple[Card, ...]
    leads_by_type: str
    summary: tuple[str, ...]
    """"What changed": sentences written by rules, each citing its figures."""
    no_data: str | None
    """Why the report has no tables (no rows in the period, or no data yet); None otherwise."""
    tables: tuple[Table, ...]
    data_line: str
    """``Данные по 22.11.2026 включительно, опубликованы 23.11.2026 07:05 МСК.``: on the first page."""
    freshness: tuple[str, ...]
    """The data cut-off, publication and run id, then one entry per source (the appendix)."""
    passport_intro: str
    passport: Table

    def table(self, key: str) -> Table | None:
        return next((tbl for tbl in self.tables if tbl.key == key), None)


REPORTED_FEEDS: frozenset[str] = frozenset({"ad_stats", "calls", "leads"})
"""Feeds whose freshness a client report lists (the agency's invoices and payments are not in it)."""

_CARD_KEYS: tuple[tuple[str, str, Kind, Better], ...] = (
    ("spend", "metric_spend", "money0", "none"),
    ("leads", "metric_leads", "int", "up"),
    ("cpl", "metric_cpl", "money", "down"),
    ("calls", "metric_calls", "int", "up"),
    ("ctr", "metric_ctr", "pct2", "up"),
    ("clicks", "metric_clicks", "int", "up"),
)


def _cards(figures: Figures, lang: Lang) -> tuple[Card, ...]:
    """The headline cards; "—" for every value when the period has no days of data yet, and for a
    comparison period without any row (before the client's data starts)."""

    def value(totals: tables.Totals, key: str, known: bool) -> float | None:
        raw = getattr(totals, key)
        return None if raw is None or not known else float(raw)

    now, before, year = figures.totals, figures.totals_previous, figures.totals_year_ago
    return tuple(
        Card(
            key=key,
            label=t(label_key, lang),
            kind=kind,
            value=value(now, key, not figures.period.is_empty),
            previous=value(before, key, not figures.channels_previous.empty),
            year_ago=value(year, key, figures.year_ago_has_data),
            better=better,
        )
        for key, label_key, kind, better in _CARD_KEYS
    )


def _pick(frame: pd.DataFrame, headers: Sequence[str]) -> pd.DataFrame:
    return frame[[h for h in headers if h in frame.columns]].reset_index(drop=True)


def _channel_tables(figures: Figures, lang: Lang) -> list[Table]:
    full = tables.channel_table(figures.channels, lang, figures.channel_names)
    h = {key: t(key, lang) for key in (
        "col_channel", "col_spend", "col_share", "col_impressions", "col_clicks", "col_ctr", "col_cpc",
        "col_leads", "col_cpl", "col_calls", "col_target_calls",
    )}  # fmt: skip
    kinds: dict[str, Kind] = {
        h["col_spend"]: "money",
        h["col_share"]: "pct",
        h["col_impressions"]: "int",
        h["col_clicks"]: "int",
        h["col_ctr"]: "pct2",
        h["col_cpc"]: "money",
        h["col_leads"]: "int",
        h["col_cpl"]: "money",
        h["col_calls"]: "int",
        h["col_target_calls"]: "int",
    }
    types = [t(f"col_{kind}_leads", lang) for kind in tables.lead_type_columns(figures.channels)]
    kinds.update(dict.fromkeys(types, "int"))
    results = _pick(
        full,
        [h["col_channel"], h["col_spend"], h["col_share"], h["col_impressions"], h["col_clicks"],
         h["col_ctr"], h["col_cpc"], h["col_leads"], h["col_cpl"]],
    )  # fmt: skip
    leads = _pick(full, [h["col_channel"], h["col_calls"], h["col_target_calls"], *types, h["col_leads"]])
    return [
        Table("results", t("results_title", lang), results, kinds, total_row=True),
        Table("leads", t("leads_title", lang), leads, kinds, total_row=True),
    ]


def _daily_table(figures: Figures, lang: Lang) -> Table:
    df = figures.daily
    frame = pd.DataFrame(
        {
            t("col_date", lang): [pd.Timestamp(d).date() for d in df["date"]],
            t("col_spend", lang): df["spend"].astype("float64"),
            t("col_impressions", lang): df["impressions"],
            t("col_clicks", lang): df["clicks"],
            t("col_ctr", lang): [
                tables.ratio(c, i) for c, i in zip(df["clicks"], df["impressions"], strict=True)
            ],
            t("col_calls", lang): df["calls"],
            t("col_target_calls", lang): df["target_calls"],
            t("col_leads", lang): df["leads"],
        }
    )
    kinds: dict[str, Kind] = {
        t("col_date", lang): "date",
        t("col_spend", lang): "money",
        t("col_impressions", lang): "int",
        t("col_clicks", lang): "int",
        t("col_ctr", lang): "pct2",
        t("col_calls", lang): "int",
        t("col_target_calls", lang): "int",
        t("col_leads", lang): "int",
    }
    return Table("daily", t("trend_title", lang), frame, kinds, in_pdf=False)


def month_label(month: dt.date, figures: Figures, lang: Lang) -> str:
    """``октябрь 2026``; a month whose data stops before its end: ``ноябрь 2026 (по 22.11.2026)``."""
    label = month_name(month, lang)
    last = figures.meta.last_full_day
    if month_start(last) == month and last < month_end(month):
        return t("month_to_date", lang, month=label, day=fmt.date(last, lang))
    return label


def has_plan(monthly: pd.DataFrame) -> bool:
    return not monthly.empty and not (
        monthly["plan_budget"].isna().all() and monthly["plan_leads"].isna().all()
    )


def _plan_table(figures: Figures, lang: Lang) -> Table:
    monthly = figures.monthly
    labels = {m: month_label(pd.Timestamp(m).date(), figures, lang) for m in monthly["month"]}
    full = tables.plan_table(monthly, lang, labels)
    full = full.drop(columns=[t("col_invoiced", lang), t("col_paid", lang)])
    kinds: dict[str, Kind] = {
        t("col_spend", lang): "money0",
        t("col_plan_budget", lang): "money0",
        t("col_budget_fulfilment", lang): "pct0",
        t("col_pacing", lang): "pct0",
        t("col_leads", lang): "int",
        t("col_plan_leads", lang): "int",
        t("col_leads_fulfilment", lang): "pct0",
        t("col_cpl", lang): "money",
        t("col_plan_cpl", lang): "money",
        t("col_cpl_fulfilment", lang): "pct0",
    }
    if not has_plan(monthly):
        return Table("plan", t("plan_title", lang), full.iloc[0:0], kinds, note=t("no_plan", lang))
    return Table("plan", t("plan_title", lang), full, kinds)


def _campaign_table(figures: Figures, lang: Lang) -> Table:
    full = tables.campaign_table(figures.campaigns, lang, figures.channel_names)
    frame = full.drop(columns=[t("col_account", lang)])
    kinds: dict[str, Kind] = {
        t("col_spend", lang): "money",
        t("col_impressions", lang): "int",
        t("col_clicks", lang): "int",
        t("col_ctr", lang): "pct2",
        t("col_cpc", lang): "money",
    }
    return Table("campaigns", t("campaigns_title", lang), frame, kinds)


_PASSPORT: tuple[tuple[str, str, bool], ...] = (
    # metric label key, passport metric (the formula's words: passport_<metric>), money when the
    # serving file has no published passport (net of VAT, in the client's currency)
    ("metric_spend", "spend", True),
    ("col_impressions", "impressions", False),
    ("metric_clicks", "clicks", False),
    ("metric_ctr", "ctr", False),
    ("col_cpc", "cpc", True),
    ("col_share", "share", False),
    ("metric_calls", "calls", False),
    ("col_target_calls", "target_calls", False),
    ("metric_leads", "leads", False),
    ("metric_cpl", "cpl", True),
    ("col_budget_fulfilment", "budget_fulfilment", True),
    ("col_pacing", "budget_pacing", True),
    ("col_leads_fulfilment", "leads_fulfilment", False),
    ("col_cpl_fulfilment", "cpl_fulfilment", True),
)


def _vat_and_currency(figures: Figures, metric: str, money: bool, lang: Lang) -> tuple[str, str]:
    """VAT and currency of a metric as the published passport states them (else by ``money``)."""
    currency = figures.client.currency
    if metric not in figures.passport:
        return (t("vat_net", lang), currency) if money else (fmt.MISSING, fmt.MISSING)
    vat, unit_currency = figures.passport[metric]
    vat_text = {"net": t("vat_net", lang), "gross": t("vat_gross", lang)}.get(vat, fmt.MISSING)
    if unit_currency is None:
        return vat_text, fmt.MISSING
    return vat_text, currency if unit_currency == "client" else unit_currency


def _passport(figures: Figures, lang: Lang, with_plan: bool) -> Table:
    plan_rows = {"col_budget_fulfilment", "col_pacing", "col_leads_fulfilment", "col_cpl_fulfilment"}
    rows = [row for row in _PASSPORT if with_plan or row[0] not in plan_rows]
    vat_currency = [_vat_and_currency(figures, metric, money, lang) for _, metric, money in rows]
    frame = pd.DataFrame(
        {
            t("col_metric", lang): [t(label, lang) for label, _, _ in rows],
            t("col_formula", lang): [t(f"passport_{metric}", lang) for _, metric, _ in rows],
            t("col_vat", lang): [vat for vat, _ in vat_currency],
            t("col_currency", lang): [currency for _, currency in vat_currency],
        }
    )
    return Table("passport", t("passport_title", lang), frame, {})


def _freshness(figures: Figures, lang: Lang) -> tuple[str, ...]:
    meta = figures.meta
    head = t(
        "report_freshness",
        lang,
        cutoff=fmt.date(meta.data_cutoff, lang),
        run=meta.run_id or fmt.MISSING,
        published=fmt.datetime_msk(meta.published_at, lang),
    )
    entries = [head]
    for row in figures.freshness.to_dict("records"):
        if row["feed"] not in REPORTED_FEEDS:
            continue
        name = source_name(
            str(row["source"]), lang, figures.channel_names, figures.source_names, str(row["account_id"])
        )
        last = row["last_data_date"]
        if last is None or pd.isna(last):
            entries.append(f"{name}: {t('source_never', lang)}")
            continue
        day = fmt.date(pd.Timestamp(last).date(), lang)
        stale = pd.to_numeric(row["days_stale"], errors="coerce")
        behind = row["feed"] in tables.DAILY_FEEDS and not pd.isna(stale) and stale > tables.STALE_DAYS
        key = "source_behind" if behind else "source_through"
        entries.append(t(key, lang, name=name, day=day, days=fmt.integer(stale, lang)))
    return tuple(entries)


def build_content(figures: Figures, lang: Lang) -> ReportContent:
    """The report of ``figures`` in ``lang``."""
    period, requested = figures.period, figures.requested
    notes: list[str] = []
    if figures.is_partial and not period.is_empty:
        notes.append(t("report_partial", lang, cutoff=fmt.date(period.end, lang)))
    if not period.is_empty:
        notes.append(
            t(
                "report_compared",
                lang,
                previous=fmt.date_range(figures.previous.start, figures.previous.end, lang),
                year_ago=fmt.date_range(figures.year_ago.start, figures.year_ago.end, lang),
            )
        )
    shown = period if not period.is_empty else requested
    title, days = period_title(requested, lang), fmt.date_range(shown.start, shown.end, lang)
    period_line = days if title == days else t("report_days", lang, title=title, days=days)
    no_data: str | None = None
    if period.is_empty:
        no_data = t("period_empty", lang, cutoff=fmt.date(figures.meta.last_full_day, lang))
    elif not figures.has_data:
        no_data = t("no_results", lang)
    plan = _plan_table(figures, lang) if not figures.monthly.empty and not period.is_empty else None
    sections: list[Table] = []
    if no_data is None:
        sections += [*_channel_tables(figures, lang), _daily_table(figures, lang)]
    if plan is not None:
        sections.append(plan)
    if no_data is None and not figures.campaigns.empty:
        sections.append(_campaign_table(figures, lang))
    with_plan = plan is not None and plan.note is None
    return ReportContent(
        lang=lang,
        figures=figures,
        title=t("report_title", lang),
        client_name=figures.client.name,
        period_line=period_line,
        notes=tuple(notes),
        cards=_cards(figures, lang),
        leads_by_type=leads_by_type_text(figures.totals.leads_by_type, lang),
        summary=tuple(what_changed(figures, lang)) if no_data is None else (),
        no_data=no_data,
        tables=tuple(sections),
        data_line=t(
            "report_data_line",
            lang,
            cutoff=fmt.date(figures.meta.data_cutoff, lang),
            published=fmt.datetime_msk(figures.meta.published_at, lang),
        ),
        freshness=_freshness(figures, lang),
        passport_intro=t(
            "passport_intro",
            lang,
            timezone=figures.client.timezone,
            currency=figures.client.currency,
            cutoff=fmt.date(figures.meta.data_cutoff, lang),
        ),
        passport=_passport(figures, lang, with_plan),
    )


def content_digest(content: ReportContent) -> str:
    """SHA-256 of what a report says about its period: language, client, period, notes, cards,
    the "what changed" text and every table's values; not the lines that change with each
    publication (data cut-off, publication time, run id, the sources' freshness).

    Two renderings with the same digest tell the client the same thing, so the send log can tell
    a corrected report from a re-render of the one already sent, and a manager's approval stays
    valid through nightly re-publications of unchanged figures."""
    payload = {
        "lang": content.lang,
        "client": [content.figures.client.client_id, content.client_name],
        "title": content.title,
        "period": content.period_line,
        "notes": list(content.notes),
        "cards": [repr(card) for card in content.cards],
        "leads_by_type": content.leads_by_type,
        "summary": list(content.summary),
        "no_data": content.no_data,
        "tables": [
            [tbl.key, tbl.title, tbl.note, tbl.frame.to_csv(index=False, lineterminator="\n")]
            for tbl in content.tables
        ],
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
