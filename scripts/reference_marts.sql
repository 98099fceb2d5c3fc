-- The reference limit of scripts/benchmark.py (issue 18): one hand-written DuckDB script that
-- computes, from the same raw tables, what the dbt project publishes in `client_campaign_daily`
-- (spend, impressions, clicks per client, day, channel, ad account and campaign: the largest
-- public mart) and `client_channel_daily` (spend, impressions, clicks, calls, unique and target
-- calls per client, client-local day and channel), and the client-month totals of the same
-- figures. The benchmark times it next to `dbt build` and compares its totals with the marts'.
--
-- Scope: the sources of the benchmark's synthetic raw layer (Yandex Direct, Calltouch). The
-- lead columns (the lead ledger: contacts merged across systems within a window) are not
-- reproduced here. Same rules as the models: one raw row per natural key (the loader's promise,
-- decision 40), spend in RUB from micros, incoming calls only, the client's time zone for the
-- call day, the tracker's target flag unless the account follows the agency's rule, a call
-- unique when the same number did not reach the same client within `unique_call_window_days`,
-- the channel by the first `channel_mapping` rule (regular expressions run once per distinct
-- source/medium pair).
-- Needs: the raw schema, and a table `channel_mapping` (the seed) in the current schema.

create or replace temp table ref_client_campaign_daily as
select
    client_id,
    date,
    'yandex_direct' as channel,
    account_id as platform_account_id,
    campaign_id,
    coalesce(max(campaign_name), campaign_id) as campaign_name,
    sum(cast(round(cast(cost_micros / 1000000.0 as decimal(18, 3)), 2) as decimal(18, 2))) as spend,
    sum(coalesce(impressions, 0)) as impressions,
    sum(coalesce(clicks, 0)) as clicks
from raw.yandex_direct_campaign_stats
group by client_id, date, account_id, campaign_id;

create or replace temp table ref_client_channel_daily as
with

ads_daily as (
    select client_id, date, channel, sum(spend) as spend, sum(impressions) as impressions, sum(clicks) as clicks
    from ref_client_campaign_daily
    group by all
),

settings as (
    select unique_call_window_days, target_call_min_talk_seconds from raw.agency_settings
),

incoming as (
    select
        calls.client_id,
        'calltouch:' || calls.account_id || ':' || calls.call_id as call_key,
        coalesce(
            calls.call_timestamp_utc,
            timezone('UTC', timezone(coalesce(accounts.timezone, clients.timezone), calls.call_date_local))
        ) as started_at_utc,
        calls.caller_number,
        case
            when coalesce(accounts.lead_rule, 'tracker') = 'tracker' and calls.target_call is not null
                then calls.target_call
            else coalesce(calls.successful, false) and coalesce(calls.duration, 0) > 0
                and coalesce(calls.duration, 0) >= settings.target_call_min_talk_seconds
        end as is_target,
        lower(trim(coalesce(
            case when nullif(trim(nullif(calls.utm_source, '<не указано>')), '') is not null
                then nullif(calls.utm_source, '<не указано>') else calls.source end, ''
        ))) as mapping_source,
        lower(trim(coalesce(
            case when nullif(trim(nullif(calls.utm_source, '<не указано>')), '') is not null
                then nullif(calls.utm_medium, '<не указано>') else calls.medium end, ''
        ))) as mapping_medium,
        clients.timezone as client_timezone,
        settings.unique_call_window_days
    from raw.calltouch_calls as calls
    left join raw.agency_clients as clients on calls.client_id = clients.client_id
    left join raw.agency_client_accounts as accounts
        on calls.client_id = accounts.client_id
        and accounts.source = 'calltouch'
        and calls.account_id = accounts.account_id
    cross join settings  -- Calltouch exports incoming calls only (its staging: direction 'in')
),

channels as (
    select pairs.mapping_source, pairs.mapping_medium, rules.channel
    from (select distinct mapping_source, mapping_medium from incoming) as pairs
    inner join channel_mapping as rules
        on regexp_full_match(pairs.mapping_source, lower(rules.source_pattern))
        and regexp_full_match(pairs.mapping_medium, lower(rules.medium_pattern))
    qualify row_number() over (partition by pairs.mapping_source, pairs.mapping_medium order by rules.priority) = 1
),

flagged as (
    select
        incoming.client_id,
        incoming.call_key,
        cast(timezone(incoming.client_timezone, timezone('UTC', incoming.started_at_utc)) as date) as call_date,
        coalesce(channels.channel, 'other') as channel,
        incoming.is_target,
        nullif(trim(incoming.caller_number), '') is null
        or lag(incoming.started_at_utc) over (
            partition by incoming.client_id, incoming.caller_number
            order by incoming.started_at_utc, incoming.call_key
        ) is null
        or lag(incoming.started_at_utc) over (
            partition by incoming.client_id, incoming.caller_number
            order by incoming.started_at_utc, incoming.call_key
        ) <= incoming.started_at_utc - to_hours(24 * coalesce(incoming.unique_call_window_days, 30))
        as is_unique
    from incoming
    left join channels
        on incoming.mapping_source = channels.mapping_source
        and incoming.mapping_medium = channels.mapping_medium
    where incoming.started_at_utc is not null
),

calls_daily as (
    select
        client_id,
        call_date as date,
        channel,
        count(distinct call_key) as calls,
        count(*) filter (where is_unique) as unique_calls,
        count(*) filter (where is_target) as target_calls
    from flagged
    group by all
)

select
    coalesce(ads_daily.client_id, calls_daily.client_id) as client_id,
    coalesce(ads_daily.date, calls_daily.date) as date,
    coalesce(ads_daily.channel, calls_daily.channel) as channel,
    coalesce(ads_daily.spend, 0) as spend,
    coalesce(ads_daily.impressions, 0) as impressions,
    coalesce(ads_daily.clicks, 0) as clicks,
    coalesce(calls_daily.calls, 0) as calls,
    coalesce(calls_daily.unique_calls, 0) as unique_calls,
    coalesce(calls_daily.target_calls, 0) as target_calls
from ads_daily
full outer join calls_daily
    on ads_daily.client_id = calls_daily.client_id
    and ads_daily.date = calls_daily.date
    and ads_daily.channel = calls_daily.channel;

create or replace temp table ref_client_monthly as
select
    client_id,
    date_trunc('month', date) as month,
    sum(spend) as spend,
    sum(impressions) as impressions,
    sum(clicks) as clicks,
    sum(calls) as calls,
    sum(unique_calls) as unique_calls,
    sum(target_calls) as target_calls
from ref_client_channel_daily
group by all;
