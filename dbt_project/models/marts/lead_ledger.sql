-- The lead ledger: one row per lead, every type (call, form, chat, CRM), after merging the same
-- contact across systems within the uniqueness window (see int_leads). What `leads` counts in
-- client_channel_daily and client_monthly. The contact is published only as a salted SHA-256
-- hash (never the phone or the e-mail); leads without a contact (Metrika goal reaches) have none.

with

leads as (

    select * from {{ ref('int_leads') }}

),

settings as (

    select * from {{ ref('stg_agency__settings') }}

)

select
    cast(leads.client_id as {{ dbt.type_string() }}) as client_id,
    cast(leads.lead_key as {{ dbt.type_string() }}) as lead_key,
    cast(leads.lead_at as {{ dbt.type_timestamp() }}) as lead_at,
    cast(leads.lead_date as date) as lead_date,
    cast(leads.lead_type as {{ dbt.type_string() }}) as lead_type,
    cast(leads.source as {{ dbt.type_string() }}) as source,
    cast(leads.account_id as {{ dbt.type_string() }}) as account_id,
    cast(leads.record_id as {{ dbt.type_string() }}) as record_id,
    cast(leads.channel as {{ dbt.type_string() }}) as channel,
    cast(leads.utm_campaign as {{ dbt.type_string() }}) as utm_campaign,
    cast(
        case
            when leads.contact_key is not null
                then {{ sha256_hex(dbt.concat(["settings.contact_hash_salt", "leads.contact_key"])) }}
        end as {{ dbt.type_string() }}
    ) as contact_hash,
    cast(leads.counted_by as {{ dbt.type_string() }}) as counted_by,
    cast(leads.merged_events as {{ dbt.type_int() }}) as merged_events
from leads
left join settings on 1 = 1
