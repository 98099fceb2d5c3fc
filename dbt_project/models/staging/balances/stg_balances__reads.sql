-- Every attempt to read an ad account's balance, from the loader's log (kind `balance:<source>`):
-- loaded, or failed with the vendor's message.

with

source as (

    select * from {{ source('raw', 'load_log') }}

),

reads as (

    select
        load_id,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        {{ dbt.replace('kind', "'balance:'", "''") }} as source,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        case when status = 'loaded' then 'loaded' else 'failed' end as status,
        error,
        loaded_at
    from source
    where kind like 'balance:%'
        and client_id is not null
        and account_id is not null

)

select * from reads
