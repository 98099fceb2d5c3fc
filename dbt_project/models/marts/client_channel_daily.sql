-- Spend, calls and leads per client, client-local day and channel. Ads, calls and leads are
-- full-outer-joined, so a day with calls but no spend (or the reverse) is present with zeros on
-- the other side. Leads are the lead ledger's (every type, one contact within the window once),
-- split by type; calls, unique and target calls are the call trackers'.
-- Incremental (macros/incremental.sql): a nightly run replaces the days of the ad windows loaded
-- since the last build, and every (client, day) whose calls or ledger leads differ from what the
-- table holds (`channel_daily_windows`): a lead can move days when a later event of the same
-- contact changes who wins its episode, and a call's unique flag reaches days ahead.

{{ config(
    materialized='incremental',
    incremental_strategy='replace_window',
    on_schema_change='fail',
    window_date_column='date',
    pre_hook="{{ store_windows(channel_daily_windows(this)) }}",
    post_hook="{{ drop_window_staging() }}",
) }}

with

ad_stats as (

    select * from {{ ref('client_campaign_daily') }}

),

calls as (

    select * from {{ ref('int_calls') }}

),

ledger as (

    select * from {{ ref('int_leads') }}

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
    {% if replace_windows_active() %}where {{ in_windows('ad_stats', 'date') }}{% endif %}
    group by client_id, date, channel

),

calls_daily as (

    select
        client_id,
        call_date as date,
        channel,
        count(distinct call_key) as calls,
        sum(case when is_unique then 1 else 0 end) as unique_calls,
        sum(case when is_target then 1 else 0 end) as target_calls
    from calls
    {% if replace_windows_active() %}where {{ in_windows('calls', 'call_date') }}{% endif %}
    group by client_id, call_date, channel

),

leads_daily as (

    select
        client_id,
        lead_date as date,
        channel,
        count(*) as leads,
        sum(case when lead_type = 'call' then 1 else 0 end) as call_leads,
        sum(case when lead_type = 'form' then 1 else 0 end) as form_leads,
        sum(case when lead_type = 'chat' then 1 else 0 end) as chat_leads,
        sum(case when lead_type = 'crm' then 1 else 0 end) as crm_leads
    from ledger
    {% if replace_windows_active() %}where {{ in_windows('ledger', 'lead_date') }}{% endif %}
    group by client_id, lead_date, channel

),

activity as (

    select
        coalesce(ads_daily.client_id, calls_daily.client_id) as client_id,
        coalesce(ads_daily.date, calls_daily.date) as date,
        coalesce(ads_daily.channel, calls_daily.channel) as channel,
        ads_daily.spend,
        ads_daily.impressions,
        ads_daily.clicks,
        calls_daily.calls,
        calls_daily.unique_calls,
        calls_daily.target_calls
    from ads_daily
    full outer join calls_daily
        on ads_daily.client_id = calls_daily.client_id
        and ads_daily.date = calls_daily.date
        and ads_daily.channel = calls_daily.channel

),

joined as (

    select
        coalesce(activity.client_id, leads_daily.client_id) as client_id,
        coalesce(activity.date, leads_daily.date) as date,
        coalesce(activity.channel, leads_daily.channel) as channel,
        coalesce(activity.spend, 0) as spend,
        coalesce(activity.impressions, 0) as impressions,
        coalesce(activity.clicks, 0) as clicks,
        coalesce(activity.calls, 0) as calls,
        coalesce(activity.unique_calls, 0) as unique_calls,
        coalesce(activity.target_calls, 0) as target_calls,
        coalesce(leads_daily.leads, 0) as leads,
        coalesce(leads_daily.call_leads, 0) as call_leads,
        coalesce(leads_daily.form_leads, 0) as form_leads,
        coalesce(leads_daily.chat_leads, 0) as chat_leads,
        coalesce(leads_daily.crm_leads, 0) as crm_leads
    from activity
    full outer join leads_daily
        on activity.client_id = leads_daily.client_id
        and activity.date = leads_daily.date
        and activity.channel = leads_daily.channel

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
    cast(leads as {{ dbt.type_bigint() }}) as leads,
    cast(call_leads as {{ dbt.type_bigint() }}) as call_leads,
    cast(form_leads as {{ dbt.type_bigint() }}) as form_leads,
    cast(chat_leads as {{ dbt.type_bigint() }}) as chat_leads,
    cast(crm_leads as {{ dbt.type_bigint() }}) as crm_leads
from joined
