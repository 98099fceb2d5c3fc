-- Reported in Dagster as an asset check of payments (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'payments'}}}) }}

-- Reconciliation: every incoming payment of the bank statements is in the payments mart, once,
-- and its rows (the shares of a split payment) add up to its amount. Outgoing ones are not.

with

incoming as (

    select payment_id, amount
    from {{ ref('stg_bank_statement__payments') }}
    where direction = 'in'

),

mart as (

    select payment_id, sum(amount) as amount, max(payment_amount) as payment_amount
    from {{ ref('payments') }}
    group by payment_id

)

select
    coalesce(incoming.payment_id, mart.payment_id) as payment_id,
    incoming.amount as statement_amount,
    mart.amount as mart_amount,
    mart.payment_amount
from incoming
full outer join mart
    on incoming.payment_id = mart.payment_id
where incoming.payment_id is null
    or mart.payment_id is null
    or incoming.amount <> mart.amount
    or incoming.amount <> mart.payment_amount
