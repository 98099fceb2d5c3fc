with

source as (

    select * from {{ source('raw', 'agency_client_accounts') }}

),

renamed as (

    select
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        source.source as source,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        timezone

    from source

)

select * from renamed
