-- Reported in Dagster as an asset check of client_channel_daily (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'client_channel_daily'}}}) }}

-- Reconciliation: every rouble of ad spend in staging (every ad_stats source of the registry,
-- net of VAT where a row's spend includes it) reaches client_channel_daily, and nothing else does.

with

staging_spend as (

    {% for ad_source in agency_sources('ad_stats') %}
    select
        sum(
            case
                when ads.spend_includes_vat
                    then {{ strip_vat('ads.spend', 'coalesce(ads.vat_rate, settings.default_vat_rate)') }}
                else ads.spend
            end
        ) as spend
    from {{ ref(ad_source.staging_model) }} as ads
    left join {{ ref('stg_agency__settings') }} as settings on 1 = 1
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

totals as (

    select
        (select coalesce(sum(spend), 0) from staging_spend) as staging_total,
        (select coalesce(sum(spend), 0) from {{ ref('client_channel_daily') }}) as mart_total

)

select *
from totals
where staging_total <> mart_total
