-- Spend per client, day, channel, ad source, ad account and campaign (for "top campaigns"): the
-- rows of `int_ad_stats_daily` (every ad source of the registry, spend net of VAT), stored once
-- here (decision 57). A row per source row, never aggregated across sources: a campaign that two
-- sources report (an API pull and a cabinet export of the same account) keeps both rows, each
-- with its `source`, and readers sum them.
-- Incremental (macros/incremental.sql): a nightly run replaces the (client, day) windows of the
-- ad loads since the last build.

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

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(date as date) as date,
    cast(channel as {{ dbt.type_string() }}) as channel,
    cast(ad_source as {{ dbt.type_string() }}) as source,
    cast(platform_account_id as {{ dbt.type_string() }}) as platform_account_id,
    cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
    -- VK Ads gives no campaign names: show the id rather than nothing.
    cast(coalesce(campaign_name, campaign_id) as {{ dbt.type_string() }}) as campaign_name,
    cast(spend as {{ type_money() }}) as spend,
    cast(impressions as {{ dbt.type_bigint() }}) as impressions,
    cast(clicks as {{ dbt.type_bigint() }}) as clicks
from ad_stats
{% if replace_windows_active() %}where {{ in_windows('ad_stats', 'date') }}{% endif %}
