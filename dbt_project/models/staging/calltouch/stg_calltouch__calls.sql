with

deduplicated as (

    {{ latest_per_key(source('raw', 'calltouch_calls'), ['client_id', 'account_id', 'call_id']) }}

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
        source,
        medium,
        -- The loader maps Calltouch's "<не указано>" placeholder to NULL; repeat it defensively.
        nullif(utm_source, '<не указано>') as utm_source,
        nullif(utm_medium, '<не указано>') as utm_medium,
        nullif(utm_campaign, '<не указано>') as utm_campaign,
        nullif(utm_content, '<не указано>') as utm_content,
        nullif(utm_term, '<не указано>') as utm_term,
        city,

        ---------- numerics
        -- Talk seconds as reported; negative values occur and are kept here (flagged downstream).
        cast(duration as {{ dbt.type_int() }}) as duration_seconds,
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

    from deduplicated
    where _row_number = 1

)

select * from renamed
