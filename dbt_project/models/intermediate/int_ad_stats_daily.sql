-- Every ad platform mapped onto one schema: client x day x channel x account x campaign,
-- spend in RUB net of VAT. One branch per `ad_stats` source of the registry (`agency_sources`):
-- each staging model exposes the conformed columns (doc block `conformed_ad_stats`); the rules
-- that need other models (VAT at the agency's default rate) are applied here, to every source.
-- A view (decision 57): the campaign-grain rows are stored once, in the mart
-- `client_campaign_daily` (incremental, at this model's grain); the other readers (a client's
-- first day, the last day per account, last week's spend) read only a few columns of it.

{{ config(materialized='view') }}

with

settings as (

    select * from {{ ref('stg_agency__settings') }}

),

unioned as (

    {% for ad_source in agency_sources('ad_stats') %}
    select
        client_id,
        date,
        channel,
        source as ad_source,
        account_id as platform_account_id,
        campaign_id,
        campaign_name,
        spend,
        spend_includes_vat,
        vat_rate,
        impressions,
        clicks
    from {{ ref(ad_source.staging_model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

net_of_vat as (

    select
        unioned.client_id,
        unioned.date,
        unioned.channel,
        unioned.ad_source,
        unioned.platform_account_id,
        unioned.campaign_id,
        unioned.campaign_name,
        case
            when unioned.spend_includes_vat
                then {{ strip_vat('unioned.spend', 'coalesce(unioned.vat_rate, settings.default_vat_rate)') }}
            else unioned.spend
        end as spend,
        unioned.impressions,
        unioned.clicks
    from unioned
    left join settings on 1 = 1

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
from net_of_vat
