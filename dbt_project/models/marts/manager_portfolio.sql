-- Each manager's portfolio per month: active clients, results, plan and invoicing.

with

monthly as (

    select * from {{ ref('client_monthly') }}

),

clients as (

    select * from {{ ref('dim_clients') }}

),

aggregated as (

    select
        clients.manager_id,
        max(clients.manager_name) as manager_name,
        monthly.month,
        sum(case when monthly.spend > 0 or monthly.invoiced > 0 then 1 else 0 end) as active_clients,
        sum(monthly.spend) as spend,
        sum(monthly.leads) as leads,
        sum(monthly.plan_budget) as plan_budget,
        sum(monthly.plan_leads) as plan_leads,
        sum(monthly.invoiced) as invoiced,
        sum(monthly.paid) as paid
    from monthly
    inner join clients
        on monthly.client_id = clients.client_id
    group by clients.manager_id, monthly.month

)

select
    cast(manager_id as {{ dbt.type_string() }}) as manager_id,
    cast(manager_name as {{ dbt.type_string() }}) as manager_name,
    cast(month as date) as month,
    cast(active_clients as {{ dbt.type_bigint() }}) as active_clients,
    cast(spend as {{ type_money() }}) as spend,
    cast(leads as {{ dbt.type_bigint() }}) as leads,
    cast({{ to_money(safe_divide('spend', 'leads')) }} as {{ type_money() }}) as cpl,
    cast(plan_budget as {{ type_money() }}) as plan_budget,
    cast(plan_leads as {{ dbt.type_bigint() }}) as plan_leads,
    cast(invoiced as {{ type_money() }}) as invoiced,
    cast(paid as {{ type_money() }}) as paid,
    cast(invoiced - paid as {{ type_money() }}) as outstanding
from aggregated
