-- Spend and calls per client, client-local day and channel. Ads and calls are full-outer-joined,
-- so a day with calls but no spend (or the reverse) is present with zeros on the other side.

with

ad_stats as (

    select * from {{ ref('int_ad_stats_daily') }}

),

calls as (

    select * from {{ ref('int_calls') }}

),

ads_daily as (

    select
        client_id,
        date,
        channel,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from ad_stats
    group by client_id, date, channel

),

calls_daily as (

    select
        client_id,
        call_date as date,
        channel,
        count(distinct call_key) as calls,
        sum(case when is_unique then 1 else 0 end) as unique_calls,
        sum(case when is_target then 1 else 0 end) as target_calls,
        sum(case when is_lead then 1 else 0 end) as leads
    from calls
    group by client_id, call_date, channel

),

joined as (

    select
        coalesce(ads_daily.client_id, calls_daily.client_id) as client_id,
        coalesce(ads_daily.date, calls_daily.date) as date,
        coalesce(ads_daily.channel, calls_daily.channel) as channel,
        coalesce(ads_daily.spend, 0) as spend,
        coalesce(ads_daily.impressions, 0) as impressions,
        coalesce(ads_daily.clicks, 0) as clicks,
        coalesce(calls_daily.calls, 0) as calls,
        coalesce(calls_daily.unique_calls, 0) as unique_calls,
        coalesce(calls_daily.target_calls, 0) as target_calls,
        coalesce(calls_daily.leads, 0) as leads
    from ads_daily
    full outer join calls_daily
        on ads_daily.client_id = calls_daily.client_id
        and ads_daily.date = calls_daily.date
        and ads_daily.channel = calls_daily.channel

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(date as date) as date,
    cast(channel as {{ dbt.type_string() }}) as channel,
    cast(spend as {{ type_money() }}) as spend,
    cast(impressions as {{ dbt.type_bigint() }}) as impressions,
    cast(clicks as {{ dbt.type_bigint() }}) as clicks,
    cast(calls as {{ dbt.type_bigint() }}) as calls,
    cast(unique_calls as {{ dbt.type_bigint() }}) as unique_calls,
    cast(target_calls as {{ dbt.type_bigint() }}) as target_calls,
    cast(leads as {{ dbt.type_bigint() }}) as leads
from joined
