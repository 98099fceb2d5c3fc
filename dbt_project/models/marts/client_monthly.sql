-- One row per client per month (dense: months without activity are present with zeros) with
-- the month's results, plan, plan fulfilment, pacing and invoicing.

with

months as (

    select * from {{ ref('int_client_months') }}

),

daily as (

    select * from {{ ref('client_channel_daily') }}

),

plans as (

    select * from {{ ref('stg_agency__monthly_plans') }}

),

invoices as (

    select * from {{ ref('invoices') }}

),

results as (

    select
        client_id,
        {{ month_start('date') }} as month,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(calls) as calls,
        sum(target_calls) as target_calls,
        sum(leads) as leads,
        sum(call_leads) as call_leads,
        sum(form_leads) as form_leads,
        sum(chat_leads) as chat_leads,
        sum(crm_leads) as crm_leads
    from daily
    group by client_id, {{ month_start('date') }}

),

invoicing as (

    -- Declined invoices (status declined) are no revenue and no receivable: left out.
    select
        client_id,
        {{ month_start('issued_on') }} as month,
        sum(amount) as invoiced,
        sum(paid_amount) as paid
    from invoices
    where status is distinct from 'declined'
    group by client_id, {{ month_start('issued_on') }}

),

joined as (

    select
        months.client_id,
        months.month,
        coalesce(results.spend, 0) as spend,
        coalesce(results.impressions, 0) as impressions,
        coalesce(results.clicks, 0) as clicks,
        coalesce(results.calls, 0) as calls,
        coalesce(results.target_calls, 0) as target_calls,
        coalesce(results.leads, 0) as leads,
        coalesce(results.call_leads, 0) as call_leads,
        coalesce(results.form_leads, 0) as form_leads,
        coalesce(results.chat_leads, 0) as chat_leads,
        coalesce(results.crm_leads, 0) as crm_leads,
        plans.plan_budget,
        plans.plan_leads,
        coalesce(
            plans.plan_cpl_target,
            {{ to_money(safe_divide('plans.plan_budget', 'plans.plan_leads')) }}
        ) as plan_cpl,
        coalesce(invoicing.invoiced, 0) as invoiced,
        coalesce(invoicing.paid, 0) as paid,
        -- Share of the month elapsed by the end of the day before as_of_date.
        case
            when months.month < {{ month_start(as_of_date()) }} then 1.0
            else {{ safe_divide(
                days_between('months.month', as_of_date()),
                days_between('months.month', add_months('months.month', 1))
            ) }}
        end as elapsed_share
    from months
    left join results
        on months.client_id = results.client_id
        and months.month = results.month
    left join plans
        on months.client_id = plans.client_id
        and months.month = plans.month
    left join invoicing
        on months.client_id = invoicing.client_id
        and months.month = invoicing.month

),

metrics as (

    select
        *,
        {{ safe_divide('clicks', 'impressions') }} as ctr,
        {{ to_money(safe_divide('spend', 'clicks')) }} as cpc,
        {{ to_money(safe_divide('spend', 'leads')) }} as cpl
    from joined

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(month as date) as month,
    cast(spend as {{ type_money() }}) as spend,
    cast(impressions as {{ dbt.type_bigint() }}) as impressions,
    cast(clicks as {{ dbt.type_bigint() }}) as clicks,
    cast(calls as {{ dbt.type_bigint() }}) as calls,
    cast(target_calls as {{ dbt.type_bigint() }}) as target_calls,
    cast(leads as {{ dbt.type_bigint() }}) as leads,
    cast(call_leads as {{ dbt.type_bigint() }}) as call_leads,
    cast(form_leads as {{ dbt.type_bigint() }}) as form_leads,
    cast(chat_leads as {{ dbt.type_bigint() }}) as chat_leads,
    cast(crm_leads as {{ dbt.type_bigint() }}) as crm_leads,
    cast(ctr as {{ type_ratio() }}) as ctr,
    cast(cpc as {{ type_money() }}) as cpc,
    cast(cpl as {{ type_money() }}) as cpl,
    cast(plan_budget as {{ type_money() }}) as plan_budget,
    cast(plan_leads as {{ dbt.type_int() }}) as plan_leads,
    cast(plan_cpl as {{ type_money() }}) as plan_cpl,
    cast({{ safe_divide('spend', 'plan_budget') }} as {{ type_ratio() }}) as budget_fulfilment,
    cast({{ safe_divide('leads', 'plan_leads') }} as {{ type_ratio() }}) as leads_fulfilment,
    cast({{ safe_divide('cpl', 'plan_cpl') }} as {{ type_ratio() }}) as cpl_fulfilment,
    cast({{ safe_divide('spend', 'plan_budget * elapsed_share') }} as {{ type_ratio() }}) as budget_pacing,
    cast(invoiced as {{ type_money() }}) as invoiced,
    cast(paid as {{ type_money() }}) as paid,
    cast(invoiced - paid as {{ type_money() }}) as outstanding
from metrics
