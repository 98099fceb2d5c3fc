-- The agency's own revenue per client and month (by the invoice's issue month): its fee,
-- invoiced and paid, net and gross of VAT, apart from the ad budget it passes through to the
-- platforms, with growth month on month and year on year. The invoice register does not say
-- which part of an invoice is the fee: the client's configured `fee_share` does (default 1,
-- the agency invoices only its fee). Declined invoices are no revenue. The revenue plan is the
-- client's configured `fee` plan of the month (net of VAT); fulfilment = fee revenue / plan.
-- See DECISIONLOG.md, "Agency economics".

with

months as (

    select * from {{ ref('int_client_months') }}

),

invoices as (

    select * from {{ ref('invoices') }}
    where status <> 'declined'

),

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

plans as (

    select * from {{ ref('stg_agency__monthly_plans') }}

),

invoice_parts as (

    -- Net of VAT: the register's net amount, else the total without VAT at the invoice's rate
    -- (no rate = no VAT). Paid money is split between net and VAT pro rata.
    select
        invoices.client_id,
        {{ month_start('invoices.issued_on') }} as month,
        clients.fee_share,
        invoices.amount,
        invoices.paid_amount,
        coalesce(
            invoices.amount_net,
            invoices.amount / (1 + coalesce(invoices.vat_rate, 0) / 100.0)
        ) as amount_net
    from invoices
    inner join clients
        on invoices.client_id = clients.client_id

),

invoicing as (

    select
        client_id,
        month,
        sum(amount) as invoiced,
        sum(amount_net) as invoiced_net,
        sum(paid_amount) as paid,
        sum({{ safe_divide('paid_amount * amount_net', 'amount') }}) as paid_net,
        sum(amount * fee_share) as fee_invoiced,
        sum(amount_net * fee_share) as fee_invoiced_net,
        sum(paid_amount * fee_share) as fee_paid,
        sum({{ safe_divide('paid_amount * amount_net * fee_share', 'amount') }}) as fee_paid_net
    from invoice_parts
    group by client_id, month

),

rounded as (

    -- The fee is rounded to kopecks; the pass-through budget is the rest, so the two add up to
    -- the invoices exactly.
    select
        months.client_id,
        months.month,
        {{ to_money('coalesce(invoicing.invoiced, 0)') }} as invoiced,
        {{ to_money('coalesce(invoicing.invoiced_net, 0)') }} as invoiced_net,
        {{ to_money('coalesce(invoicing.paid, 0)') }} as paid,
        {{ to_money('coalesce(invoicing.paid_net, 0)') }} as paid_net,
        {{ to_money('coalesce(invoicing.fee_invoiced, 0)') }} as fee_invoiced,
        {{ to_money('coalesce(invoicing.fee_invoiced_net, 0)') }} as fee_invoiced_net,
        {{ to_money('coalesce(invoicing.fee_paid, 0)') }} as fee_paid,
        {{ to_money('coalesce(invoicing.fee_paid_net, 0)') }} as fee_paid_net,
        plans.plan_fee_net as fee_plan_net
    from months
    left join invoicing
        on months.client_id = invoicing.client_id
        and months.month = invoicing.month
    left join plans
        on months.client_id = plans.client_id
        and months.month = plans.month

),

with_history as (

    -- The calendar is dense from the client's first month, so a missing previous month or
    -- month last year is "before the client": growth is NULL there, not 0.
    select
        rounded.*,
        previous_month.fee_invoiced_net as fee_invoiced_net_previous_month,
        last_year.fee_invoiced_net as fee_invoiced_net_last_year
    from rounded
    left join rounded as previous_month
        on rounded.client_id = previous_month.client_id
        and previous_month.month = {{ add_months('rounded.month', -1) }}
    left join rounded as last_year
        on rounded.client_id = last_year.client_id
        and last_year.month = {{ add_months('rounded.month', -12) }}

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(month as date) as month,
    cast(fee_invoiced_net as {{ type_money() }}) as fee_invoiced_net,
    cast(fee_invoiced as {{ type_money() }}) as fee_invoiced,
    cast(fee_paid_net as {{ type_money() }}) as fee_paid_net,
    cast(fee_paid as {{ type_money() }}) as fee_paid,
    cast(invoiced_net - fee_invoiced_net as {{ type_money() }}) as pass_through_invoiced_net,
    cast(invoiced - fee_invoiced as {{ type_money() }}) as pass_through_invoiced,
    cast(paid_net - fee_paid_net as {{ type_money() }}) as pass_through_paid_net,
    cast(paid - fee_paid as {{ type_money() }}) as pass_through_paid,
    cast(invoiced as {{ type_money() }}) as invoiced,
    cast(paid as {{ type_money() }}) as paid,
    cast(fee_invoiced_net_previous_month as {{ type_money() }}) as fee_invoiced_net_previous_month,
    cast(fee_invoiced_net_last_year as {{ type_money() }}) as fee_invoiced_net_last_year,
    cast(
        {{ safe_divide('fee_invoiced_net', 'fee_invoiced_net_previous_month') }} - 1 as {{ type_ratio() }}
    ) as fee_mom_growth,
    cast(
        {{ safe_divide('fee_invoiced_net', 'fee_invoiced_net_last_year') }} - 1 as {{ type_ratio() }}
    ) as fee_yoy_growth,
    cast(fee_plan_net as {{ type_money() }}) as fee_plan_net,
    cast({{ safe_divide('fee_invoiced_net', 'fee_plan_net') }} as {{ type_ratio() }}) as fee_plan_fulfilment
from with_history
