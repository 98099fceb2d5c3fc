with

raw_rows as (

    select * from {{ source('raw', 'bitrix24_leads') }}

),

renamed as (

    select
        ---------- ids
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(lead_id as {{ dbt.type_string() }}) as lead_id,

        ---------- text
        title as lead_title,
        status_id,
        source_id as crm_source,
        utm_source,
        utm_medium,
        utm_campaign,
        phone as contact_phone,
        email as contact_email,

        ---------- timestamps
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at_utc,

        ---------- lineage
        _origin,
        _load_id,
        _loaded_at

    from raw_rows

),

conformed as (

    -- The leads feed's conformed columns (doc block `conformed_leads`).
    select
        'bitrix24_leads' as source,
        lead_id as record_id,
        'crm' as lead_type,
        created_at_utc as occurred_at_utc,
        cast(null as {{ dbt.type_timestamp() }}) as occurred_at_local,
        -- utm when the lead has it, else the CRM's own source (WEB, CALL, ADVERTISING...: no
        -- channel of ours, so `other`).
        case when nullif(trim(utm_source), '') is not null then utm_source else crm_source end
            as attribution_source,
        case when nullif(trim(utm_source), '') is not null then utm_medium end as attribution_medium,
        1 as lead_count,
        cast(null as {{ dbt.type_bigint() }}) as lead_goal_id,
        -- JUNK: the manager marked it "poor quality lead" (spam, a wrong number).
        coalesce(status_id, '') <> 'JUNK' as is_source_lead,
        case when status_id = 'JUNK' then 'junk' end as exclusion_code,
        'crm_record' as counted_by,
        *

    from renamed

)

select * from conformed
