-- Which days each configured source account has, as runs of consecutive days: `covered` runs
-- were loaded with no failed attempt since, `failed` runs were last attempted and failed (with
-- the vendor's message and when). Days never attempted are the gaps between runs. What the
-- report readiness gate and the data-health checks read: a client is settled for a period when
-- a covered run of each of its accounts spans it.

with

days as (

    select * from {{ ref('int_account_days') }}

),

grouped as (

    select
        *,
        case when is_covered then 'covered' else 'failed' end as status,
        -- Consecutive days of one status share day - (their rank): the run's key.
        {{ add_days('day', '-row_number() over (
            partition by client_id, source, account_id, is_covered order by day
        )') }} as run_key
    from days

),

runs as (

    select
        client_id,
        source,
        account_id,
        status,
        run_key,
        min(day) as day_from,
        max(day) as day_to,
        max(last_loaded_at) as last_loaded_at,
        max(last_failed_at) as last_failed_at
    from grouped
    group by client_id, source, account_id, status, run_key

),

run_errors as (

    select
        grouped.client_id,
        grouped.source,
        grouped.account_id,
        grouped.run_key,
        grouped.last_error,
        row_number() over (
            partition by grouped.client_id, grouped.source, grouped.account_id, grouped.run_key
            order by grouped.last_failed_at desc
        ) as recency
    from grouped
    where grouped.status = 'failed'

),

with_errors as (

    select
        runs.*,
        run_errors.last_error
    from runs
    left join run_errors
        on runs.client_id = run_errors.client_id
        and runs.source = run_errors.source
        and runs.account_id = run_errors.account_id
        and runs.status = 'failed'
        and runs.run_key = run_errors.run_key
        and run_errors.recency = 1

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(source as {{ dbt.type_string() }}) as source,
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(day_from as date) as day_from,
    cast(day_to as date) as day_to,
    cast(last_loaded_at as {{ dbt.type_timestamp() }}) as last_loaded_at,
    cast(last_failed_at as {{ dbt.type_timestamp() }}) as last_failed_at,
    cast(last_error as {{ dbt.type_string() }}) as last_error
from with_errors
