-- One row per ad account balance snapshot (the vendor asked at `balance_at`, UTC).

with

source as (

    select * from {{ source('raw', 'ad_account_balances') }}

),

renamed as (

    select
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(source as {{ dbt.type_string() }}) as source,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(balance_account_id as {{ dbt.type_string() }}) as balance_account_id,
        cast(amount as {{ type_money() }}) as amount,
        upper(trim(currency)) as currency,
        cast(as_of as {{ dbt.type_timestamp() }}) as balance_at,
        _load_id,
        _loaded_at

    from source

)

select * from renamed
