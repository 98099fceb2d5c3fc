-- Reconciliation: every rouble of ad spend in staging (Direct + VK + cabinet exports, the latter
-- net of VAT) reaches client_channel_daily, and nothing else does.

with

staging_spend as (

    select sum(spend) as spend from {{ ref('stg_yandex_direct__campaign_stats') }}
    union all
    select sum(spend) from {{ ref('stg_vk_ads__campaign_stats') }}
    union all
    select
        sum(
            case
                when cabinet.cost_includes_vat
                    then {{ strip_vat('cabinet.cost', 'coalesce(cabinet.vat_rate, settings.default_vat_rate)') }}
                else cabinet.cost
            end
        )
    from {{ ref('stg_cabinet__campaign_stats') }} as cabinet
    left join {{ ref('stg_agency__settings') }} as settings on 1 = 1

),

totals as (

    select
        (select coalesce(sum(spend), 0) from staging_spend) as staging_total,
        (select coalesce(sum(spend), 0) from {{ ref('client_channel_daily') }}) as mart_total

)

select *
from totals
where staging_total <> mart_total
