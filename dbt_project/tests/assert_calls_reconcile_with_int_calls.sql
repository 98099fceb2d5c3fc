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
