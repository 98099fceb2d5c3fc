with

raw_rows as (

    select * from {{ source('raw', 'comagic_calls') }}

),

renamed as (

    select
        ----------  ids
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(call_id as {{ dbt.type_string() }}) as call_id,

        ---------- text
        direction,
        finish_reason,
        contact_phone_number as caller_number,
        virtual_phone_number as tracking_number,
        campaign_name,
        utm_source,
        utm_medium,
        utm_campaign,
        tags,

        ---------- numerics
        cast(talk_duration as {{ dbt.type_int() }}) as talk_seconds,
        cast(wait_duration as {{ dbt.type_int() }}) as wait_seconds,
        cast(total_duration as {{ dbt.type_int() }}) as total_seconds,

        ---------- booleans
        is_lost,

        ---------- timestamps (the CoMagic account's time zone; converted to UTC downstream)
        cast(start_time as {{ dbt.type_timestamp() }}) as started_at_local,
        cast(finish_time as {{ dbt.type_timestamp() }}) as finished_at_local,

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
        'comagic' as source,
        -- CoMagic gives utm only.
        utm_source as attribution_source,
        utm_medium as attribution_medium,
        -- Answered: not lost; when the flag is missing, talked at all.
        coalesce(not is_lost, coalesce(talk_seconds, 0) > 0) as is_answered,
        -- No target flag: the agency's rule applies (int_calls).
        cast(null as {{ dbt.type_boolean() }}) as is_target,
        -- No unique-target flag either: leads by the agency's rules (int_calls).
        cast(null as {{ dbt.type_boolean() }}) as tracker_is_lead,
        -- Start in the account's time zone only (converted to UTC in int_calls).
        cast(null as {{ dbt.type_timestamp() }}) as started_at_utc,
        *

    from renamed

)

select * from conformed
