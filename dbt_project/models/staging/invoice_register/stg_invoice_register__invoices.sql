with

raw_rows as (

    select * from {{ source('raw', 'invoice_register_rows') }}

),

renamed as (

    select
        ----------  ids
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        trim(inn) as inn,
        trim(invoice_number) as invoice_number,

        ---------- text
        counterparty,
        payment_status,
        upper(trim(currency)) as currency,

        ---------- numerics (amounts incl. VAT unless named _net)
        cast(amount_net as {{ type_money() }}) as amount_net,
        cast(vat_rate as {{ type_percent() }}) as vat_rate,
        cast(vat_amount as {{ type_money() }}) as vat_amount,
        cast(amount as {{ type_money() }}) as amount,
        cast(paid_amount as {{ type_money() }}) as paid_amount,

        ---------- dates
        cast(issued_on as date) as issued_on,
        cast(due_on as date) as due_on,
        cast(paid_on as date) as paid_on,

        ---------- lineage
        _origin,
        _load_id,
        _loaded_at

    from raw_rows

)

select * from renamed
