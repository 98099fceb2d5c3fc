-- Receivables per client at each month's end: what was owed, how overdue (aging buckets 1-30,
-- 31-60, 61-90, 90+ days past the due date) and DSO. A month's snapshot is taken at the start
-- of the next month's first day, the current month's at as_of_date (then it equals the
-- `invoices` mart). Money is incl. VAT. What was paid by a snapshot: the invoice's paid amount
-- when it was paid before the snapshot day (an invoice paid with no known date counts as paid
-- on its due date); the current snapshot counts every invoice and payment, as `invoices` does.
-- DSO = outstanding / invoiced over the trailing `dso_window_months` months (this one
-- included; the current one to date) * the days of that window. See DECISIONLOG.md.

{% set dso_months = var('dso_window_months', 3) | int %}

with

months as (

    select * from {{ ref('int_client_months') }}

),

invoices as (

    select * from {{ ref('invoices') }}
    where status <> 'declined'

),

snapshots as (

    select
        client_id,
        month,
        case
            when month < {{ month_start(as_of_date()) }} then {{ add_months('month', 1) }}
            else {{ as_of_date() }}
        end as snapshot_on,
        month = {{ month_start(as_of_date()) }} as is_current
    from months

),

open_at_snapshot as (

    select
        snapshots.client_id,
        snapshots.month,
        invoices.invoice_number,
        {{ days_between('invoices.due_on', 'snapshots.snapshot_on') }} as days_past_due,
        invoices.amount - case
            when snapshots.is_current then invoices.paid_amount
            when coalesce(invoices.paid_on, invoices.due_on) < snapshots.snapshot_on
                then invoices.paid_amount
            else 0
        end as owed
    from snapshots
    inner join invoices
        on snapshots.client_id = invoices.client_id
        and (snapshots.is_current or snapshots.snapshot_on > invoices.issued_on)

),

aging as (

    select
        client_id,
        month,
        sum(owed) as outstanding,
        sum(case when owed > 0 and days_past_due <= 0 then owed else 0 end) as not_due,
        sum(case when owed > 0 and days_past_due between 1 and 30 then owed else 0 end) as overdue_1_30,
        sum(case when owed > 0 and days_past_due between 31 and 60 then owed else 0 end) as overdue_31_60,
        sum(case when owed > 0 and days_past_due between 61 and 90 then owed else 0 end) as overdue_61_90,
        sum(case when owed > 0 and days_past_due > 90 then owed else 0 end) as overdue_over_90
    from open_at_snapshot
    group by client_id, month

),

invoiced_window as (

    select
        snapshots.client_id,
        snapshots.month,
        sum(invoices.amount) as invoiced_in_window
    from snapshots
    inner join invoices
        on snapshots.client_id = invoices.client_id
        and {{ add_months('snapshots.month', 1 - dso_months) }} <= invoices.issued_on
        and (snapshots.is_current or snapshots.snapshot_on > invoices.issued_on)
    group by snapshots.client_id, snapshots.month

),

joined as (

    select
        snapshots.client_id,
        snapshots.month,
        snapshots.snapshot_on,
        coalesce(aging.outstanding, 0) as outstanding,
        coalesce(aging.not_due, 0) as not_due,
        coalesce(aging.overdue_1_30, 0) as overdue_1_30,
        coalesce(aging.overdue_31_60, 0) as overdue_31_60,
        coalesce(aging.overdue_61_90, 0) as overdue_61_90,
        coalesce(aging.overdue_over_90, 0) as overdue_over_90,
        coalesce(invoiced_window.invoiced_in_window, 0) as invoiced_in_window,
        {{ days_between(add_months('snapshots.month', 1 - dso_months), 'snapshots.snapshot_on') }}
            as window_days
    from snapshots
    left join aging
        on snapshots.client_id = aging.client_id
        and snapshots.month = aging.month
    left join invoiced_window
        on snapshots.client_id = invoiced_window.client_id
        and snapshots.month = invoiced_window.month

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(month as date) as month,
    cast(snapshot_on as date) as snapshot_on,
    cast(outstanding as {{ type_money() }}) as outstanding,
    cast(not_due as {{ type_money() }}) as not_due,
    cast(overdue_1_30 as {{ type_money() }}) as overdue_1_30,
    cast(overdue_31_60 as {{ type_money() }}) as overdue_31_60,
    cast(overdue_61_90 as {{ type_money() }}) as overdue_61_90,
    cast(overdue_over_90 as {{ type_money() }}) as overdue_over_90,
    cast(overdue_1_30 + overdue_31_60 + overdue_61_90 + overdue_over_90 as {{ type_money() }}) as overdue,
    cast(invoiced_in_window as {{ type_money() }}) as invoiced_in_window,
    cast(window_days as {{ dbt.type_int() }}) as window_days,
    {{ round_ratio(safe_divide('outstanding * window_days', 'invoiced_in_window'), 1) }} as dso_days
from joined
