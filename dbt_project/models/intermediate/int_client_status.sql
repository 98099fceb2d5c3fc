-- The figures of the manager's morning view, one row per client as of `as_of_date`:
-- month-to-date results against plan, the last 30 days against the 30 before, receivables and
-- their aging, data freshness, and what the health rules need (is_churned,
-- sources_without_data). client_health_reasons applies the rules; client_status publishes the
-- figures with the health flag.

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
        sum(
            case when is_overdue and days_overdue between 1 and 30 then outstanding else 0 end
        ) as overdue_1_30,
        sum(
            case when is_overdue and days_overdue between 31 and 60 then outstanding else 0 end
        ) as overdue_31_60,
        sum(
            case when is_overdue and days_overdue between 61 and 90 then outstanding else 0 end
        ) as overdue_61_90,
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
    where feed in ('ad_stats', 'calls')
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

)

select * from with_cpl
