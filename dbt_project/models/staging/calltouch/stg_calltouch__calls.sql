with

raw_rows as (

    select * from {{ source('raw', 'calltouch_calls') }}

),

renamed as (

    select
        ----------  ids
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(call_id as {{ dbt.type_string() }}) as call_id,

        ---------- text
        caller_number,
        phone_number as tracking_number,
        source as session_source,
        medium as session_medium,
        -- The loader maps Calltouch's "<не указано>" placeholder to NULL; repeat it defensively.
        nullif(utm_source, '<не указано>') as utm_source,
        nullif(utm_medium, '<не указано>') as utm_medium,
        nullif(utm_campaign, '<не указано>') as utm_campaign,
        nullif(utm_content, '<не указано>') as utm_content,
        nullif(utm_term, '<не указано>') as utm_term,
        city,

        ---------- numerics
        -- Talk seconds as reported; negative values occur and are kept here (flagged downstream).
        cast(duration as {{ dbt.type_int() }}) as talk_seconds,
        cast(waiting_connect as {{ dbt.type_int() }}) as waiting_seconds,

        ---------- booleans
        successful as is_successful,
        unique_call as is_unique_call,
        target_call as is_target_call,
        uniq_target_call as is_unique_target_call,

        ---------- timestamps
        cast(call_timestamp_utc as {{ dbt.type_timestamp() }}) as started_at_utc,
        cast(call_date_local as {{ dbt.type_timestamp() }}) as started_at_local,

        ---------- lineage
        _origin,
        _load_id,
        _loaded_at

    from raw_rows

),

conformed as (

    -- The calls feed's conformed columns (doc block `conformed_calls`): what int_calls
    -- reads from every call tracker.
    select
        'calltouch' as source,
        -- The calls diary lists incoming calls only.
        'in' as direction,
        -- utm when utm_source is filled, else Calltouch's own session source/medium.
        case
            when nullif(trim(utm_source), '') is not null then utm_source
            else session_source
        end as attribution_source,
        case
            when nullif(trim(utm_source), '') is not null then utm_medium
            else session_medium
        end as attribution_medium,
        -- Answered: connected and talked; a negative duration is not an answer.
        coalesce(is_successful, false) and coalesce(talk_seconds, 0) > 0 as is_answered,
        -- Calltouch's own target flag decides (a missing flag = not target).
        coalesce(is_target_call, false) as is_target,
        -- Calltouch's unique-target flag: the lead the client sees in the cabinet (uniqueness by
        -- the cabinet's own settings). A missing flag = not a lead.
        coalesce(is_unique_target_call, false) as tracker_is_lead,
        *

    from renamed

)

select * from conformed
