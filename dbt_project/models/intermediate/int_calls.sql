-- One row per incoming call with the agency's unique / lead rules applied.
-- A call is unique when no earlier call from the same number reached the same client less than
-- `unique_call_window_days` x 24 h before it (calls without a number are unique);
-- a lead is a unique target call.

with

calls as (

    select * from {{ ref('int_calls_unioned') }}

),

settings as (

    select * from {{ ref('stg_agency__settings') }}

),

with_previous as (

    select
        calls.*,
        coalesce(settings.unique_call_window_days, 30) as unique_call_window_days,
        lag(calls.started_at_utc) over (
            partition by calls.client_id, calls.caller_number
            order by calls.started_at_utc, calls.call_key
        ) as previous_call_started_at_utc
    from calls
    left join settings on 1 = 1

),

flagged as (

    select
        *,
        (
            nullif(trim(caller_number), '') is null
            or previous_call_started_at_utc is null
            or previous_call_started_at_utc
            <= {{ dbt.dateadd('hour', '-24 * unique_call_window_days', 'started_at_utc') }}
        ) as is_unique
    from with_previous

)

select
    call_key,
    tracker,
    client_id,
    account_id,
    call_id,
    started_at_utc,
    call_date,
    caller_number,
    talk_seconds,
    has_negative_duration,
    is_answered,
    is_target,
    is_unique,
    is_unique and is_target as is_lead,
    attribution_source,
    attribution_medium,
    utm_campaign,
    channel
from flagged
