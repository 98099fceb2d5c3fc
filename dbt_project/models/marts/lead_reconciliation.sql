-- Per client, month and lead system: the system's own figures next to the ledger's, with the
-- difference explained. `records` = what the system recorded (calls, requests, goal reaches,
-- CRM leads); `excluded_records` = what it does not count as a lead itself (a call that is not
-- unique-target, a deleted or junk CRM lead) or the agency excludes (a goal Metrika created
-- itself or the client does not list); `source_leads` = records - excluded (the system's own
-- total, what the client sees in its cabinet); `merged_leads` = its leads merged into another
-- system's lead of the same contact; `ledger_leads` = source_leads - merged_leads (its share of
-- the ledger).

with

events as (

    select * from {{ ref('int_lead_events') }}

),

ledger as (

    select * from {{ ref('int_leads') }}

),

recorded as (

    select
        client_id,
        {{ month_start('lead_date') }} as month,
        source,
        sum(lead_count) as records,
        sum(case when is_counted then 0 else lead_count end) as excluded_records,
        sum(case when is_counted then lead_count else 0 end) as source_leads
    from events
    group by client_id, {{ month_start('lead_date') }}, source

),

in_ledger as (

    select
        client_id,
        {{ month_start('lead_date') }} as month,
        source,
        count(*) as ledger_leads
    from ledger
    group by client_id, {{ month_start('lead_date') }}, source

)

select
    cast(recorded.client_id as {{ dbt.type_string() }}) as client_id,
    cast(recorded.month as date) as month,
    cast(recorded.source as {{ dbt.type_string() }}) as source,
    cast(recorded.records as {{ dbt.type_bigint() }}) as records,
    cast(recorded.excluded_records as {{ dbt.type_bigint() }}) as excluded_records,
    cast(recorded.source_leads as {{ dbt.type_bigint() }}) as source_leads,
    cast(
        recorded.source_leads - coalesce(in_ledger.ledger_leads, 0) as {{ dbt.type_bigint() }}
    ) as merged_leads,
    cast(coalesce(in_ledger.ledger_leads, 0) as {{ dbt.type_bigint() }}) as ledger_leads
from recorded
left join in_ledger
    on recorded.client_id = in_ledger.client_id
    and recorded.month = in_ledger.month
    and recorded.source = in_ledger.source
