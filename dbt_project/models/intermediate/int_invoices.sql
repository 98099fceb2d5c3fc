-- Invoices of configured clients with due dates, payments, overdue status as of `as_of_date`.
-- The client comes from the loader's ИНН match when that client is still configured, else from
-- matching the ИНН against the current configuration (when exactly one client has it): macro
-- client_by_inn, shared with int_payment_matches.
-- Invoices that match no client are left out here and reported by a warn-severity test.
-- Payments: the register's and the matched bank payments (int_payment_matches) describe the
-- same money, so the greater of the two counts, plus bank payments dated after the register's
-- payment date; declined invoices (Bitrix24 "Отклонён") are kept but owe nothing.
-- See DECISIONLOG.md, "Bank payments".

with

invoices as (

    select * from {{ ref('stg_invoice_register__invoices') }}

),

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

bank_payments as (

    select * from {{ ref('int_payment_matches') }}
    where invoice_number is not null

),

with_register as (

    select
        {{ client_by_inn('invoices.client_id', 'invoices.inn') }} as client_id,
        invoices.invoice_number,
        invoices.inn,
        invoices.counterparty,
        invoices.issued_on,
        invoices.due_on,
        invoices.amount_net,
        invoices.vat_rate,
        invoices.vat_amount,
        invoices.amount,
        invoices.paid_on,
        invoices._loaded_at,
        {{ register_paid_amount('invoices.paid_amount', 'invoices.payment_status', 'invoices.amount') }}
            as register_paid_amount,
        {{ is_declined_status('invoices.payment_status') }} as is_declined
    from invoices

),

bank_running as (

    -- Matched bank money per invoice in payment order. "Covered" payments are dated on or before
    -- the register's payment date (or the register has none): the register may already hold
    -- them. Later ones are new money. Running totals give the day the invoice became paid.
    select
        bank_payments.invoice_inn as inn,
        bank_payments.invoice_number,
        bank_payments.paid_on,
        bank_payments.amount,
        with_register.amount as invoice_amount,
        with_register.register_paid_amount,
        case
            when with_register.paid_on is null or bank_payments.paid_on <= with_register.paid_on
                then bank_payments.amount
            else 0
        end as covered_amount,
        sum(bank_payments.amount) over (
            partition by bank_payments.invoice_inn, bank_payments.invoice_number
            order by bank_payments.payment_order
            rows between unbounded preceding and current row
        ) as running_bank,
        sum(
            case
                when with_register.paid_on is null or bank_payments.paid_on <= with_register.paid_on
                    then bank_payments.amount
                else 0
            end
        ) over (
            partition by bank_payments.invoice_inn, bank_payments.invoice_number
            order by bank_payments.payment_order
            rows between unbounded preceding and current row
        ) as running_covered
    from bank_payments
    inner join with_register
        on bank_payments.invoice_inn = with_register.inn
        and bank_payments.invoice_number = with_register.invoice_number

),

bank_totals as (

    select
        inn,
        invoice_number,
        sum(amount) as bank_paid_amount,
        sum(covered_amount) as bank_covered_amount,
        sum(amount - covered_amount) as bank_after_amount,
        max(paid_on) as bank_last_paid_on,
        -- The day the bank payments alone first covered the invoice.
        min(case when running_bank >= invoice_amount then paid_on end) as bank_settled_on,
        -- The day register and bank together first covered it (same rule as paid_amount).
        min(
            case
                when greatest(register_paid_amount, running_covered) + (running_bank - running_covered)
                    >= invoice_amount
                    then paid_on
            end
        ) as combined_settled_on
    from bank_running
    group by inn, invoice_number

),

with_terms as (

    select
        with_register.client_id,
        with_register.invoice_number,
        with_register.inn,
        with_register.counterparty,
        with_register.issued_on,
        coalesce(
            with_register.due_on,
            {{ add_days('with_register.issued_on', 'clients.payment_terms_days') }}
        ) as due_on,
        with_register.amount_net,
        with_register.vat_rate,
        with_register.vat_amount,
        with_register.amount,
        with_register.register_paid_amount,
        with_register.paid_on as register_paid_on,
        with_register.is_declined,
        coalesce(bank_totals.bank_paid_amount, 0) as bank_paid_amount,
        {{ combined_paid_amount(
            'with_register.register_paid_amount',
            'coalesce(bank_totals.bank_covered_amount, 0)',
            'coalesce(bank_totals.bank_after_amount, 0)',
            'with_register.amount',
        ) }} as paid_amount,
        bank_totals.bank_last_paid_on,
        bank_totals.bank_settled_on,
        bank_totals.combined_settled_on,
        with_register._loaded_at
    from with_register
    inner join clients
        on with_register.client_id = clients.client_id
    left join bank_totals
        on with_register.inn = bank_totals.inn
        and with_register.invoice_number = bank_totals.invoice_number

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
        cast(paid_amount as {{ type_money() }}) as paid_amount,
        cast(bank_paid_amount as {{ type_money() }}) as bank_paid_amount,
        -- A declined invoice is not a receivable.
        cast(case when is_declined then 0 else amount - paid_amount end as {{ type_money() }}) as outstanding,
        -- Fully paid: the day it became fully paid, when known. Otherwise the last payment's
        -- day: the register's, unless matched bank payments add to the register's amount.
        case
            when paid_amount >= amount and register_paid_amount >= amount
                then coalesce(register_paid_on, bank_settled_on)
            when paid_amount >= amount then combined_settled_on
            when paid_amount > register_paid_amount then bank_last_paid_on
            else register_paid_on
        end as paid_on,
        case
            when is_declined then 'declined'
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
