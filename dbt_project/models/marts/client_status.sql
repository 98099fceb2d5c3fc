-- The manager's morning view: one row per client as of `as_of_date` with month-to-date results
-- against plan, the last 30 days against the 30 before, receivables and their aging, data
-- freshness, and a health flag with its reasons.

with

clients as (

    select * from {{ ref('dim_clients') }}

),

monthly as (

    select * from {{ ref('client_monthly') }}

),

daily as (

    select * from {{ ref('client_channel_daily') }}

),

invoices as (

    select * from {{ ref('invoices') }}

),

freshness as (

    select * from {{ ref('source_freshness') }}

),

current_month as (

    select *
    from monthly
    where month = {{ month_start(as_of_date()) }}

),

rolling as (

    -- Last 30 full days: [as_of - 30, as_of - 1]; the 30 before: [as_of - 60, as_of - 31].
    select
        client_id,
        sum(case when date >= {{ add_days(as_of_date(), -30) }} then spend else 0 end) as spend_last_30d,
        sum(case when date >= {{ add_days(as_of_date(), -30) }} then leads else 0 end) as leads_last_30d,
        sum(case when date < {{ add_days(as_of_date(), -30) }} then spend else 0 end) as spend_prev_30d,
        sum(case when date < {{ add_days(as_of_date(), -30) }} then leads else 0 end) as leads_prev_30d
    from daily
    where date >= {{ add_days(as_of_date(), -60) }}
        and date < {{ as_of_date() }}
    group by client_id

),

receivables as (

    select
        client_id,
        sum(outstanding) as outstanding_total,
        sum(case when is_overdue then outstanding else 0 end) as overdue_total,
        sum(case when is_overdue and days_overdue between 1 and 30 then outstanding else 0 end) as overdue_1_30,
        sum(case when is_overdue and days_overdue between 31 and 60 then outstanding else 0 end) as overdue_31_60,
        sum(case when is_overdue and days_overdue between 61 and 90 then outstanding else 0 end) as overdue_61_90,
        sum(case when is_overdue and days_overdue > 90 then outstanding else 0 end) as overdue_90_plus,
        max(days_overdue) as max_days_overdue
    from invoices
    group by client_id

),

data_freshness as (

    -- Ad and call sources only: the invoice register is monthly, not daily.
    select
        client_id,
        min(last_data_date) as last_data_date,
        max(days_stale) as max_days_stale,
        sum(case when last_data_date is null then 1 else 0 end) as sources_without_data
    from freshness
    where source <> 'invoices'
    group by client_id

),

assembled as (

    select
        clients.client_id,
        clients.client_name,
        clients.manager_id,
        clients.manager_name,
        clients.is_churned,
        coalesce(current_month.spend, 0) as spend_mtd,
        coalesce(current_month.leads, 0) as leads_mtd,
        current_month.cpl as cpl_mtd,
        current_month.plan_budget,
        current_month.plan_leads,
        current_month.plan_cpl,
        current_month.budget_pacing,
        coalesce(rolling.spend_last_30d, 0) as spend_last_30d,
        coalesce(rolling.leads_last_30d, 0) as leads_last_30d,
        coalesce(rolling.spend_prev_30d, 0) as spend_prev_30d,
        coalesce(rolling.leads_prev_30d, 0) as leads_prev_30d,
        coalesce(receivables.outstanding_total, 0) as outstanding_total,
        coalesce(receivables.overdue_total, 0) as overdue_total,
        coalesce(receivables.overdue_1_30, 0) as overdue_1_30,
        coalesce(receivables.overdue_31_60, 0) as overdue_31_60,
        coalesce(receivables.overdue_61_90, 0) as overdue_61_90,
        coalesce(receivables.overdue_90_plus, 0) as overdue_90_plus,
        coalesce(receivables.max_days_overdue, 0) as max_days_overdue,
        data_freshness.last_data_date,
        data_freshness.max_days_stale,
        coalesce(data_freshness.sources_without_data, 0) as sources_without_data
    from clients
    left join current_month
        on clients.client_id = current_month.client_id
    left join rolling
        on clients.client_id = rolling.client_id
    left join receivables
        on clients.client_id = receivables.client_id
    left join data_freshness
        on clients.client_id = data_freshness.client_id

),

with_cpl as (

    select
        *,
        {{ to_money(safe_divide('spend_last_30d', 'leads_last_30d')) }} as cpl_last_30d,
        {{ to_money(safe_divide('spend_prev_30d', 'leads_prev_30d')) }} as cpl_prev_30d
    from assembled

),

reasons as (

    -- One row per reason; churned clients get none.
    select
        client_id,
        1 as reason_order,
        {{ dbt.concat([
            "'лиды за 30 дней снизились на '",
            "cast(cast(round((1 - " ~ safe_divide('leads_last_30d', 'leads_prev_30d') ~ ") * 100) as "
                ~ dbt.type_int() ~ ") as " ~ dbt.type_string() ~ ")",
            "' %'",
        ]) }} as reason
    from with_cpl
    where not is_churned
        and leads_prev_30d > 0
        and leads_last_30d < 0.8 * leads_prev_30d

    union all

    select
        client_id,
        2,
        {{ dbt.concat([
            "'CPL за 30 дней вырос на '",
            "cast(cast(round((" ~ safe_divide('cpl_last_30d', 'cpl_prev_30d') ~ " - 1) * 100) as "
                ~ dbt.type_int() ~ ") as " ~ dbt.type_string() ~ ")",
            "' %'",
        ]) }}
    from with_cpl
    where not is_churned
        and cpl_prev_30d > 0
        and cpl_last_30d > 1.2 * cpl_prev_30d

    union all

    select
        client_id,
        3,
        {{ dbt.concat([
            "'темп расхода бюджета '",
            "cast(cast(round(budget_pacing * 100) as " ~ dbt.type_int() ~ ") as " ~ dbt.type_string() ~ ")",
            "' % от плана'",
        ]) }}
    from with_cpl
    where not is_churned
        and plan_budget > 0
        and budget_pacing is not null
        and abs(budget_pacing - 1) > 0.15

    union all

    select
        client_id,
        4,
        {{ dbt.concat([
            "'счёт просрочен на '",
            "cast(max_days_overdue as " ~ dbt.type_string() ~ ")",
            "' дн.'",
        ]) }}
    from with_cpl
    where not is_churned
        and max_days_overdue > 14

    union all

    select
        client_id,
        5,
        {{ dbt.concat([
            "'данные источника отстают на '",
            "cast(max_days_stale as " ~ dbt.type_string() ~ ")",
            "' дн.'",
        ]) }}
    from with_cpl
    where not is_churned
        and max_days_stale > 2

    union all

    select
        client_id,
        6,
        'нет данных от подключённого источника'
    from with_cpl
    where not is_churned
        and sources_without_data > 0

),

reasons_joined as (

    select
        client_id,
        {{ dbt.listagg('reason', "'; '", 'order by reason_order') }} as health_reasons
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
        case when with_cpl.is_churned then '' else coalesce(reasons_joined.health_reasons, '') end
        as {{ dbt.type_string() }}
    ) as health_reasons
from with_cpl
left join reasons_joined
    on with_cpl.client_id = reasons_joined.client_id
