with

source as (

    select * from {{ source('raw', 'agency_monthly_plans') }}

),

renamed as (

    select
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        {{ month_start('month') }} as month,
        cast(budget as {{ type_money() }}) as plan_budget,
        cast(leads as {{ dbt.type_int() }}) as plan_leads,
        cast(cpl_target as {{ type_money() }}) as plan_cpl_target,
        cast(fee as {{ type_money() }}) as plan_fee_net

    from source

)

select * from renamed
