-- The lead ledger's logic: one row per lead. Counted events of one contact (the same phone, else
-- the same e-mail) within the uniqueness window are one episode: an event joins the episode of
-- the contact's previous event when that one was less than `unique_call_window_days` x 24 h
-- earlier, whatever system it came from. The episode's system with the best priority for the
-- client (`lead_priority`, default: CRM, call trackers, forms) wins: its events are the leads
-- (each one: a tracker that counted two calls keeps two), the other systems' events are merged
-- into the winner's event nearest in time (`merged_events`). Events without a contact are never
-- merged; a row counting several leads (Metrika) becomes one row per lead.

with

events as (

    select * from {{ ref('int_lead_events') }}
    where is_counted

),

settings as (

    select * from {{ ref('stg_agency__settings') }}

),

with_contact as (

    select
        events.*,
        lag(events.occurred_at_utc) over (
            partition by events.client_id, events.contact_key
            order by events.occurred_at_utc, events.priority_rank, events.source, events.record_id
        ) as previous_at_utc,
        coalesce(settings.unique_call_window_days, 30) as window_days
    from events
    left join settings on 1 = 1
    where events.contact_key is not null

),

starts as (

    select
        *,
        case
            when previous_at_utc is null
                or previous_at_utc <= {{ dbt.dateadd('hour', '-24 * window_days', 'occurred_at_utc') }}
                then 1
            else 0
        end as starts_episode
    from with_contact

),

episodes as (

    select
        *,
        sum(starts_episode) over (
            partition by client_id, contact_key
            order by occurred_at_utc, priority_rank, source, record_id
            rows between unbounded preceding and current row
        ) as episode_number
    from starts

),

ranked as (

    select
        *,
        min(priority_rank) over (partition by client_id, contact_key, episode_number) as winner_rank
    from episodes

),

winners as (

    select * from ranked
    where priority_rank = winner_rank

),

merged as (

    select * from ranked
    where priority_rank <> winner_rank

),

-- Each merged event goes to the winner's event nearest in time (ties: the earlier one).
merged_to as (

    select
        merged.event_key as merged_event_key,
        winners.event_key as winner_event_key,
        row_number() over (
            partition by merged.event_key
            order by
                abs({{ dbt.datediff('winners.occurred_at_utc', 'merged.occurred_at_utc', 'second') }}),
                winners.occurred_at_utc,
                winners.event_key
        ) as nearness
    from merged
    inner join winners
        on merged.client_id = winners.client_id
        and merged.contact_key = winners.contact_key
        and merged.episode_number = winners.episode_number

),

merged_counts as (

    select winner_event_key, count(*) as merged_events
    from merged_to
    where nearness = 1
    group by winner_event_key

),

contact_leads as (

    select
        winners.event_key as lead_key,
        winners.event_key,
        winners.client_id,
        winners.source,
        winners.account_id,
        winners.record_id,
        winners.lead_type,
        winners.occurred_at_utc,
        winners.lead_at,
        winners.lead_date,
        winners.contact_key,
        winners.channel,
        winners.utm_campaign,
        winners.counted_by,
        coalesce(merged_counts.merged_events, 0) as merged_events
    from winners
    left join merged_counts
        on winners.event_key = merged_counts.winner_event_key

),

spine as (

    select n from {{ integers_up_to('(select max(lead_count) from events)') }} as numbers

),

contactless_leads as (

    select
        case
            when events.lead_count = 1 then events.event_key
            else {{ dbt.concat(["events.event_key", "'#'", "cast(spine.n as " ~ dbt.type_string() ~ ")"]) }}
        end as lead_key,
        events.event_key,
        events.client_id,
        events.source,
        events.account_id,
        events.record_id,
        events.lead_type,
        events.occurred_at_utc,
        events.lead_at,
        events.lead_date,
        events.contact_key,
        events.channel,
        events.utm_campaign,
        events.counted_by,
        0 as merged_events
    from events
    inner join spine
        on events.lead_count >= spine.n
    where events.contact_key is null

)

select * from contact_leads
union all
select * from contactless_leads
