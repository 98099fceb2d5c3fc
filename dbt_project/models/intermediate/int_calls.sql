-- One row per incoming call with the unique and lead rules applied.
-- A call is unique when no earlier call from the same number reached the same client less than
-- `unique_call_window_days` x 24 h before it (calls without a number are unique).
-- A lead is the tracker's unique-target flag where the tracker gives one and the account keeps
-- the tracker's rules (`lead_rule`), so the count is the one the client sees in the tracker's
-- cabinet; otherwise a unique target call by the agency's rules.
-- Incremental (macros/incremental.sql): a changed call changes the unique flag of the same
-- number's calls up to `unique_call_window_days` later, so the windows reach that far (+2 days:
-- the window counts hours, the call day is the client's), and the calls up to that far before
-- a window are read to find each call's previous one.

{{ config(
    materialized='incremental',
    incremental_strategy='replace_window',
    window_date_column='call_date',
    pre_hook="{{ store_windows(unique_call_windows(this)) }}",
    post_hook="{{ drop_window_staging() }}",
) }}

with

calls as (

    select * from {{ ref('int_calls_unioned') }} as calls  -- noqa: AL05
    {% if replace_windows_active() -%}
    where {{ in_windows('calls', 'call_date', days_before=unique_call_lookback_days()) }}
    {%- endif %}

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
    lead_rule,
    is_target,
    is_unique,
    coalesce(tracker_is_lead, is_unique and is_target) as is_lead,
    attribution_source,
    attribution_medium,
    utm_campaign,
    channel
from flagged
{% if replace_windows_active() %}where {{ in_windows('flagged', 'call_date') }}{% endif %}
