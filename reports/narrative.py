""" "What changed": a few sentences written from the numbers by fixed rules (no language model).

Every sentence names a figure, the comparison it rests on and the figure it is compared with
("Лиды: 412, на 18,2 % больше, чем в сентябре (348)."), so a client can check each one against
the cards and tables. The rules, in the order the sentences appear:

1. leads, spend and CPL against the previous period, always (when both periods have data);
2. calls, CTR and clicks against the previous period, only when they moved by at least
   :data:`NOTABLE_CHANGE`;
3. leads and CPL against the same period a year earlier, when that period has data;
4. the channel whose leads changed the most against the previous period, when the change is at
   least :data:`CHANNEL_MIN_LEADS` leads and :data:`NOTABLE_CHANGE` of the previous total;
5. for a period that is a month (or the month so far, up to the data's last day): the month's
   leads and budget against its plan, and for a month still running the budget pacing.

A change rounds the way it is printed: one that shows as "0,0 %" reads "столько же".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import pandas as pd

from dashboard import fmt, tables
from dashboard.fmt import Lang
from dashboard.i18n import channel_name, t
from dashboard.periods import month_end, month_start
from reports.figures import Figures
from reports.periods import in_period_text, month_name

__all__ = ["CHANNEL_MIN_LEADS", "NOTABLE_CHANGE", "compare_sentence", "shows_as_zero", "what_changed"]

NOTABLE_CHANGE: Final = 0.10
"""Calls, CTR and clicks are mentioned when they moved by at least this share."""
CHANNEL_MIN_LEADS: Final = 3
"""A channel's change in leads is mentioned when it is at least this many leads."""

_RATIOS: Final = frozenset({"cpl", "ctr"})
"""Metrics that are "выше/ниже" (higher/lower) rather than "больше/меньше" (more/less)."""

_METRICS: Final[dict[str, tuple[str, str]]] = {
    # key -> (label key, how its value is written)
    "leads": ("metric_leads", "int"),
    "spend": ("metric_spend", "money0"),
    "cpl": ("metric_cpl", "money"),
    "calls": ("metric_calls", "int"),
    "ctr": ("metric_ctr", "pct2"),
    "clicks": ("metric_clicks", "int"),
}


def _show(value: object, kind: str, lang: Lang) -> str:
    if kind == "money0":
        return fmt.money(value, lang, 0)
    if kind == "money":
        return fmt.money(value, lang)
    if kind == "pct2":
        return fmt.percent(value, lang, 2)
    return fmt.integer(value, lang)


def shows_as_zero(change: float) -> bool:
    """Whether a relative change prints as "0,0 %" (one decimal, half up)."""
    return Decimal(repr(change * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) == 0


def compare_sentence(
    key: str, value: float | None, before: float | None, when: str, lang: Lang, *, notable_only: bool = False
) -> str | None:
    """One metric against one comparison period, or None when there is nothing to say (a value
    missing, both zero, or a change below :data:`NOTABLE_CHANGE` when ``notable_only``)."""
    if value is None or before is None:
        return None
    label_key, kind = _METRICS[key]
    words = {
        "metric": t(label_key, lang),
        "value": _show(value, kind, lang),
        "before": _show(before, kind, lang),
        "when": when,
    }
    if before == 0:
        return None if value == 0 or notable_only else t("change_from_zero", lang, **words)
    change = tables.relative_change(value, before)
    if change is None:
        return None
    if notable_only and abs(change) < NOTABLE_CHANGE:
        return None
    if shows_as_zero(change):
        return t("change_same", lang, **words)
    direction = "up" if change > 0 else "down"
    suffix = "_ratio" if key in _RATIOS else ""
    return t(f"change_{direction}{suffix}", lang, pct=fmt.percent(abs(change), lang), **words)


def _value(totals: tables.Totals, key: str) -> float | None:
    raw = getattr(totals, key)
    return None if raw is None else float(raw)


def _channel_sentence(figures: Figures, when: str, lang: Lang) -> str | None:
    def leads(frame: pd.DataFrame) -> dict[str, int]:
        rows = frame[frame["channel"].notna()]
        return {str(c): int(n) for c, n in zip(rows["channel"], rows["leads"], strict=True)}

    now, before = leads(figures.channels), leads(figures.channels_previous)
    changes = {c: now.get(c, 0) - before.get(c, 0) for c in sorted(set(now) | set(before))}
    if not changes:
        return None
    channel = max(changes, key=lambda c: (abs(changes[c]), changes[c]))
    delta = changes[channel]
    total_before = figures.totals_previous.leads
    if abs(delta) < CHANNEL_MIN_LEADS or abs(delta) < NOTABLE_CHANGE * total_before:
        return None
    return t(
        "channel_gain" if delta > 0 else "channel_loss",
        lang,
        channel=channel_name(channel, lang, figures.channel_names),
        value=fmt.integer(now.get(channel, 0), lang),
        before=fmt.integer(before.get(channel, 0), lang),
        when=when,
    )


def _plan_sentences(figures: Figures, lang: Lang) -> list[str]:
    period = figures.period
    month = month_start(period.start)
    # The month's row is the whole month as far as the data goes: the period must be that too.
    covered_to = min(month_end(month), figures.meta.last_full_day)
    if period.start != month or period.end != covered_to or figures.monthly.empty:
        return []
    rows = figures.monthly[[pd.Timestamp(m).date() == month for m in figures.monthly["month"]]]
    if rows.empty:
        return []
    row = rows.iloc[0]
    name = month_name(month, lang)
    out: list[str] = []
    plan_leads, plan_budget = row["plan_leads"], row["plan_budget"]
    if not pd.isna(plan_leads) and plan_leads > 0:
        out.append(
            t(
                "plan_leads_sentence",
                lang,
                month=name,
                pct=fmt.percent(row["leads_fulfilment"], lang, 0),
                value=fmt.integer(row["leads"], lang),
                plan=fmt.integer(plan_leads, lang),
            )
        )
    if not pd.isna(plan_budget) and plan_budget > 0:
        out.append(
            t(
                "plan_budget_sentence",
                lang,
                month=name,
                pct=fmt.percent(row["budget_fulfilment"], lang, 0),
                value=fmt.money(row["spend"], lang, 0),
                plan=fmt.money(plan_budget, lang, 0),
            )
        )
        running = period.end < month_end(month)
        if running and not pd.isna(row["budget_pacing"]):
            out.append(
                t(
                    "plan_pacing_sentence",
                    lang,
                    day=fmt.date(period.end, lang),
                    pct=fmt.percent(row["budget_pacing"], lang, 0),
                )
            )
    return out


def what_changed(figures: Figures, lang: Lang) -> list[str]:
    """The sentences of the "what changed" section; none when the period has no data."""
    if figures.period.is_empty or not figures.has_data:
        return []
    year = figures.period.start.year
    out: list[str] = []
    now = figures.totals
    if not figures.channels_previous.empty:
        when = in_period_text(figures.previous, lang, reference_year=year)
        before = figures.totals_previous
        for key in ("leads", "spend", "cpl"):
            out.append(compare_sentence(key, _value(now, key), _value(before, key), when, lang) or "")
        for key in ("calls", "ctr", "clicks"):
            sentence = compare_sentence(
                key, _value(now, key), _value(before, key), when, lang, notable_only=True
            )
            out.append(sentence or "")
    if figures.year_ago_has_data:
        when = in_period_text(figures.year_ago, lang, reference_year=year)
        last_year = figures.totals_year_ago
        for key in ("leads", "cpl"):
            out.append(compare_sentence(key, _value(now, key), _value(last_year, key), when, lang) or "")
    if not figures.channels_previous.empty:
        when = in_period_text(figures.previous, lang, reference_year=year)
        out.append(_channel_sentence(figures, when, lang) or "")
    out += _plan_sentences(figures, lang)
    return [sentence for sentence in out if sentence]
