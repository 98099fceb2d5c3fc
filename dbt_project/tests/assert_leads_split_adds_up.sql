-- Reported in Dagster as an asset check of client_channel_daily (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'client_channel_daily'}}}) }}

-- Leads by type add up to leads on every row, and client_channel_daily counts every lead of the
-- ledger once (none lost in the full outer joins, none counted twice).

with

split as (

    select client_id, date, channel, leads, call_leads + form_leads + chat_leads + crm_leads as by_type
    from {{ ref('client_channel_daily') }}
    where leads <> call_leads + form_leads + chat_leads + crm_leads

),

totals as (

    select
        (select count(*) from {{ ref('lead_ledger') }}) as ledger_leads,
        (select coalesce(sum(leads), 0) from {{ ref('client_channel_daily') }}) as mart_leads

)

select client_id, date, channel, leads, by_type from split
union all
select
    'ALL' as client_id,
    cast(null as date) as date,
    'ALL' as channel,
    mart_leads as leads,
    ledger_leads as by_type
from totals
where ledger_leads <> mart_leads
