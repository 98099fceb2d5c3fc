-- Invoices of configured clients with due dates, payments, overdue status as of `as_of_date`.
-- The client comes from the loader's ИНН match when that client is still configured, else from
-- matching the ИНН against the current configuration (when exactly one client has it).
-- Invoices that match no client are left out here and reported by a warn-severity test.

with

invoices as (

    select * from {{ ref('stg_invoice_register__invoices') }}

),

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

clients_by_inn as (

    select
        inn,
        min(client_id) as client_id,
        count(*) as n_clients
    from clients
    group by inn

),

matched as (

    select
        coalesce(loader_client.client_id, case when clients_by_inn.n_clients = 1 then clients_by_inn.client_id end)
            as client_id,
        invoices.*
    from invoices
    left join clients as loader_client
        on invoices.client_id = loader_client.client_id
    left join clients_by_inn
        on invoices.inn = clients_by_inn.inn

),

with_terms as (

    select
        matched.client_id,
        matched.invoice_number,
        matched.inn,
        matched.counterparty,
        matched.issued_on,
        coalesce(
            matched.due_on,
            {{ add_days('matched.issued_on', 'clients.payment_terms_days') }}
        ) as due_on,
        matched.amount_net,
        matched.vat_rate,
        matched.vat_amount,
        matched.amount,
        -- No paid amount in the register: fully paid when its status says so, else nothing paid.
        coalesce(
            matched.paid_amount,
            case when lower(trim(matched.payment_status)) in ('оплачен', 'paid') then matched.amount end,
            0
        ) as paid_amount,
        matched.paid_on,
        matched._loaded_at
    from matched
    inner join clients
        on matched.client_id = clients.client_id

),

derived as (

    select
        client_id,
        invoice_number,
        inn,
        counterparty,
        issued_on,
        due_on,
        coalesce(amount_net, amount - vat_amount) as amount_net,
        vat_rate,
        coalesce(vat_amount, amount - amount_net) as vat_amount,
        amount,
        paid_amount,
        amount - paid_amount as outstanding,
        paid_on,
        case
            when paid_amount >= amount then 'paid'
            when paid_amount > 0 then 'partially_paid'
            else 'unpaid'
        end as status,
        _loaded_at
    from with_terms

)

select
    *,
    outstanding > 0 and due_on < {{ as_of_date() }} as is_overdue,
    case
        when outstanding > 0 and due_on < {{ as_of_date() }}
            then {{ days_between('due_on', as_of_date()) }}
        else 0
    end as days_overdue
from derived
