"""The SQL over the serving file that the dashboard and the client reports share.

Plain text, no Streamlit: :mod:`dashboard.data` runs these through its cache for the signed-in
viewer's clients, :mod:`reports.data` through one read-only connection for one report (its
``clients`` is that one client). Writing each query once is what makes a report's figures the
dashboard's. Every query takes ``$clients`` (the client ids the reader may see) and binds every
other value as a parameter too.
"""

from __future__ import annotations

__all__ = [
    "CHANNEL_NAMES",
    "CHANNEL_RESULTS",
    "DAILY_RESULTS",
    "MONTHLY_PLAN",
    "SOURCE_FRESHNESS",
    "SOURCE_NAMES",
    "TOP_CAMPAIGNS",
]

CHANNEL_NAMES = "select channel, name_ru, name_en from dim_channels order by sort_order, channel"
"""Reference data: channel code, Russian and English names."""

SOURCE_NAMES = "select source, label_ru, label_en from dim_sources order by sort_order, source"
"""Reference data: source code, Russian and English names (the source registry)."""

CHANNEL_RESULTS = """
    select
        channel,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(calls) as calls,
        sum(unique_calls) as unique_calls,
        sum(target_calls) as target_calls,
        sum(leads) as leads,
        sum(call_leads) as call_leads,
        sum(form_leads) as form_leads,
        sum(chat_leads) as chat_leads,
        sum(crm_leads) as crm_leads
    from client_channel_daily
    where client_id in (select unnest($clients::varchar[]))
        and client_id = $client_id
        and date between $start and $end
    group by rollup (channel)
    having count(*) > 0  -- no rows: no totals row either
    order by channel is null, sum(spend) desc, channel
"""
"""One client's sums per channel over ``$start``..``$end`` plus the totals row (channel NULL, last)."""

DAILY_RESULTS = """
    with days as (
        select cast(d as date) as date
        from generate_series(cast($start as date), cast($end as date), interval '1 day') as t(d)
    ),
    visible as (
        select client_id
        from dim_clients
        where client_id in (select unnest($clients::varchar[])) and client_id = $client_id
    ),
    daily as (
        select
            date,
            sum(spend) as spend,
            sum(impressions) as impressions,
            sum(clicks) as clicks,
            sum(calls) as calls,
            sum(target_calls) as target_calls,
            sum(leads) as leads
        from client_channel_daily
        where client_id in (select unnest($clients::varchar[]))
            and client_id = $client_id
            and date between $start and $end
        group by date
    )
    select
        days.date,
        coalesce(daily.spend, 0) as spend,
        coalesce(daily.impressions, 0) as impressions,
        coalesce(daily.clicks, 0) as clicks,
        coalesce(daily.calls, 0) as calls,
        coalesce(daily.target_calls, 0) as target_calls,
        coalesce(daily.leads, 0) as leads
    from days
    cross join visible
    left join daily on daily.date = days.date
    order by days.date
"""
"""One client's totals per day, every day of the period present (zeros when quiet)."""

MONTHLY_PLAN = """
    select *
    from client_monthly
    where client_id in (select unnest($clients::varchar[]))
        and client_id = $client_id
        and month between $first_month and $last_month
    order by month
"""
"""One client's ``client_monthly`` rows (actual vs plan) for ``$first_month``..``$last_month``."""

TOP_CAMPAIGNS = """
    select
        channel,
        platform_account_id,
        campaign_id,
        max(campaign_name) as campaign_name,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from client_campaign_daily
    where client_id in (select unnest($clients::varchar[]))
        and client_id = $client_id
        and date between $start and $end
    group by channel, platform_account_id, campaign_id
    having sum(spend) > 0 or sum(clicks) > 0
    order by sum(spend) desc, sum(clicks) desc, campaign_id
    limit $limit
"""
"""One client's campaigns with the most spend over the period (``$limit`` of them)."""

SOURCE_FRESHNESS = """
    select client_id, source, feed, account_id, last_data_date, last_loaded_at, days_stale
    from source_freshness
    where client_id in (select unnest($clients::varchar[]))
        and (cast($client_id as varchar) is null or client_id = $client_id)
    order by client_id, feed not in ('ad_stats', 'calls'), source, account_id
"""
"""``source_freshness`` rows of the readable clients (of one when ``$client_id`` is not NULL),
daily feeds (ads, calls) first."""
