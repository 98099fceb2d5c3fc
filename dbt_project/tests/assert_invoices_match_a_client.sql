{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'invoices'}}}) }}

-- Invoice rows whose ИНН matches no configured client: they stay in raw but are not in any
-- report. Add the client (or fix the ИНН in the register) to include them.

select
    staged.inn,
    staged.invoice_number,
    staged.counterparty,
    staged.issued_on,
    staged.amount,
    staged._origin
from {{ ref('stg_invoice_register__invoices') }} as staged
left join {{ ref('invoices') }} as matched
    on staged.inn = matched.inn
    and staged.invoice_number = matched.invoice_number
where matched.invoice_number is null
