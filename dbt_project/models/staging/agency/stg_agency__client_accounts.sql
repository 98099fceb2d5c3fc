with

source as (

    select * from {{ source('raw', 'agency_client_accounts') }}

),

renamed as (

    select
        cast(source.client_id as {{ dbt.type_string() }}) as client_id,
        source.source,
        cast(source.account_id as {{ dbt.type_string() }}) as account_id,
        source.timezone,
        cast(source.lead_rule as {{ dbt.type_string() }}) as lead_rule,
        cast(source.attribution as {{ dbt.type_string() }}) as attribution

    from source

)

select * from renamed
