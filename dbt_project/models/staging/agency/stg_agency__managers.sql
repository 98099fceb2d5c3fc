with

source as (

    select * from {{ source('raw', 'agency_managers') }}

),

renamed as (

    select
        cast(manager_id as {{ dbt.type_string() }}) as manager_id,
        name as manager_name,
        email as manager_email

    from source

)

select * from renamed
