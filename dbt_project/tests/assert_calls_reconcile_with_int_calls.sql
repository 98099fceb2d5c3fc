-- Reported in Dagster as an asset check of client_channel_daily (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'client_channel_daily'}}}) }}

-- Reconciliation: client_channel_daily counts every distinct call of the calls intermediate once.

with

totals as (

    select
        (select count(distinct call_key) from {{ ref('int_calls') }}) as distinct_calls,
        (select coalesce(sum(calls), 0) from {{ ref('client_channel_daily') }}) as mart_calls

)

select *
from totals
where distinct_calls <> mart_calls
