with

source as (

    select * from {{ source('raw', 'agency_client_lead_priority') }}

),

renamed as (

    select
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(source as {{ dbt.type_string() }}) as source,
        cast(priority_rank as {{ dbt.type_int() }}) as priority_rank

    from source

)

select * from renamed
