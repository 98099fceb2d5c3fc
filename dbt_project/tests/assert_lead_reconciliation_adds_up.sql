-- Reported in Dagster as an asset check of lead_reconciliation (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'lead_reconciliation'}}}) }}

-- Per client and month the systems' ledger shares add up to the ledger, and every system's own
-- total is explained: source_leads = records - excluded_records = ledger_leads + merged_leads.

with

reconciled as (

    select client_id, month, sum(ledger_leads) as ledger_leads
    from {{ ref('lead_reconciliation') }}
    group by client_id, month

),

ledger as (

    select client_id, {{ month_start('lead_date') }} as month, count(*) as ledger_leads
    from {{ ref('lead_ledger') }}
    group by client_id, {{ month_start('lead_date') }}

)

select
    coalesce(reconciled.client_id, ledger.client_id) as client_id,
    coalesce(reconciled.month, ledger.month) as month,
    reconciled.ledger_leads as reconciled_leads,
    ledger.ledger_leads
from reconciled
full outer join ledger
    on reconciled.client_id = ledger.client_id
    and reconciled.month = ledger.month
where coalesce(reconciled.ledger_leads, 0) <> coalesce(ledger.ledger_leads, 0)

union all

select
    client_id,
    month,
    source_leads as reconciled_leads,
    ledger_leads + merged_leads as ledger_leads
from {{ ref('lead_reconciliation') }}
where source_leads <> records - excluded_records
    or source_leads <> ledger_leads + merged_leads
