-- Reported in Dagster as an asset check of client_monthly (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'client_monthly'}}}) }}

-- Reconciliation: client_monthly adds up to client_channel_daily per client over the months it
-- covers (through the month of as_of_date).

with

daily as (

    select client_id, sum(spend) as spend, sum(leads) as leads
    from {{ ref('client_channel_daily') }}
    where date < {{ add_months(month_start(as_of_date()), 1) }}
    group by client_id

),

monthly as (

    select client_id, sum(spend) as spend, sum(leads) as leads
    from {{ ref('client_monthly') }}
    group by client_id

)

select
    coalesce(daily.client_id, monthly.client_id) as client_id,
    daily.spend as daily_spend,
    monthly.spend as monthly_spend,
    daily.leads as daily_leads,
    monthly.leads as monthly_leads
from daily
full outer join monthly
    on daily.client_id = monthly.client_id
where coalesce(daily.spend, 0) <> coalesce(monthly.spend, 0)
    or coalesce(daily.leads, 0) <> coalesce(monthly.leads, 0)
