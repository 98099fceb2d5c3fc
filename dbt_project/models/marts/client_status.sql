-- The manager's morning view: one row per client as of `as_of_date` with month-to-date results
-- against plan, the last 30 days against the 30 before, receivables and their aging, data
-- freshness, and a health flag. The figures come from int_client_status; the reasons behind
-- `attention` are the rows of client_health_reasons (codes, listed here in health_reason_codes).

with

with_cpl as (

    select * from {{ ref('int_client_status') }}

),

reasons as (

    select * from {{ ref('client_health_reasons') }}

),

reasons_joined as (

    select
        client_id,
        {{ dbt.listagg('reason_code', "','", 'order by reason_order') }} as health_reason_codes
    from reasons
    group by client_id

)

select
    cast(with_cpl.client_id as {{ dbt.type_string() }}) as client_id,
    cast(with_cpl.client_name as {{ dbt.type_string() }}) as client_name,
    cast(with_cpl.manager_id as {{ dbt.type_string() }}) as manager_id,
    cast(with_cpl.manager_name as {{ dbt.type_string() }}) as manager_name,
    {{ as_of_date() }} as as_of_date,
    cast(with_cpl.spend_mtd as {{ type_money() }}) as spend_mtd,
    cast(with_cpl.leads_mtd as {{ dbt.type_bigint() }}) as leads_mtd,
    cast(with_cpl.cpl_mtd as {{ type_money() }}) as cpl_mtd,
    cast(with_cpl.plan_budget as {{ type_money() }}) as plan_budget,
    cast(with_cpl.plan_leads as {{ dbt.type_int() }}) as plan_leads,
    cast(with_cpl.plan_cpl as {{ type_money() }}) as plan_cpl,
    cast(with_cpl.budget_pacing as {{ type_ratio() }}) as budget_pacing,
    cast(with_cpl.spend_last_30d as {{ type_money() }}) as spend_last_30d,
    cast(with_cpl.leads_last_30d as {{ dbt.type_bigint() }}) as leads_last_30d,
    cast(with_cpl.cpl_last_30d as {{ type_money() }}) as cpl_last_30d,
    cast(with_cpl.spend_prev_30d as {{ type_money() }}) as spend_prev_30d,
    cast(with_cpl.leads_prev_30d as {{ dbt.type_bigint() }}) as leads_prev_30d,
    cast(with_cpl.cpl_prev_30d as {{ type_money() }}) as cpl_prev_30d,
    cast(with_cpl.outstanding_total as {{ type_money() }}) as outstanding_total,
    cast(with_cpl.overdue_total as {{ type_money() }}) as overdue_total,
    cast(with_cpl.overdue_1_30 as {{ type_money() }}) as overdue_1_30,
    cast(with_cpl.overdue_31_60 as {{ type_money() }}) as overdue_31_60,
    cast(with_cpl.overdue_61_90 as {{ type_money() }}) as overdue_61_90,
    cast(with_cpl.overdue_90_plus as {{ type_money() }}) as overdue_90_plus,
    cast(with_cpl.max_days_overdue as {{ dbt.type_int() }}) as max_days_overdue,
    cast(with_cpl.last_data_date as date) as last_data_date,
    cast(with_cpl.max_days_stale as {{ dbt.type_int() }}) as max_days_stale,
    cast(
        case
            when with_cpl.is_churned then 'churned'
            when reasons_joined.client_id is not null then 'attention'
            else 'ok'
        end as {{ dbt.type_string() }}
    ) as health,
    cast(
        case when with_cpl.is_churned then '' else coalesce(reasons_joined.health_reason_codes, '') end
        as {{ dbt.type_string() }}
    ) as health_reason_codes
from with_cpl
left join reasons_joined
    on with_cpl.client_id = reasons_joined.client_id
