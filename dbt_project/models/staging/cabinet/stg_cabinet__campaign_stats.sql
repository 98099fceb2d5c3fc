with

raw_rows as (

    select * from {{ source('raw', 'cabinet_campaign_stats') }}

),

renamed as (

    select
        ---------- the ad_stats conformed columns (doc block `conformed_ad_stats`)
        'cabinet' as source,
        -- The cabinet's platform is its channel.
        cast(platform as {{ dbt.type_string() }}) as channel,

        ----------  ids
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(platform as {{ dbt.type_string() }}) as platform,
        -- A cabinet export has no campaign ids: the name is the key.
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_id,
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,

        ---------- numerics
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        -- As exported: VAT is stripped in int_ad_stats_daily (it needs the agency's default rate).
        cast(cost as {{ type_money() }}) as spend,
        cast(vat_rate as {{ type_percent() }}) as vat_rate,

        ---------- booleans
        cost_includes_vat as spend_includes_vat,

        ---------- dates
        cast(date as date) as date,

        ---------- lineage
        _origin,
        _load_id,
        _loaded_at

    from raw_rows

)

select * from renamed
