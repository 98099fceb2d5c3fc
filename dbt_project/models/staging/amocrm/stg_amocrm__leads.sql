with

raw_rows as (

    select * from {{ source('raw', 'amocrm_leads') }}

),

renamed as (

    select
        ---------- ids
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(status_id as {{ dbt.type_string() }}) as status_id,
        cast(pipeline_id as {{ dbt.type_string() }}) as pipeline_id,

        ---------- text
        name as lead_name,
        utm_source,
        utm_medium,
        utm_campaign,
        contact_phone,
        contact_email,

        ---------- numerics and flags
        price,
        coalesce(is_deleted, false) as is_deleted,

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
        'amocrm' as source,
        lead_id as record_id,
        'crm' as lead_type,
        created_at_utc as occurred_at_utc,
        cast(null as {{ dbt.type_timestamp() }}) as occurred_at_local,
        -- No utm: the deal came in without a marked visit (entered by hand, a phone call...):
        -- empty source and medium, which the channel mapping reads as direct.
        utm_source as attribution_source,
        utm_medium as attribution_medium,
        1 as lead_count,
        cast(null as {{ dbt.type_bigint() }}) as lead_goal_id,
        not is_deleted as is_source_lead,
        case when is_deleted then 'deleted' end as exclusion_code,
        'crm_record' as counted_by,
        *

    from renamed

)

select * from conformed
