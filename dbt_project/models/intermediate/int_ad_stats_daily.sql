-- Every ad platform mapped onto one schema: client x day x channel x account x campaign,
-- spend in RUB net of VAT.

with

direct as (

    select * from {{ ref('stg_yandex_direct__campaign_stats') }}

),

vk as (

    select * from {{ ref('stg_vk_ads__campaign_stats') }}

),

cabinet as (

    select * from {{ ref('stg_cabinet__campaign_stats') }}

),

settings as (

    select * from {{ ref('stg_agency__settings') }}

),

direct_mapped as (

    select
        client_id,
        date,
        'yandex_direct' as channel,
        'yandex_direct' as ad_source,
        account_id as platform_account_id,
        campaign_id,
        campaign_name,
        spend,
        impressions,
        clicks
    from direct

),

vk_mapped as (

    select
        client_id,
        date,
        'vk_ads' as channel,
        'vk_ads' as ad_source,
        account_id as platform_account_id,
        campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        spend,
        impressions,
        clicks
    from vk

),

cabinet_mapped as (

    select
        cabinet.client_id,
        cabinet.date,
        cabinet.platform as channel,
        'cabinet' as ad_source,
        cabinet.account_id as platform_account_id,
        -- A cabinet export has no campaign ids: the name is the key.
        cabinet.campaign_name as campaign_id,
        cabinet.campaign_name,
        case
            when cabinet.cost_includes_vat
                then {{ strip_vat('cabinet.cost', 'coalesce(cabinet.vat_rate, settings.default_vat_rate)') }}
            else cabinet.cost
        end as spend,
        cabinet.impressions,
        cabinet.clicks
    from cabinet
    left join settings on 1 = 1

),

unioned as (

    select * from direct_mapped
    union all
    select * from vk_mapped
    union all
    select * from cabinet_mapped

)

select
    client_id,
    date,
    channel,
    ad_source,
    platform_account_id,
    campaign_id,
    campaign_name,
    cast(coalesce(spend, 0) as {{ type_money() }}) as spend,
    cast(coalesce(impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
    cast(coalesce(clicks, 0) as {{ dbt.type_bigint() }}) as clicks
from unioned
