-- Reported in Dagster as an asset check of invoices (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'invoices'}}}) }}

-- Reconciliation: the invoices mart holds exactly the staged invoices of configured clients,
-- amount for amount.

with

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

matched_staging as (

    select staged.amount
    from {{ ref('stg_invoice_register__invoices') }} as staged
    where staged.client_id in (select clients.client_id from clients)
        or staged.inn in (
            select clients.inn
            from clients
            group by clients.inn
            having count(*) = 1
        )

),

totals as (

    select
        (select count(*) from matched_staging) as staging_rows,
        (select coalesce(sum(amount), 0) from matched_staging) as staging_amount,
        (select count(*) from {{ ref('invoices') }}) as mart_rows,
        (select coalesce(sum(amount), 0) from {{ ref('invoices') }}) as mart_amount

)

select *
from totals
where staging_rows <> mart_rows
    or staging_amount <> mart_amount
