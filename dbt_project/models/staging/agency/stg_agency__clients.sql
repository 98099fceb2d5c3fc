with

source as (

    select * from {{ source('raw', 'agency_clients') }}

),

renamed as (

    select
        ----------  ids
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(manager_id as {{ dbt.type_string() }}) as manager_id,
        trim(inn) as inn,

        ---------- text
        name as client_name,
        upper(trim(currency)) as currency,
        timezone,

        ---------- numerics
        cast(payment_terms_days as {{ dbt.type_int() }}) as payment_terms_days,
        cast(coalesce(fee_share, 1) as {{ type_share() }}) as fee_share,

        ---------- dates
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date

    from source

)

select * from renamed
