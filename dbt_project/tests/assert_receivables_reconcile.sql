-- Reported in Dagster as an asset check of client_status (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'client_status'}}}) }}

-- Reconciliation: receivables add up the same way in every mart that shows them. Per client,
-- client_status's outstanding and overdue totals are the invoices mart's, and client_monthly's
-- invoiced / paid / outstanding over the months it covers are the invoices issued in them
-- (declined ones left out everywhere, owing nothing); per manager and month, manager_portfolio
-- is the sum of its clients' client_monthly rows.

with

invoices as (

    select * from {{ ref('invoices') }}

),

by_client as (

    select
        client_id,
        sum(outstanding) as outstanding,
        sum(case when is_overdue then outstanding else 0 end) as overdue,
        sum(
            case
                when status <> 'declined' and issued_on < {{ add_months(month_start(as_of_date()), 1) }}
                    then amount
                else 0
            end
        ) as invoiced_to_date,
        sum(
            case
                when status <> 'declined' and issued_on < {{ add_months(month_start(as_of_date()), 1) }}
                    then paid_amount
                else 0
            end
        ) as paid_to_date,
        sum(
            case
                when issued_on < {{ add_months(month_start(as_of_date()), 1) }} then outstanding
                else 0
            end
        ) as outstanding_to_date
    from invoices
    group by client_id

),

monthly as (

    select
        client_id,
        sum(invoiced) as invoiced,
        sum(paid) as paid,
        sum(outstanding) as outstanding
    from {{ ref('client_monthly') }}
    group by client_id

),

client_mismatches as (

    select
        status.client_id,
        'client_status / client_monthly vs invoices' as check_name
    from {{ ref('client_status') }} as status
    left join by_client
        on status.client_id = by_client.client_id
    left join monthly
        on status.client_id = monthly.client_id
    where status.outstanding_total <> coalesce(by_client.outstanding, 0)
        or status.overdue_total <> coalesce(by_client.overdue, 0)
        or status.overdue_total
        <> status.overdue_1_30 + status.overdue_31_60 + status.overdue_61_90 + status.overdue_90_plus
        or coalesce(monthly.invoiced, 0) <> coalesce(by_client.invoiced_to_date, 0)
        or coalesce(monthly.paid, 0) <> coalesce(by_client.paid_to_date, 0)
        or coalesce(monthly.outstanding, 0) <> coalesce(by_client.outstanding_to_date, 0)

),

portfolio_expected as (

    select
        clients.manager_id,
        monthly.month,
        sum(monthly.invoiced) as invoiced,
        sum(monthly.paid) as paid,
        sum(monthly.outstanding) as outstanding
    from {{ ref('client_monthly') }} as monthly
    inner join {{ ref('dim_clients') }} as clients
        on monthly.client_id = clients.client_id
    group by clients.manager_id, monthly.month

),

portfolio_mismatches as (

    select
        portfolio.manager_id as client_id,
        'manager_portfolio vs client_monthly' as check_name
    from {{ ref('manager_portfolio') }} as portfolio
    left join portfolio_expected as expected
        on portfolio.manager_id = expected.manager_id
        and portfolio.month = expected.month
    where portfolio.invoiced <> coalesce(expected.invoiced, 0)
        or portfolio.paid <> coalesce(expected.paid, 0)
        or portfolio.outstanding <> coalesce(expected.outstanding, 0)

)

select * from client_mismatches
union all
select * from portfolio_mismatches
