with

raw_rows as (

    select * from {{ source('raw', 'yandex_direct_campaign_stats') }}

),

renamed as (

    select
        ---------- the ad_stats conformed columns (doc block `conformed_ad_stats`)
        'yandex_direct' as source,
        'yandex_direct' as channel,

        ----------  ids
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,

        ---------- text
        campaign_name,
        campaign_type,

        ---------- numerics
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        -- Direct sends money in micros (x 1 000 000), net of VAT.
        {{ to_money('cost_micros / 1000000.0') }} as spend,
        cast(null as {{ type_percent() }}) as vat_rate,
        cast(conversions as {{ dbt.type_bigint() }}) as conversions,

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
