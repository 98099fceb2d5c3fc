-- One row per incoming call of every call tracker of the registry (`agency_sources('calls')`),
-- on one schema, with the agency's unique-call and lead rules applied.
-- Each tracker's staging model exposes the conformed columns (doc block `conformed_calls`); the
-- rules that need other models (time zones, the agency's target-call minimum, the channel
-- mapping seed) are applied here, to every tracker alike: UTC start, client-local day, answered
-- and target flags, the source/medium used for attribution and the mapped channel.
-- A call is unique when no earlier call from the same number reached the same client less than
-- `unique_call_window_days` x 24 h before it (calls without a number are unique).
-- A lead is the tracker's unique-target flag where the tracker gives one and the account keeps
-- the tracker's rules (`lead_rule`), so the count is the one the client sees in the tracker's
-- cabinet; otherwise a unique target call by the agency's rules.
-- One model, one stored table (decision 62): the calls are read from staging once, and the
-- window that finds each call's previous one runs on the rows as they are computed.
-- Incremental (macros/incremental.sql): a changed call changes the unique flag of the same
-- number's calls up to `unique_call_window_days` later, so the windows reach that far (+2 days:
-- the window counts hours, the call day is the client's), and the calls up to that far before
-- a window are read (from staging, like the rest) to find each call's previous one.

{{ config(
    materialized='incremental',
    incremental_strategy='replace_window',
    window_date_column='call_date',
    pre_hook="{{ store_windows(unique_call_windows(this)) }}",
    post_hook="{{ drop_window_staging() }}",
) }}

with

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

accounts as (

    select * from {{ ref('stg_agency__client_accounts') }}

),

settings as (

    select * from {{ ref('stg_agency__settings') }}

),

unioned as (

    {% for tracker in agency_sources('calls') %}
    select
        source as tracker,
        client_id,
        account_id,
        call_id,
        direction,
        started_at_utc,
        started_at_local,
        caller_number,
        talk_seconds,
        is_answered,
        is_target,
        tracker_is_lead,
        attribution_source,
        attribution_medium,
        utm_campaign
    from {{ ref(tracker.staging_model) }} as source_rows  -- noqa: AL05
    {% if replace_windows_active() -%}
    -- A coarse cut before the time zones (the exact one is on the client's day, below): the
    -- windows, and the look-back before them where each call's previous one is found.
    where exists (
        select 1
        from {{ windows_relation() }} as windows
        where windows.client_id = source_rows.client_id
            and cast(coalesce(source_rows.started_at_utc, source_rows.started_at_local) as date)
            between {{ add_days('windows.date_from', '-(' ~ unique_call_lookback_days() ~ ' + 1)') }}
            and {{ add_days('windows.date_to', 1) }}
    )
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

incoming as (

    select
        unioned.tracker,
        unioned.client_id,
        unioned.account_id,
        unioned.call_id,
        -- The tracker's UTC start; else its local start in the account's (else the client's) zone.
        coalesce(
            unioned.started_at_utc,
            {{ local_to_utc('unioned.started_at_local', 'coalesce(accounts.timezone, clients.timezone)') }}
        ) as started_at_utc,
        unioned.caller_number,
        coalesce(unioned.talk_seconds < 0, false) as has_negative_duration,
        case when unioned.talk_seconds > 0 then unioned.talk_seconds else 0 end as talk_seconds,
        unioned.is_answered,
        -- Whose rules make a lead: the tracker's flags (the default, where it gives them) or the
        -- agency's (an account's `lead_rule: agency`, and every tracker without flags).
        case
            when coalesce(accounts.lead_rule, 'tracker') = 'tracker' and unioned.is_target is not null
                then 'tracker'
            else 'agency'
        end as lead_rule,
        -- The tracker's own target flag under its rules; otherwise answered and talked at least
        -- the agency's minimum.
        case
            when coalesce(accounts.lead_rule, 'tracker') = 'tracker' and unioned.is_target is not null
                then unioned.is_target
            else unioned.is_answered
                and coalesce(unioned.talk_seconds, 0) >= coalesce(settings.target_call_min_talk_seconds, 30)
        end as is_target,
        case
            when coalesce(accounts.lead_rule, 'tracker') = 'tracker' then unioned.tracker_is_lead
        end as tracker_is_lead,
        unioned.attribution_source,
        unioned.attribution_medium,
        unioned.utm_campaign,
        coalesce(settings.unique_call_window_days, 30) as unique_call_window_days
    from unioned
    left join clients
        on unioned.client_id = clients.client_id
    left join accounts
        on unioned.client_id = accounts.client_id
        and unioned.tracker = accounts.source
        and unioned.account_id = accounts.account_id
    left join settings on 1 = 1
    -- Outgoing calls are not leads; a call of unknown direction counts as incoming.
    where unioned.direction = 'in' or unioned.direction is null

),

localized as (

    select
        {{ dbt.concat(["incoming.tracker", "':'", "incoming.account_id", "':'", "incoming.call_id"]) }}
            as call_key,
        incoming.*,
        cast({{ utc_to_local('incoming.started_at_utc', 'clients.timezone') }} as date) as call_date,
        lower(trim(coalesce(incoming.attribution_source, ''))) as mapping_source,
        lower(trim(coalesce(incoming.attribution_medium, ''))) as mapping_medium
    from incoming
    left join clients
        on incoming.client_id = clients.client_id
    where incoming.started_at_utc is not null

),

windowed as (

    select * from localized
    {% if replace_windows_active() -%}
    where {{ in_windows('localized', 'call_date', days_before=unique_call_lookback_days()) }}
    {%- endif %}

),

-- The mapping's regular expressions run once per distinct source/medium pair, not per call.
channels as (

    {{ attribution_channels('windowed') }}

),

with_previous as (

    select
        windowed.*,
        -- Nothing is ever dropped: a call no rule matches is `other`.
        coalesce(channels.channel, 'other') as channel,
        lag(windowed.started_at_utc) over (
            partition by windowed.client_id, windowed.caller_number
            order by windowed.started_at_utc, windowed.call_key
        ) as previous_call_started_at_utc
    from windowed
    left join channels
        on windowed.mapping_source = channels.mapping_source
        and windowed.mapping_medium = channels.mapping_medium

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
