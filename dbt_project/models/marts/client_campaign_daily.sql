-- Spend per client, day, channel, ad account and campaign (for "top campaigns").
-- Incremental: the same (client, day) windows as int_ad_stats_daily (macros/incremental.sql).

{{ config(
    materialized='incremental',
    incremental_strategy='replace_window',
    on_schema_change='fail',
    window_date_column='date',
    pre_hook="{{ store_windows(ad_stats_windows()) }}",
    post_hook="{{ drop_window_staging() }}",
) }}

with

ad_stats as (

    select * from {{ ref('int_ad_stats_daily') }}

),

aggregated as (

    select
        client_id,
        date,
        channel,
        platform_account_id,
        campaign_id,
        -- VK Ads gives no campaign names: show the id rather than nothing.
        coalesce(max(campaign_name), campaign_id) as campaign_name,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from ad_stats
    {% if replace_windows_active() %}where {{ in_windows('ad_stats', 'date') }}{% endif %}
    group by client_id, date, channel, platform_account_id, campaign_id

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(date as date) as date,
    cast(channel as {{ dbt.type_string() }}) as channel,
    cast(platform_account_id as {{ dbt.type_string() }}) as platform_account_id,
    cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
    cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
    cast(spend as {{ type_money() }}) as spend,
    cast(impressions as {{ dbt.type_bigint() }}) as impressions,
    cast(clicks as {{ dbt.type_bigint() }}) as clicks
from aggregated
