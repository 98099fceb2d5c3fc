with

source as (

    select * from {{ source('raw', 'agency_settings') }}

),

renamed as (

    select
        agency_name,
        upper(trim(reporting_currency)) as reporting_currency,
        cast(target_call_min_talk_seconds as {{ dbt.type_int() }}) as target_call_min_talk_seconds,
        cast(unique_call_window_days as {{ dbt.type_int() }}) as unique_call_window_days,
        cast(default_vat_rate as {{ type_percent() }}) as default_vat_rate,
        cast(coalesce(churn_window_months, 1) as {{ dbt.type_int() }}) as churn_window_months,
        cast(coalesce(contact_hash_salt, '') as {{ dbt.type_string() }}) as contact_hash_salt,
        cast(coalesce(balance_days_left, 3) as {{ dbt.type_int() }}) as balance_days_left

    from source

)

select * from renamed
