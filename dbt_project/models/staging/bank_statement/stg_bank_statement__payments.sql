with

raw_rows as (

    select * from {{ source('raw', 'bank_statement_payments') }}

),

renamed as (

    select
        ----------  ids
        -- The raw natural key, hashed: one id for a payment document across loads.
        {{ dbt.hash(dbt.concat([
            "coalesce(payer_account, '')", "'|'",
            "cast(document_date as " ~ dbt.type_string() ~ ")", "'|'",
            "document_number", "'|'",
            "direction", "'|'",
            "cast(cast(amount as " ~ type_money() ~ ") as " ~ dbt.type_string() ~ ")",
        ])) }} as payment_id,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        trim(document_number) as document_number,
        nullif(trim(payer_inn), '') as payer_inn,

        ---------- text
        lower(trim(direction)) as direction,
        payer_name,
        purpose,

        ---------- numerics
        cast(amount as {{ type_money() }}) as amount,

        ---------- dates
        cast(document_date as date) as document_date,
        -- ДатаПоступило when the statement has it, else the document's own date.
        cast(coalesce(received_on, document_date) as date) as paid_on,

        ---------- lineage
        _origin,
        _load_id,
        _loaded_at

    from raw_rows

)

select * from renamed
