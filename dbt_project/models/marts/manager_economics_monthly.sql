-- The agency's economics per month, for each manager's clients (scope manager) and for the
-- whole agency (scope agency, manager_id NULL): clients active, new, returning and churned and
-- the churn rate; the fee revenue (net of VAT) and its growth; revenue concentration (the top 3
-- clients' share and the Herfindahl index of the clients' shares); the revenue plan (the sum of
-- the clients' configured fee plans) and its fulfilment; receivables and DSO.
-- Every ratio is recomputed from the scope's sums. A client belongs to its current manager.

with

lifecycle as (

    select * from {{ ref('client_lifecycle_monthly') }}

),

receivables as (

    select * from {{ ref('receivables_monthly') }}

),

revenue as (

    select * from {{ ref('client_revenue_monthly') }}

),

clients as (

    select * from {{ ref('dim_clients') }}

),

settings as (

    select churn_window_months from {{ ref('stg_agency__settings') }}

),

client_months as (

    select
        lifecycle.client_id,
        lifecycle.month,
        lifecycle.is_month_complete,
        lifecycle.is_active,
        lifecycle.lifecycle_status,
        lifecycle.fee_invoiced_net,
        lifecycle.fee_paid_net,
        revenue.fee_plan_net,
        receivables.outstanding,
        receivables.overdue,
        receivables.invoiced_in_window,
        receivables.window_days,
        -- Active when the churn window opened: the churn rate's denominator.
        coalesce(window_start.is_active, false) as was_active_window_ago
    from lifecycle
    cross join settings
    inner join receivables
        on lifecycle.client_id = receivables.client_id
        and lifecycle.month = receivables.month
    inner join revenue
        on lifecycle.client_id = revenue.client_id
        and lifecycle.month = revenue.month
    left join lifecycle as window_start
        on lifecycle.client_id = window_start.client_id
        and window_start.month = {{ add_months('lifecycle.month', '-settings.churn_window_months') }}

),

scoped as (

    select
        'manager' as scope,
        clients.manager_id,
        client_months.*
    from client_months
    inner join clients
        on client_months.client_id = clients.client_id

    union all

    select
        'agency' as scope,
        cast(null as {{ dbt.type_string() }}) as manager_id,
        client_months.*
    from client_months

),

ranked as (

    select
        *,
        row_number() over (
            partition by scope, manager_id, month
            order by fee_invoiced_net desc, client_id asc
        ) as revenue_rank,
        sum(case when fee_invoiced_net > 0 then fee_invoiced_net else 0 end) over (
            partition by scope, manager_id, month
        ) as scope_fee_invoiced_net
    from scoped

),

shared as (

    -- Each client's share of its scope's positive fee revenue.
    select
        *,
        case
            when fee_invoiced_net > 0 then {{ safe_divide('fee_invoiced_net', 'scope_fee_invoiced_net') }}
        end as revenue_share
    from ranked

),

aggregated as (

    select
        scope,
        manager_id,
        month,
        max(case when is_month_complete then 1 else 0 end) = 1 as is_month_complete,
        sum(case when is_active then 1 else 0 end) as active_clients,
        sum(case when lifecycle_status = 'new' then 1 else 0 end) as new_clients,
        sum(case when lifecycle_status = 'returning' then 1 else 0 end) as returning_clients,
        sum(case when lifecycle_status = 'churned' then 1 else 0 end) as churned_clients,
        sum(case when was_active_window_ago then 1 else 0 end) as clients_active_window_ago,
        sum(fee_invoiced_net) as fee_invoiced_net,
        max(scope_fee_invoiced_net) as positive_fee_invoiced_net,
        sum(fee_paid_net) as fee_paid_net,
        -- NULL when no client of the scope has a revenue plan for the month.
        sum(fee_plan_net) as fee_plan_net,
        sum(case when revenue_rank <= 3 and fee_invoiced_net > 0 then fee_invoiced_net else 0 end)
            as top3_fee_invoiced_net,
        -- Herfindahl index: the sum of the squared revenue shares of the clients (0..1).
        sum(revenue_share * revenue_share) as herfindahl_index,
        sum(outstanding) as outstanding,
        sum(overdue) as overdue,
        sum(invoiced_in_window) as invoiced_in_window,
        max(window_days) as window_days
    from shared
    group by scope, manager_id, month

),

with_history as (

    select
        aggregated.*,
        previous_month.fee_invoiced_net as fee_invoiced_net_previous_month,
        last_year.fee_invoiced_net as fee_invoiced_net_last_year
    from aggregated
    left join aggregated as previous_month
        on aggregated.scope = previous_month.scope
        and coalesce(aggregated.manager_id, '') = coalesce(previous_month.manager_id, '')
        and previous_month.month = {{ add_months('aggregated.month', -1) }}
    left join aggregated as last_year
        on aggregated.scope = last_year.scope
        and coalesce(aggregated.manager_id, '') = coalesce(last_year.manager_id, '')
        and last_year.month = {{ add_months('aggregated.month', -12) }}

)

select
    cast(scope as {{ dbt.type_string() }}) as scope,
    cast(manager_id as {{ dbt.type_string() }}) as manager_id,
    cast(month as date) as month,
    cast(is_month_complete as {{ dbt.type_boolean() }}) as is_month_complete,
    cast(active_clients as {{ dbt.type_bigint() }}) as active_clients,
    cast(new_clients as {{ dbt.type_bigint() }}) as new_clients,
    cast(returning_clients as {{ dbt.type_bigint() }}) as returning_clients,
    cast(churned_clients as {{ dbt.type_bigint() }}) as churned_clients,
    cast(clients_active_window_ago as {{ dbt.type_bigint() }}) as clients_active_window_ago,
    -- A month to date declares no churn yet: its rate is unknown (NULL), not 0.
    cast(
        case
            when is_month_complete
                then {{ safe_divide('churned_clients', 'clients_active_window_ago') }}
        end as {{ type_ratio() }}
    ) as churn_rate,
    cast(fee_invoiced_net as {{ type_money() }}) as fee_invoiced_net,
    cast(fee_paid_net as {{ type_money() }}) as fee_paid_net,
    cast(fee_invoiced_net_previous_month as {{ type_money() }}) as fee_invoiced_net_previous_month,
    cast(fee_invoiced_net_last_year as {{ type_money() }}) as fee_invoiced_net_last_year,
    cast(
        {{ safe_divide('fee_invoiced_net', 'fee_invoiced_net_previous_month') }} - 1 as {{ type_ratio() }}
    ) as fee_mom_growth,
    cast(
        {{ safe_divide('fee_invoiced_net', 'fee_invoiced_net_last_year') }} - 1 as {{ type_ratio() }}
    ) as fee_yoy_growth,
    cast(
        {{ safe_divide('top3_fee_invoiced_net', 'positive_fee_invoiced_net') }} as {{ type_ratio() }}
    ) as top3_share,
    {{ round_ratio('herfindahl_index', 6) }} as herfindahl_index,
    cast(outstanding as {{ type_money() }}) as outstanding,
    cast(overdue as {{ type_money() }}) as overdue,
    cast(invoiced_in_window as {{ type_money() }}) as invoiced_in_window,
    {{ round_ratio(safe_divide('outstanding * window_days', 'invoiced_in_window'), 1) }} as dso_days,
    cast(fee_plan_net as {{ type_money() }}) as fee_plan_net,
    -- the scope's whole fee revenue against its clients' summed plans
    cast({{ safe_divide('fee_invoiced_net', 'fee_plan_net') }} as {{ type_ratio() }}) as fee_plan_fulfilment
from with_history
