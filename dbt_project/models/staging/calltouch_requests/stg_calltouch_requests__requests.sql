with

raw_rows as (

    select * from {{ source('raw', 'calltouch_requests') }}

),

renamed as (

    select
        ---------- ids
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(request_id as {{ dbt.type_string() }}) as request_id,
        request_number,
        cast(call_id as {{ dbt.type_string() }}) as call_id,

        ---------- text
        request_type,
        subject as form_name,
        source as session_source,
        medium as session_medium,
        nullif(utm_source, '<не указано>') as utm_source,
        nullif(utm_medium, '<не указано>') as utm_medium,
        nullif(utm_campaign, '<не указано>') as utm_campaign,
        client_phone,
        client_email,

        ---------- booleans
        target_request as is_target_request,
        unique_request as is_unique_request,
        uniq_target_request as is_unique_target_request,

        ---------- timestamps
        cast(request_timestamp_utc as {{ dbt.type_timestamp() }}) as created_at_utc,
        cast(request_date_local as {{ dbt.type_timestamp() }}) as created_at_local,

        ---------- lineage
        _origin,
        _load_id,
        _loaded_at

    from raw_rows

),

conformed as (

    -- The leads feed's conformed columns (doc block `conformed_leads`).
    select
        'calltouch_requests' as source,
        request_id as record_id,
        -- Calltouch's journal holds site forms and online-chat requests.
        case
            when lower(coalesce(request_type, '')) like '%chat%'
                or lower(coalesce(request_type, '')) like '%чат%'
                then 'chat'
            else 'form'
        end as lead_type,
        created_at_utc as occurred_at_utc,
        created_at_local as occurred_at_local,
        client_phone as contact_phone,
        client_email as contact_email,
        case
            when nullif(trim(utm_source), '') is not null then utm_source
            else session_source
        end as attribution_source,
        case
            when nullif(trim(utm_source), '') is not null then utm_medium
            else session_medium
        end as attribution_medium,
        1 as lead_count,
        cast(null as {{ dbt.type_bigint() }}) as lead_goal_id,
        -- Calltouch's unique-target flag (its cabinet's count); no flag = every request counts.
        coalesce(is_unique_target_request, true) as is_source_lead,
        case when is_unique_target_request = false then 'not_unique_target' end as exclusion_code,
        case
            when is_unique_target_request is null then 'agency_rule' else 'tracker_request_flag'
        end as counted_by,
        *

    from renamed

)

select * from conformed
