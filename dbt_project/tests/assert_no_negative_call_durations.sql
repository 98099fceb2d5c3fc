{{ config(severity='warn') }}

-- Calls whose tracker reported a negative talk duration (a known Calltouch glitch). They are
-- counted as calls with 0 talk, not answered; listed here so someone can check the source.

select
    call_key,
    tracker,
    client_id,
    started_at_utc,
    caller_number
from {{ ref('int_calls') }}
where has_negative_duration
