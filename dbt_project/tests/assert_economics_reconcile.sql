-- Reported in Dagster as an asset check of manager_economics_monthly (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'manager_economics_monthly'}}}) }}

-- Reconciliation of the agency economics marts (issue 19): client_revenue_monthly invoices and
-- pays what client_monthly does, fee + pass-through = invoiced; the current receivables
-- snapshot is the invoices mart's outstanding and overdue; the agency's monthly row is the sum
-- of the managers' rows. Every returned row is a mismatch.

with

revenue_vs_monthly as (

    select
        'revenue_vs_client_monthly' as check_name,
        revenue.client_id,
        revenue.month
    from {{ ref('client_revenue_monthly') }} as revenue
    inner join {{ ref('client_monthly') }} as monthly
        on revenue.client_id = monthly.client_id
        and revenue.month = monthly.month
    where revenue.invoiced <> monthly.invoiced
        or revenue.paid <> monthly.paid
        or revenue.fee_invoiced + revenue.pass_through_invoiced <> revenue.invoiced
        or revenue.fee_paid + revenue.pass_through_paid <> revenue.paid

),

invoice_totals as (

    select
        client_id,
        sum(case when status <> 'declined' then outstanding else 0 end) as outstanding,
        sum(case when is_overdue then outstanding else 0 end) as overdue
    from {{ ref('invoices') }}
    group by client_id

),

current_receivables as (

    select
        'receivables_vs_invoices' as check_name,
        receivables.client_id,
        receivables.month
    from {{ ref('receivables_monthly') }} as receivables
    left join invoice_totals
        on receivables.client_id = invoice_totals.client_id
    where receivables.month = {{ month_start(as_of_date()) }}
        and (
            receivables.outstanding <> coalesce(invoice_totals.outstanding, 0)
            or receivables.overdue <> coalesce(invoice_totals.overdue, 0)
        )

),

managers as (

    select
        month,
        sum(active_clients) as active_clients,
        sum(churned_clients) as churned_clients,
        sum(fee_invoiced_net) as fee_invoiced_net,
        sum(outstanding) as outstanding
    from {{ ref('manager_economics_monthly') }}
    where scope = 'manager'
    group by month

),

agency_vs_managers as (

    select
        'agency_vs_managers' as check_name,
        cast(null as {{ dbt.type_string() }}) as client_id,
        agency.month
    from {{ ref('manager_economics_monthly') }} as agency
    left join managers
        on agency.month = managers.month
    where agency.scope = 'agency'
        and (
            agency.active_clients <> coalesce(managers.active_clients, 0)
            or agency.churned_clients <> coalesce(managers.churned_clients, 0)
            or agency.fee_invoiced_net <> coalesce(managers.fee_invoiced_net, 0)
            or agency.outstanding <> coalesce(managers.outstanding, 0)
        )

)

select * from revenue_vs_monthly
union all
select * from current_receivables
union all
select * from agency_vs_managers
