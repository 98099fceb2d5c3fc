-- Invoices of configured clients (amounts incl. VAT) with payment and overdue status as of
-- `as_of_date`; payments from the register or matched bank payments, whichever is greater.

with

invoices as (

    select * from {{ ref('int_invoices') }}

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(invoice_number as {{ dbt.type_string() }}) as invoice_number,
    cast(inn as {{ dbt.type_string() }}) as inn,
    cast(counterparty as {{ dbt.type_string() }}) as counterparty,
    cast(issued_on as date) as issued_on,
    cast(due_on as date) as due_on,
    cast(amount_net as {{ type_money() }}) as amount_net,
    cast(vat_rate as {{ type_percent() }}) as vat_rate,
    cast(vat_amount as {{ type_money() }}) as vat_amount,
    cast(amount as {{ type_money() }}) as amount,
    cast(paid_amount as {{ type_money() }}) as paid_amount,
    cast(bank_paid_amount as {{ type_money() }}) as bank_paid_amount,
    cast(outstanding as {{ type_money() }}) as outstanding,
    cast(paid_on as date) as paid_on,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(is_overdue as {{ dbt.type_boolean() }}) as is_overdue,
    cast(days_overdue as {{ dbt.type_int() }}) as days_overdue
from invoices
