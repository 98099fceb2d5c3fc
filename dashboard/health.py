"""The data-health page without Streamlit: each account's state and what to do about it.

One row per configured account of the visible clients (:func:`dashboard.data.data_health`):
``failing`` (the last attempt failed: the vendor's or the parser's message), ``never`` (nothing
ever loaded), ``behind`` (a daily feed whose covered days end more than :data:`BEHIND_AFTER_DAYS`
before yesterday) or ``ok``. Problems first, then by client and source.

:func:`balance_table` words the ad account balances (``ad_account_balances``): the money left,
the last week's daily spend, the days it lasts and the status code's word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from typing import Any, Final

import pandas as pd

from dashboard import fmt
from dashboard.fmt import Lang
from dashboard.i18n import ChannelNames, source_name, t

__all__ = [
    "BALANCE_PROBLEMS",
    "BEHIND_AFTER_DAYS",
    "STATES",
    "balance_money",
    "balance_table",
    "health_rows",
    "health_table",
]

BEHIND_AFTER_DAYS: Final = 2
"""The alerts' default ``stale_after_days``: a daily feed this many days short of yesterday is behind."""
STATES: Final = ("failing", "never", "behind", "ok")
_DAILY_FEEDS: Final = frozenset({"ad_stats", "calls", "leads"})
BALANCE_PROBLEMS: Final = frozenset({"low", "empty"})
"""Balance status codes that need the manager (the ``balance_low`` alert's)."""


def _date(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _state(row: Mapping[Hashable, Any], as_of: dt.date) -> str:
    if row.get("last_status") == "failed":
        return "failing"
    covered = _date(row.get("covered_to")) or _date(row.get("last_data_date"))
    if covered is None:
        return "never"
    yesterday = as_of - dt.timedelta(days=1)
    if row.get("feed") in _DAILY_FEEDS and (yesterday - covered).days > BEHIND_AFTER_DAYS:
        return "behind"
    return "ok"


def health_rows(df: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """``df`` with a ``state`` column, problems first (:data:`STATES` order)."""
    out = df.copy()
    out["state"] = [_state(row, as_of) for row in df.to_dict("records")]
    out["_order"] = out["state"].map({s: i for i, s in enumerate(STATES)})
    return out.sort_values(["_order", "client_id", "source", "account_id"]).drop(columns="_order")


def health_table(
    rows: pd.DataFrame,
    lang: Lang,
    client_names: Mapping[str, str],
    source_names: ChannelNames,
    channel_names: ChannelNames,
) -> pd.DataFrame:
    """The page's table in ``lang``: client, source, account, state, covered up to, last good load,
    last error, what to do."""
    records = rows.to_dict("records")
    return pd.DataFrame(
        {
            t("col_client", lang): [
                client_names.get(str(r["client_id"]), str(r["client_id"])) for r in records
            ],
            t("col_source", lang): [
                source_name(str(r["source"]), lang, channel_names, source_names, r["account_id"])
                for r in records
            ],
            t("col_account", lang): [r["account_id"] or fmt.MISSING for r in records],
            t("col_health_state", lang): [t(f"health_state_{r['state']}", lang) for r in records],
            t("col_covered_to", lang): [
                fmt.date(_date(r["covered_to"]) or _date(r["last_data_date"]), lang) for r in records
            ],
            t("col_last_success", lang): [fmt.datetime_msk(r["last_success"], lang) for r in records],
            t("col_last_error", lang): [r["last_error"] or "" for r in records],
            t("col_what_to_do", lang): [t(f"health_todo_{r['state']}", lang) for r in records],
        }
    )


def balance_money(value: object, currency: object, lang: Lang) -> str:
    """Rubles as the dashboard writes them; another currency by its code: ``1 520 000,00 KZT``."""
    if not isinstance(currency, str) or currency in ("", "RUB"):  # None/NaN: no snapshot, no money
        return fmt.money(value, lang)
    amount = fmt.number(value, lang, 2)
    return amount if amount == fmt.MISSING else f"{amount}{fmt.NBSP}{currency}"


def balance_table(
    rows: pd.DataFrame,
    lang: Lang,
    client_names: Mapping[str, str],
    source_names: ChannelNames,
    channel_names: ChannelNames,
) -> pd.DataFrame:
    """The balances in ``lang``: client, source, account, money left, daily spend (last 7 days),
    days left, state, when it was read, the last read's error."""
    records = rows.to_dict("records")
    return pd.DataFrame(
        {
            t("col_client", lang): [
                client_names.get(str(r["client_id"]), str(r["client_id"])) for r in records
            ],
            t("col_source", lang): [
                source_name(str(r["source"]), lang, channel_names, source_names) for r in records
            ],
            t("col_account", lang): [r["account_id"] for r in records],
            t("col_balance", lang): [balance_money(r["amount"], r["currency"], lang) for r in records],
            t("col_daily_spend_7d", lang): [
                balance_money(r["avg_daily_spend_7d"], r["currency"], lang) for r in records
            ],
            t("col_days_left", lang): [fmt.number(r["days_left"], lang, 1) for r in records],
            t("col_balance_state", lang): [t(f"balance_state_{r['status']}", lang) for r in records],
            t("col_balance_at", lang): [fmt.datetime_msk(r["balance_at"], lang) for r in records],
            t("col_last_error", lang): [r["last_error"] or "" for r in records],
        }
    )
