-- Incoming bank payments, one row per payment or per share of a payment split across
-- invoices, with the invoice each one settles and how it was matched. Unmatched payments are
-- kept (match_method 'unmatched', with the reason as codes and typed values: the words are the
-- presentation's); client_id is NULL when the payer's ИНН is no configured client.

with

matches as (

    select * from {{ ref('int_payment_matches') }}

)

select
    cast(payment_id as {{ dbt.type_string() }}) as payment_id,
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(payer_inn as {{ dbt.type_string() }}) as payer_inn,
    cast(payer_name as {{ dbt.type_string() }}) as payer_name,
    cast(document_number as {{ dbt.type_string() }}) as document_number,
    cast(document_date as date) as document_date,
    cast(paid_on as date) as paid_on,
    cast(amount as {{ type_money() }}) as amount,
    cast(payment_amount as {{ type_money() }}) as payment_amount,
    cast(purpose as {{ dbt.type_string() }}) as purpose,
    cast(invoice_number as {{ dbt.type_string() }}) as invoice_number,
    cast(match_method as {{ dbt.type_string() }}) as match_method,
    cast(unmatched_reason_code as {{ dbt.type_string() }}) as unmatched_reason_code,
    cast(unmatched_amount_reason_code as {{ dbt.type_string() }}) as unmatched_amount_reason_code,
    cast(unmatched_invoice_numbers as {{ dbt.type_string() }}) as unmatched_invoice_numbers,
    cast(unmatched_invoice_number as {{ dbt.type_string() }}) as unmatched_invoice_number,
    cast(unmatched_open_invoices as {{ dbt.type_int() }}) as unmatched_open_invoices
from matches
