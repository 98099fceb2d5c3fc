-- Money the agency expects per client and due date: the outstanding amount (incl. VAT) of
-- the open invoices due that day; already overdue ones keep their due date and are flagged.

with

invoices as (

    select * from {{ ref('invoices') }}
    where status <> 'declined' and outstanding > 0

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(due_on as date) as due_on,
    cast(count(*) as {{ dbt.type_bigint() }}) as invoices,
    cast(sum(outstanding) as {{ type_money() }}) as expected_amount,
    cast(due_on < {{ as_of_date() }} as {{ dbt.type_boolean() }}) as is_overdue
from invoices
group by client_id, due_on
