-- One row per configured source account and data day that a load ever covered: when the last
-- successful load of that day happened, when the last failed attempt did and with what error.
-- A day is good when it was loaded and no attempt failed after that load (a nightly re-pull of
-- restated days that failed leaves the days as they were, but not settled).

with

loads as (

    select * from {{ ref('stg_load_log__loads') }}

),

accounts as (

    select * from {{ ref('stg_agency__client_accounts') }}

),

configured as (

    select loads.*
    from loads
    inner join accounts
        on loads.client_id = accounts.client_id
        and loads.source = accounts.source
        and loads.account_id = accounts.account_id

),

spine as (

    select n from {{ integers_up_to(
        '(select max(' ~ days_between('date_from', 'date_to') ~ ') + 1 from configured)'
    ) }} as numbers

),

load_days as (

    select
        configured.client_id,
        configured.source,
        configured.account_id,
        {{ add_days('configured.date_from', 'spine.n - 1') }} as day,
        configured.status,
        configured.error,
        configured.loaded_at
    from configured
    inner join spine
        on {{ days_between('configured.date_from', 'configured.date_to') }} + 1 >= spine.n

),

latest_failure as (

    select
        client_id,
        source,
        account_id,
        day,
        error,
        row_number() over (
            partition by client_id, source, account_id, day
            order by loaded_at desc
        ) as recency
    from load_days
    where status = 'failed'

),

per_day as (

    select
        client_id,
        source,
        account_id,
        day,
        max(case when status = 'loaded' then loaded_at end) as last_loaded_at,
        max(case when status = 'failed' then loaded_at end) as last_failed_at
    from load_days
    group by client_id, source, account_id, day

)

select
    per_day.client_id,
    per_day.source,
    per_day.account_id,
    per_day.day,
    per_day.last_loaded_at,
    per_day.last_failed_at,
    latest_failure.error as last_error,
    (
        per_day.last_loaded_at is not null
        and (per_day.last_failed_at is null or per_day.last_failed_at < per_day.last_loaded_at)
    ) as is_covered
from per_day
left join latest_failure
    on per_day.client_id = latest_failure.client_id
    and per_day.source = latest_failure.source
    and per_day.account_id = latest_failure.account_id
    and per_day.day = latest_failure.day
    and latest_failure.recency = 1
