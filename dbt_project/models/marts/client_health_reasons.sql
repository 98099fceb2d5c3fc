-- Why a client needs attention as of `as_of_date`: one row per client and reason, as a code
-- with the number it is about (the words are the dashboard's, dashboard/i18n.py). A client
-- with at least one row has health `attention` in client_status; churned clients have none.
--
-- leads_down       leads over the last 30 days < 80 % of the 30 before      value_pct: the drop
-- cpl_up           CPL over the last 30 days > 120 % of the 30 before       value_pct: the rise
-- pacing_off       budget pacing off the plan by more than 15 %              value_pct: the pacing
--                  (only with a budget plan)
-- invoice_overdue  an invoice more than 14 days overdue                      value_days: the most
-- source_stale     an ad or call source more than 2 days behind              value_days: the most
-- source_no_data   a configured ad or call source that never delivered data

with

figures as (

    select * from {{ ref('int_client_status') }}
    where not is_churned

),

reasons as (

    select
        client_id,
        'leads_down' as reason_code,
        1 as reason_order,
        {{ round_to_int("(1 - " ~ safe_divide('leads_last_30d', 'leads_prev_30d') ~ ") * 100") }}
            as value_pct,
        cast(null as {{ dbt.type_int() }}) as value_days
    from figures
    where leads_prev_30d > 0
        and leads_last_30d < 0.8 * leads_prev_30d

    union all

    select
        client_id,
        'cpl_up' as reason_code,
        2 as reason_order,
        {{ round_to_int("(" ~ safe_divide('cpl_last_30d', 'cpl_prev_30d') ~ " - 1) * 100") }}
            as value_pct,
        cast(null as {{ dbt.type_int() }}) as value_days
    from figures
    where cpl_prev_30d > 0
        and cpl_last_30d > 1.2 * cpl_prev_30d

    union all

    select
        client_id,
        'pacing_off' as reason_code,
        3 as reason_order,
        {{ round_to_int('budget_pacing * 100') }} as value_pct,
        cast(null as {{ dbt.type_int() }}) as value_days
    from figures
    where plan_budget > 0
        and budget_pacing is not null
        and abs(budget_pacing - 1) > 0.15

    union all

    select
        client_id,
        'invoice_overdue' as reason_code,
        4 as reason_order,
        cast(null as {{ dbt.type_int() }}) as value_pct,
        cast(max_days_overdue as {{ dbt.type_int() }}) as value_days
    from figures
    where max_days_overdue > 14

    union all

    select
        client_id,
        'source_stale' as reason_code,
        5 as reason_order,
        cast(null as {{ dbt.type_int() }}) as value_pct,
        cast(max_days_stale as {{ dbt.type_int() }}) as value_days
    from figures
    where max_days_stale > 2

    union all

    select
        client_id,
        'source_no_data' as reason_code,
        6 as reason_order,
        cast(null as {{ dbt.type_int() }}) as value_pct,
        cast(null as {{ dbt.type_int() }}) as value_days
    from figures
    where sources_without_data > 0

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    {{ as_of_date() }} as as_of_date,
    cast(reason_code as {{ dbt.type_string() }}) as reason_code,
    cast(reason_order as {{ dbt.type_int() }}) as reason_order,
    value_pct,
    value_days
from reasons
