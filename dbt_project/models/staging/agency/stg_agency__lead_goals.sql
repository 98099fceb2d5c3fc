with

source as (

    select * from {{ source('raw', 'agency_lead_goals') }}

),

renamed as (

    select
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(goal_id as {{ dbt.type_bigint() }}) as goal_id

    from source

)

select * from renamed
