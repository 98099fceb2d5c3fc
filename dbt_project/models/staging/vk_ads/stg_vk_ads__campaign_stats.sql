with

raw_rows as (

    select * from {{ source('raw', 'vk_ads_campaign_stats') }}

),

renamed as (

    select
        ---------- the ad_stats conformed columns (doc block `conformed_ad_stats`)
        'vk_ads' as source,
        'vk_ads' as channel,

        ----------  ids
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,

        ---------- text
        -- The statistics API gives no campaign names.
        cast(null as {{ dbt.type_string() }}) as campaign_name,

        ---------- numerics
        cast(shows as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(goals as {{ dbt.type_bigint() }}) as conversions,
        -- VK Ads spend is already RUB net of VAT.
        cast(spent as {{ type_money() }}) as spend,
        cast(null as {{ type_percent() }}) as vat_rate,

        ---------- booleans
        false as spend_includes_vat,

        ---------- dates
        cast(date as date) as date,

        ---------- lineage
        _origin,
        _load_id,
        _loaded_at

    from raw_rows

)

select * from renamed
