-- Incoming calls from every call tracker on one schema: UTC start, client-local day,
-- answered / target flags, the source/medium used for attribution and the mapped channel.

with

calltouch as (

    select * from {{ ref('stg_calltouch__calls') }}

),

comagic as (

    select * from {{ ref('stg_comagic__calls') }}

),

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

accounts as (

    select * from {{ ref('stg_agency__client_accounts') }}

),

settings as (

    select * from {{ ref('stg_agency__settings') }}

),

channel_mapping as (

    select * from {{ ref('channel_mapping') }}

),

calltouch_calls as (

    select
        'calltouch' as tracker,
        calltouch.client_id,
        calltouch.account_id,
        calltouch.call_id,
        coalesce(
            calltouch.started_at_utc,
            {{ local_to_utc('calltouch.started_at_local', 'coalesce(accounts.timezone, clients.timezone)') }}
        ) as started_at_utc,
        calltouch.caller_number,
        coalesce(calltouch.duration_seconds < 0, false) as has_negative_duration,
        case when calltouch.duration_seconds > 0 then calltouch.duration_seconds else 0 end as talk_seconds,
        coalesce(calltouch.is_successful, false) and coalesce(calltouch.duration_seconds, 0) > 0 as is_answered,
        coalesce(calltouch.is_target_call, false) as is_target,
        -- utm when utm_source is filled, else the tracker's own session source/medium.
        case
            when nullif(trim(calltouch.utm_source), '') is not null
                then calltouch.utm_source
            else calltouch.source
        end as attribution_source,
        case
            when nullif(trim(calltouch.utm_source), '') is not null
                then calltouch.utm_medium
            else calltouch.medium
        end as attribution_medium,
        calltouch.utm_campaign
    from calltouch
    left join clients
        on calltouch.client_id = clients.client_id
    left join accounts
        on calltouch.client_id = accounts.client_id
        and accounts.source = 'calltouch'
        and calltouch.account_id = accounts.account_id

),

comagic_answered as (

    select
        comagic.*,
        {{ local_to_utc('comagic.started_at_local', 'coalesce(accounts.timezone, clients.timezone)') }}
            as started_at_utc,
        coalesce(not comagic.is_lost, coalesce(comagic.talk_seconds, 0) > 0) as is_answered
    from comagic
    left join clients
        on comagic.client_id = clients.client_id
    left join accounts
        on comagic.client_id = accounts.client_id
        and accounts.source = 'comagic'
        and comagic.account_id = accounts.account_id
    where comagic.direction = 'in' or comagic.direction is null

),

comagic_calls as (

    select
        'comagic' as tracker,
        comagic_answered.client_id,
        comagic_answered.account_id,
        comagic_answered.call_id,
        comagic_answered.started_at_utc,
        comagic_answered.caller_number,
        coalesce(comagic_answered.talk_seconds < 0, false) as has_negative_duration,
        case
            when comagic_answered.talk_seconds > 0 then comagic_answered.talk_seconds else 0
        end as talk_seconds,
        comagic_answered.is_answered,
        -- CoMagic has no target flag: answered and talked at least the agency's minimum.
        comagic_answered.is_answered
        and coalesce(comagic_answered.talk_seconds, 0)
            >= coalesce(settings.target_call_min_talk_seconds, 30) as is_target,
        -- CoMagic gives utm only.
        comagic_answered.utm_source as attribution_source,
        comagic_answered.utm_medium as attribution_medium,
        comagic_answered.utm_campaign
    from comagic_answered
    left join settings on 1 = 1

),

unioned as (

    select * from calltouch_calls
    union all
    select * from comagic_calls

),

localized as (

    select
        {{ dbt.concat(["unioned.tracker", "':'", "unioned.account_id", "':'", "unioned.call_id"]) }} as call_key,
        unioned.*,
        cast({{ utc_to_local('unioned.started_at_utc', 'clients.timezone') }} as date) as call_date,
        lower(trim(coalesce(unioned.attribution_source, ''))) as mapping_source,
        lower(trim(coalesce(unioned.attribution_medium, ''))) as mapping_medium
    from unioned
    left join clients
        on unioned.client_id = clients.client_id
    where unioned.started_at_utc is not null

),

matched_rules as (

    select
        localized.call_key,
        channel_mapping.channel,
        row_number() over (
            partition by localized.call_key
            order by channel_mapping.priority
        ) as rule_rank
    from localized
    inner join channel_mapping
        on {{ regexp_full_match('localized.mapping_source', 'lower(channel_mapping.source_pattern)') }}
        and {{ regexp_full_match('localized.mapping_medium', 'lower(channel_mapping.medium_pattern)') }}

)

select
    localized.call_key,
    localized.tracker,
    localized.client_id,
    localized.account_id,
    localized.call_id,
    localized.started_at_utc,
    localized.call_date,
    localized.caller_number,
    localized.talk_seconds,
    localized.has_negative_duration,
    localized.is_answered,
    localized.is_target,
    localized.attribution_source,
    localized.attribution_medium,
    localized.utm_campaign,
    -- Nothing is ever dropped: a call no rule matches is `other`.
    coalesce(matched_rules.channel, 'other') as channel
from localized
left join matched_rules
    on localized.call_key = matched_rules.call_key
    and matched_rules.rule_rank = 1
