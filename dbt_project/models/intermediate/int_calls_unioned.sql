-- Incoming calls from every call tracker on one schema: UTC start, client-local day,
-- answered / target flags, the source/medium used for attribution and the mapped channel.
-- One branch per `calls` source of the registry (`agency_sources`): each staging model exposes
-- the conformed columns (doc block `conformed_calls`); the rules that need other models (time
-- zones, the agency's target-call minimum, the channel mapping seed) are applied here, to every
-- tracker alike.
-- Incremental: a nightly run replaces the (client, call day) windows loaded since the last build
-- (macros/incremental.sql); a call depends on its own row and the configuration only.

{{ config(
    materialized='incremental',
    incremental_strategy='replace_window',
    window_date_column='call_date',
    pre_hook="{{ store_windows(call_windows(this)) }}",
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
    -- A coarse cut before the time zones (the exact one is on the client's day, below).
    where exists (
        select 1
        from {{ windows_relation() }} as windows
        where windows.client_id = source_rows.client_id
            and cast(coalesce(source_rows.started_at_utc, source_rows.started_at_local) as date)
            between {{ add_days('windows.date_from', -1) }} and {{ add_days('windows.date_to', 1) }}
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
        unioned.utm_campaign
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
    {% if replace_windows_active() %}where {{ in_windows('localized', 'call_date') }}{% endif %}

),

-- The mapping's regular expressions run once per distinct source/medium pair, not per call.
channels as (

    {{ attribution_channels('windowed') }}

)

select
    windowed.call_key,
    windowed.tracker,
    windowed.client_id,
    windowed.account_id,
    windowed.call_id,
    windowed.started_at_utc,
    windowed.call_date,
    windowed.caller_number,
    windowed.talk_seconds,
    windowed.has_negative_duration,
    windowed.is_answered,
    windowed.lead_rule,
    windowed.is_target,
    windowed.tracker_is_lead,
    windowed.attribution_source,
    windowed.attribution_medium,
    windowed.utm_campaign,
    -- Nothing is ever dropped: a call no rule matches is `other`.
    coalesce(channels.channel, 'other') as channel
from windowed
left join channels
    on windowed.mapping_source = channels.mapping_source
    and windowed.mapping_medium = channels.mapping_medium
