-- Each client's lifecycle per month. Active = spend or a (not declined) invoice in the month, as
-- DOMAIN.md and manager_portfolio count it. Status: new (the first active month, when the
-- client's configured start_date is not before the data's first month: a client whose contract
-- predates the data is not new when it first shows there, it is retained; a contract signed
-- in the data, say on the 28th with the first spend next month, is new then), returning
-- (active after at least `churn_window_months` inactive months), retained (active otherwise),
-- churned (the month the inactive window closes: active `churn_window_months` months ago and
-- not since; only in complete months, a month to date has not yet shown who is gone), inactive
-- (otherwise). Lifetime = months from the first to the last active month so far; LTV = the
-- agency's fee paid, net of VAT, so far. See DECISIONLOG.md, "Agency economics".

with

monthly as (

    select * from {{ ref('client_monthly') }}

),

revenue as (

    select * from {{ ref('client_revenue_monthly') }}

),

settings as (

    select churn_window_months from {{ ref('stg_agency__settings') }}

),

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

data_start as (

    -- The data's first month (history_start, or where the loads began): the calendar starts at
    -- each client's first month with data, so its earliest month is the data's.
    select min(month) as first_month from monthly

),

activity as (

    select
        monthly.client_id,
        monthly.month,
        monthly.spend > 0 or monthly.invoiced > 0 as is_active,
        monthly.month < {{ month_start(as_of_date()) }} as is_month_complete,
        {{ month_start('clients.start_date') }} as start_month,
        revenue.fee_invoiced_net,
        revenue.fee_paid_net
    from monthly
    inner join revenue
        on monthly.client_id = revenue.client_id
        and monthly.month = revenue.month
    inner join clients
        on monthly.client_id = clients.client_id

),

with_history as (

    select
        *,
        min(case when is_active then month end) over (
            partition by client_id
        ) as first_active_month,
        max(case when is_active then month end) over (
            partition by client_id order by month
            rows between unbounded preceding and 1 preceding
        ) as previous_active_month,
        max(case when is_active then month end) over (
            partition by client_id order by month
            rows between unbounded preceding and current row
        ) as last_active_month,
        sum(case when is_active then 1 else 0 end) over (
            partition by client_id order by month
            rows between unbounded preceding and current row
        ) as active_months,
        sum(fee_paid_net) over (
            partition by client_id order by month
            rows between unbounded preceding and current row
        ) as ltv_net
    from activity

),

with_gap as (

    select
        *,
        -- Whole months since the previous active month (NULL before the first).
        {{ dbt.datediff('previous_active_month', 'month', 'month') }}
            as months_since_active
    from with_history

),

classified as (

    select
        with_gap.*,
        case
            when with_gap.is_active
                and with_gap.month = with_gap.first_active_month
                and with_gap.start_month >= data_start.first_month
                then 'new'
            when with_gap.is_active and with_gap.month = with_gap.first_active_month then 'retained'
            when with_gap.is_active and with_gap.months_since_active - 1 >= settings.churn_window_months
                then 'returning'
            when with_gap.is_active then 'retained'
            when with_gap.is_month_complete and with_gap.months_since_active = settings.churn_window_months
                then 'churned'
            else 'inactive'
        end as lifecycle_status
    from with_gap
    cross join settings
    cross join data_start

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(month as date) as month,
    cast(is_month_complete as {{ dbt.type_boolean() }}) as is_month_complete,
    cast(is_active as {{ dbt.type_boolean() }}) as is_active,
    cast(lifecycle_status as {{ dbt.type_string() }}) as lifecycle_status,
    cast(first_active_month as date) as first_active_month,
    cast(
        case
            when last_active_month is not null
                then 1
                    + {{ dbt.datediff('first_active_month', 'last_active_month', 'month') }}
            else 0
        end as {{ dbt.type_int() }}
    ) as lifetime_months,
    cast(active_months as {{ dbt.type_int() }}) as active_months,
    cast(fee_invoiced_net as {{ type_money() }}) as fee_invoiced_net,
    cast(fee_paid_net as {{ type_money() }}) as fee_paid_net,
    cast(ltv_net as {{ type_money() }}) as ltv_net
from classified
