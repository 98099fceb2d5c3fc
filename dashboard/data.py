"""Every read of the published marts (the serving DuckDB file, or PostgreSQL's ``serving``
schema with ``AGENCY_WAREHOUSE=postgres``): all of the dashboard's SQL lives here.

Rules this module keeps (see docs/decisions.md, "One writer"):

- Reads go through a :class:`dashboard.warehouse.ServingConnection`, one per page
  (:func:`pinned`, which the shell opens around the page): the serving file is opened read-only
  for one query and closed at once; on PostgreSQL the page resolves the published version once
  and reads every query from it, and the connection is closed with the page. No connection is
  held between pages (a held one would block the publisher).
- The SQL is written once for both warehouses (DuckDB's dialect where PostgreSQL's agrees).
- Every query that returns client data takes ``clients``, the ids the viewer may see, and
  filters by it in SQL; a client id outside that set returns nothing. Four reads are not
  client-scoped: :func:`publish_meta` (the file's one-row ``_publish_meta``),
  :func:`viewer_directory` (ids, names and managers only, used to work out *which* clients a
  viewer may see), :func:`channel_names` (``dim_channels``, reference data of no client) and
  :func:`metric_passport` (the metric definitions).
- Bank payments whose payer is no configured client (``client_id`` NULL) belong to no manager:
  :func:`unmatched_payments` returns them only with ``include_unassigned=True``, which the
  caller passes for a viewer who sees all clients (``view.ALL_CLIENTS``, the agency head).
- Values reach SQL only as bound parameters (``$name``), never through string formatting.
- Results are cached with ``st.cache_data`` keyed on the published version (the file's path,
  mtime and size; PostgreSQL's version schema), so a new publish is picked up on the next rerun.

Where the marts are comes from ``AGENCY_WAREHOUSE`` (:func:`dashboard.warehouse.source_from_env`):
the serving file of ``AGENCY_SERVING_DB`` (default ``data/serving/serving.duckdb``, a relative
path resolved against the repository root), or PostgreSQL's ``serving`` schema (``AGENCY_PG_*``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.warehouse import (
    DEFAULT_SERVING_DB,
    ServingConnection,
    ServingNotPublishedError,
    ServingVersionGoneError,
    serving_path,
    source_from_env,
)

__all__ = [
    "DEFAULT_SERVING_DB",
    "PublishMeta",
    "ServingNotPublishedError",
    "ServingVersionGoneError",
    "channel_names",
    "channel_results",
    "client_health_reasons",
    "client_lifecycle",
    "client_month",
    "client_payments",
    "client_receivables",
    "client_status",
    "daily_results",
    "lead_ledger",
    "lead_reconciliation",
    "manager_economics",
    "manager_portfolio",
    "metric_passport",
    "monthly_comparison",
    "monthly_plan",
    "pinned",
    "portfolio_monthly",
    "publish_meta",
    "serving_path",
    "source_freshness",
    "source_names",
    "top_campaigns",
    "unmatched_payments",
    "viewer_directory",
]

_PINNED: contextvars.ContextVar[ServingConnection | None] = contextvars.ContextVar("serving", default=None)

_Params = tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class PublishMeta:
    """The serving file's ``_publish_meta`` row."""

    published_at: dt.datetime | None
    """When the file was published (timezone-aware, UTC)."""
    as_of_date: dt.date
    """The day the figures are "as of" (pacing, overdue, freshness count from it)."""
    run_id: str | None
    data_cutoff: dt.date | None
    """The last full day with data."""

    @property
    def last_full_day(self) -> dt.date:
        """The last day a report may include: data_cutoff, else the day before as_of_date."""
        yesterday = self.as_of_date - dt.timedelta(days=1)
        return min(self.data_cutoff, yesterday) if self.data_cutoff else yesterday


@contextlib.contextmanager
def pinned() -> Iterator[ServingConnection]:
    """Read one published version for everything inside (a page): on PostgreSQL the version is
    resolved once and every query reads it; the connection is closed on exit."""
    current = _PINNED.get()
    if current is not None:  # already pinned by an outer page
        yield current
        return
    with source_from_env().connect() as con:
        token = _PINNED.set(con)
        try:
            yield con
        finally:
            _PINNED.reset(token)


@st.cache_data(max_entries=512, show_spinner=False)
def _cached_query(key: Hashable, sql: str, params: _Params, _con: ServingConnection) -> pd.DataFrame:
    """Run one query against the published version ``key`` (the serving file's path, mtime and
    size; PostgreSQL's version schema) through ``_con``, which reads that version."""
    return _con.query(sql, dict(params))


def _query(sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
    frozen = tuple(sorted((params or {}).items()))
    with pinned() as con:
        return _cached_query(con.version, sql, frozen, con)  # cache_data hands out a fresh copy


def _scope(clients: Sequence[str]) -> tuple[str, ...]:
    """The viewer's client ids as a canonical (sorted, unique) tuple: one cache entry per set."""
    return tuple(sorted({str(c) for c in clients}))


def publish_meta() -> PublishMeta:
    """The published file's metadata. Raises :class:`ServingNotPublishedError` if there is no file."""
    df = _query("select published_at, as_of_date, run_id, data_cutoff from _publish_meta limit 1")
    if df.empty:
        raise ServingNotPublishedError(source_from_env().location)
    row = df.iloc[0]
    published = row["published_at"]
    published_at = None if pd.isna(published) else pd.Timestamp(published).tz_localize("UTC").to_pydatetime()
    cutoff = row["data_cutoff"]
    run_id = row["run_id"]
    return PublishMeta(
        published_at=published_at,
        as_of_date=pd.Timestamp(row["as_of_date"]).date(),
        run_id=None if pd.isna(run_id) else str(run_id),
        data_cutoff=None if pd.isna(cutoff) else pd.Timestamp(cutoff).date(),
    )


def viewer_directory() -> pd.DataFrame:
    """All clients with their managers, to work out which clients a viewer may see.

    Columns: client_id, client_name, manager_id, manager_name, is_churned.
    """
    return _query(
        """
        select client_id, client_name, manager_id, manager_name, is_churned
        from dim_clients
        order by client_name, client_id
        """
    )


def channel_names() -> dict[str, tuple[str, str]]:
    """Channel code -> (Russian name, English name) from ``dim_channels``, in its sort order.

    Reference data, not client-scoped. A channel missing here is displayed as its code
    (:func:`dashboard.i18n.channel_name`).
    """
    df = _query(queries.CHANNEL_NAMES)
    return {
        str(code): (str(ru), str(en))
        for code, ru, en in zip(df["channel"], df["name_ru"], df["name_en"], strict=True)
    }


def source_names() -> dict[str, tuple[str, str]]:
    """Source code -> (Russian name, English name) from ``dim_sources`` (the source registry).

    Reference data, not client-scoped. A source missing here is displayed as its code.
    """
    df = _query(queries.SOURCE_NAMES)
    return {
        str(code): (str(ru), str(en))
        for code, ru, en in zip(df["source"], df["label_ru"], df["label_en"], strict=True)
    }


def client_status(clients: Sequence[str]) -> pd.DataFrame:
    """The ``client_status`` rows (the morning view, one per client) of the visible clients."""
    return _query(
        """
        select *
        from client_status
        where client_id in (select unnest($clients::varchar[]))
        order by client_name, client_id
        """,
        {"clients": _scope(clients)},
    )


def client_health_reasons(clients: Sequence[str]) -> pd.DataFrame:
    """Why the visible clients need attention: ``client_health_reasons`` rows, by client and order.

    Columns: client_id, reason_code, reason_order, value_pct, value_days.
    """
    return _query(
        """
        select client_id, reason_code, reason_order, value_pct, value_days
        from client_health_reasons
        where client_id in (select unnest($clients::varchar[]))
        order by client_id, reason_order, reason_code
        """,
        {"clients": _scope(clients)},
    )


def portfolio_monthly(clients: Sequence[str], first_month: dt.date, last_month: dt.date) -> pd.DataFrame:
    """Monthly totals over the visible clients, ``first_month`` to ``last_month`` (first days).

    Columns: month, spend, leads, clicks, impressions, plan_budget, plan_leads, invoiced, paid,
    outstanding (sums; plans are NULL when no client had a plan that month).
    """
    return _query(
        """
        select
            month,
            sum(spend) as spend,
            sum(leads) as leads,
            sum(clicks) as clicks,
            sum(impressions) as impressions,
            sum(plan_budget) as plan_budget,
            cast(sum(plan_leads) as double precision) as plan_leads,  -- the same type in both warehouses
            sum(invoiced) as invoiced,
            sum(paid) as paid,
            sum(outstanding) as outstanding
        from client_monthly
        where client_id in (select unnest($clients::varchar[]))
            and month between $first_month and $last_month
        group by month
        order by month
        """,
        {"clients": _scope(clients), "first_month": first_month, "last_month": last_month},
    )


def client_month(clients: Sequence[str], month: dt.date) -> pd.DataFrame:
    """The visible clients' ``client_monthly`` rows of one month (its first day)."""
    return _query(
        """
        select client_id, month, spend, leads, cpl, plan_budget, plan_leads, plan_cpl, budget_fulfilment
        from client_monthly
        where client_id in (select unnest($clients::varchar[])) and month = $month
        order by client_id
        """,
        {"clients": _scope(clients), "month": month},
    )


def client_lifecycle(clients: Sequence[str], month: dt.date) -> pd.DataFrame:
    """The visible clients' lifecycle in one month (``client_lifecycle_monthly``): client_id,
    is_active, lifecycle_status, first_active_month, lifetime_months, ltv_net, fee_invoiced_net."""
    return _query(
        """
        select client_id, is_active, lifecycle_status, first_active_month, lifetime_months, ltv_net,
            fee_invoiced_net
        from client_lifecycle_monthly
        where client_id in (select unnest($clients::varchar[])) and month = $month
        order by client_id
        """,
        {"clients": _scope(clients), "month": month},
    )


def client_receivables(clients: Sequence[str], month: dt.date) -> pd.DataFrame:
    """The visible clients' receivables at one month's snapshot (``receivables_monthly``):
    client_id, snapshot_on, outstanding, overdue, dso_days; the largest overdue first."""
    return _query(
        """
        select client_id, snapshot_on, outstanding, overdue, dso_days
        from receivables_monthly
        where client_id in (select unnest($clients::varchar[])) and month = $month
        order by overdue desc, client_id
        """,
        {"clients": _scope(clients), "month": month},
    )


# Both manager reads keep managers all of whose clients the viewer sees (a per-manager mart's row
# is about visible clients only) and, for the agency's rows, whether the viewer sees every client.


def manager_economics(clients: Sequence[str], first_month: dt.date, last_month: dt.date) -> pd.DataFrame:
    """``manager_economics_monthly`` rows for ``first_month``..``last_month``: scope ``manager``
    for every manager whose clients are all visible, scope ``agency`` (manager_id NULL) when every
    client is. A viewer who sees only part of a manager's clients gets no row for that manager."""
    return _query(
        """
        with visible as (
            select unnest($clients::varchar[]) as client_id
        ),
        managers as (
            select
                dim_clients.manager_id,
                bool_and(visible.client_id is not null) as whole
            from dim_clients
            left join visible on dim_clients.client_id = visible.client_id
            group by dim_clients.manager_id
        )
        select economics.*
        from manager_economics_monthly as economics
        where economics.month between $first_month and $last_month
            and (
                (economics.scope = 'manager'
                    and economics.manager_id in (select manager_id from managers where whole))
                or (economics.scope = 'agency' and (select bool_and(whole) from managers))
            )
        order by economics.scope, economics.manager_id, economics.month
        """,
        {"clients": _scope(clients), "first_month": first_month, "last_month": last_month},
    )


def manager_portfolio(clients: Sequence[str], first_month: dt.date, last_month: dt.date) -> pd.DataFrame:
    """``manager_portfolio`` rows (spend and leads against plan per manager and month) for the
    managers whose clients are all visible, ``first_month``..``last_month``."""
    return _query(
        """
        with visible as (
            select unnest($clients::varchar[]) as client_id
        ),
        managers as (
            select
                dim_clients.manager_id,
                bool_and(visible.client_id is not null) as whole
            from dim_clients
            left join visible on dim_clients.client_id = visible.client_id
            group by dim_clients.manager_id
        )
        select portfolio.*
        from manager_portfolio as portfolio
        where portfolio.month between $first_month and $last_month
            and portfolio.manager_id in (select manager_id from managers where whole)
        order by portfolio.manager_id, portfolio.month
        """,
        {"clients": _scope(clients), "first_month": first_month, "last_month": last_month},
    )


def monthly_comparison(clients: Sequence[str], client_id: str, month: dt.date) -> pd.DataFrame:
    """One visible client's ``monthly_comparisons`` rows of ``month`` (its first day): the client
    grain first (``channel`` NULL), then its channels. Each row has the period's bounds and sums,
    the previous equal period's and the same period's a year earlier (``previous_*``,
    ``year_ago_*``), ratios recomputed from each period's sums. Empty for a client not visible."""
    return _query(
        """
        select *
        from monthly_comparisons
        where client_id in (select unnest($clients::varchar[]))
            and client_id = $client_id and month = $month
        order by grain desc, channel
        """,
        {"clients": _scope(clients), "client_id": client_id, "month": month},
    )


def metric_passport() -> pd.DataFrame:
    """The published metric passport (reference data of no client): metric, formula, unit, vat,
    currency, time_zone, grain, source_column, by sort_order."""
    return _query(
        "select metric, formula, unit, vat, currency, time_zone, grain, source_column "
        "from metric_passport order by sort_order, metric"
    )


def channel_results(clients: Sequence[str], client_id: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One client's sums per channel over ``start``..``end`` (inclusive), plus a totals row.

    The totals row has ``channel`` NULL and is computed from the same sums (``ROLLUP``), last.
    Columns: channel, spend, impressions, clicks, calls, unique_calls, target_calls, leads and
    leads by type: call_leads, form_leads, chat_leads, crm_leads (they add up to leads).
    Empty when the client is not visible or has no rows in the period.
    """
    return _query(
        queries.CHANNEL_RESULTS,
        {"clients": _scope(clients), "client_id": client_id, "start": start, "end": end},
    )


def daily_results(clients: Sequence[str], client_id: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One client's totals per day over ``start``..``end``, every day present (zeros when quiet).

    Columns: date, spend, impressions, clicks, calls, target_calls, leads.
    Empty when the client is not visible.
    """
    return _query(
        queries.DAILY_RESULTS,
        {"clients": _scope(clients), "client_id": client_id, "start": start, "end": end},
    )


def monthly_plan(
    clients: Sequence[str], client_id: str, first_month: dt.date, last_month: dt.date
) -> pd.DataFrame:
    """One client's ``client_monthly`` rows (actual vs plan) for ``first_month``..``last_month``."""
    return _query(
        queries.MONTHLY_PLAN,
        {
            "clients": _scope(clients),
            "client_id": client_id,
            "first_month": first_month,
            "last_month": last_month,
        },
    )


def lead_reconciliation(
    clients: Sequence[str], client_id: str, first_month: dt.date, last_month: dt.date
) -> pd.DataFrame:
    """One client's leads per lead system, summed over ``first_month``..``last_month`` (first days).

    ``lead_reconciliation`` is monthly: a period is reconciled over the whole months it touches.
    Columns: source, records, excluded_records, source_leads (= records - excluded_records: the
    system's own total), merged_leads (its leads merged into another system's lead), ledger_leads
    (= source_leads - merged_leads: in the report). The most leads first.
    """
    return _query(
        """
        select
            source,
            sum(records) as records,
            sum(excluded_records) as excluded_records,
            sum(source_leads) as source_leads,
            sum(merged_leads) as merged_leads,
            sum(ledger_leads) as ledger_leads
        from lead_reconciliation
        where client_id in (select unnest($clients::varchar[]))
            and client_id = $client_id
            and month between $first_month and $last_month
        group by source
        order by sum(source_leads) desc, sum(records) desc, source
        """,
        {
            "clients": _scope(clients),
            "client_id": client_id,
            "first_month": first_month,
            "last_month": last_month,
        },
    )


def lead_ledger(clients: Sequence[str], client_id: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One client's leads dated ``start``..``end`` (``lead_ledger`` rows), newest first.

    No contact data: ``contact_hash`` is never read. Columns: lead_at (client time zone),
    lead_date, lead_type, source, account_id, record_id, channel, utm_campaign, counted_by,
    merged_events.
    """
    return _query(
        """
        select
            lead_at, lead_date, lead_type, source, account_id, record_id, channel, utm_campaign,
            counted_by, merged_events
        from lead_ledger
        where client_id in (select unnest($clients::varchar[]))
            and client_id = $client_id
            and lead_date between $start and $end
        order by lead_at desc, lead_key desc
        """,
        {"clients": _scope(clients), "client_id": client_id, "start": start, "end": end},
    )


def top_campaigns(
    clients: Sequence[str], client_id: str, start: dt.date, end: dt.date, limit: int = 10
) -> pd.DataFrame:
    """One client's campaigns with the most spend over the period.

    Columns: channel, platform_account_id, campaign_id, campaign_name, spend, impressions, clicks.
    """
    return _query(
        queries.TOP_CAMPAIGNS,
        {"clients": _scope(clients), "client_id": client_id, "start": start, "end": end, "limit": limit},
    )


def source_freshness(clients: Sequence[str], client_id: str | None = None) -> pd.DataFrame:
    """``source_freshness`` rows of the visible clients (of one of them when ``client_id`` is given).

    Columns: client_id, source, feed, account_id, last_data_date, last_loaded_at, days_stale.
    Daily feeds (ads, calls) first.
    """
    return _query(
        queries.SOURCE_FRESHNESS,
        {"clients": _scope(clients), "client_id": client_id},
    )


def unmatched_payments(clients: Sequence[str], *, include_unassigned: bool = False) -> pd.DataFrame:
    """Incoming bank payments matched to no invoice, newest first: the visible clients' ones,
    plus (with ``include_unassigned``) those whose payer is no client at all.

    Pass ``include_unassigned=True`` only for a viewer who sees all clients: a payment from an
    unknown payer belongs to no manager. Columns: paid_on, client_id, payer_name, payer_inn,
    document_number, amount, payment_amount, purpose and the reason (unmatched_reason_code,
    unmatched_amount_reason_code, unmatched_invoice_numbers, unmatched_invoice_number,
    unmatched_open_invoices).
    """
    return _query(
        """
        select
            paid_on, client_id, payer_name, payer_inn, document_number, amount, payment_amount, purpose,
            unmatched_reason_code, unmatched_amount_reason_code, unmatched_invoice_numbers,
            unmatched_invoice_number, unmatched_open_invoices
        from payments
        where match_method = 'unmatched'
            and (
                client_id in (select unnest($clients::varchar[]))
                or (client_id is null and $include_unassigned)
            )
        order by paid_on desc, document_number, payer_inn
        """,
        {"clients": _scope(clients), "include_unassigned": bool(include_unassigned)},
    )


def client_payments(clients: Sequence[str], client_id: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One client's incoming bank payments received ``start``..``end``, newest first.

    A payment split across invoices has one row per invoice. Columns: paid_on, document_number,
    payer_inn, amount, payment_amount, invoice_number, match_method and the reason
    (unmatched_reason_code, unmatched_amount_reason_code, unmatched_invoice_numbers,
    unmatched_invoice_number, unmatched_open_invoices).
    """
    return _query(
        """
        select
            paid_on, document_number, payer_inn, amount, payment_amount, invoice_number, match_method,
            unmatched_reason_code, unmatched_amount_reason_code, unmatched_invoice_numbers,
            unmatched_invoice_number, unmatched_open_invoices
        from payments
        where client_id in (select unnest($clients::varchar[]))
            and client_id = $client_id
            and paid_on between $start and $end
        order by paid_on desc, document_number, invoice_number
        """,
        {"clients": _scope(clients), "client_id": client_id, "start": start, "end": end},
    )


def data_health(clients: Sequence[str]) -> pd.DataFrame:
    """Per configured account of the visible clients still served (``source_freshness``'s rows),
    what was loaded and what failed (``account_coverage``): the data-health page.

    Columns: client_id, source, feed, account_id, last_data_date, days_stale, covered_to (the
    last day of a covered run), last_success (the latest good load), last_status (of the run
    reaching furthest: covered or failed), last_error and last_failed_at (of that run when it
    failed).
    """
    return _query(
        """
        with coverage as (
            select
                client_id, source, account_id, status, day_to, last_loaded_at, last_failed_at, last_error,
                row_number() over (
                    partition by client_id, source, account_id order by day_to desc, status desc
                ) as recency
            from account_coverage
            where client_id in (select unnest($clients::varchar[]))
        ),
        summary as (
            select
                client_id, source, account_id,
                max(case when status = 'covered' then day_to end) as covered_to,
                max(last_loaded_at) as last_success,
                max(case when recency = 1 then status end) as last_status,
                max(case when recency = 1 and status = 'failed' then last_error end) as last_error,
                max(case when recency = 1 and status = 'failed' then last_failed_at end) as last_failed_at
            from coverage
            group by client_id, source, account_id
        )
        select
            f.client_id, f.source, f.feed, f.account_id, f.last_data_date, f.days_stale,
            s.covered_to, coalesce(s.last_success, f.last_loaded_at) as last_success,
            s.last_status, s.last_error, s.last_failed_at
        from source_freshness as f
        left join summary as s
            on f.client_id = s.client_id and f.source = s.source
            and coalesce(f.account_id, '') = coalesce(s.account_id, '')
        where f.client_id in (select unnest($clients::varchar[]))
            -- a churned client's sources stop with it: nothing to fix there
            and f.client_id not in (select client_id from dim_clients where is_churned)
        order by f.client_id, f.source, f.account_id
        """,
        {"clients": _scope(clients)},
    )


def ad_account_balances(clients: Sequence[str]) -> pd.DataFrame:
    """The money left on the visible clients' ad accounts (``ad_account_balances``): client_id,
    source, account_id, amount, currency, balance_at, avg_daily_spend_7d, days_left,
    threshold_days, status (ok, low, empty, unknown), last_error. Emptiest first."""
    return _query(
        """
        select client_id, source, account_id, amount, currency, balance_at, avg_daily_spend_7d,
            days_left, threshold_days, status, last_error
        from ad_account_balances
        where client_id in (select unnest($clients::varchar[]))
        order by case status when 'empty' then 0 when 'low' then 1 when 'unknown' then 2 else 3 end,
            days_left nulls last, client_id, source, account_id
        """,
        {"clients": _scope(clients)},
    )
