with

raw_rows as (

    select * from {{ source('raw', 'yandex_metrika_goal_reaches') }}

),

renamed as (

    select
        ---------- ids
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(goal_id as {{ dbt.type_bigint() }}) as goal_id,

        ---------- text
        goal_name,
        goal_type,
        attribution,
        traffic_source,
        utm_source,
        utm_medium,
        utm_campaign,

        ---------- numerics and flags
        cast(reaches as {{ dbt.type_bigint() }}) as reaches,
        is_automatic,
        sampled as is_sampled,

        ---------- dates
        cast(date as date) as reach_date,

        ---------- lineage
        _origin,
        _load_id,
        _loaded_at

    from raw_rows

),

conformed as (

    -- The leads feed's conformed columns (doc block `conformed_leads`). A row is `reaches`
    -- leads of one goal on one day: Metrika reports counts, not people, so there is no contact.
    select
        'yandex_metrika' as source,
        {{ dbt.concat([
            "cast(goal_id as " ~ dbt.type_string() ~ ")", "':'",
            "cast(reach_date as " ~ dbt.type_string() ~ ")", "':'",
            "coalesce(attribution, '')", "':'", "coalesce(traffic_source, '')", "':'",
            "coalesce(utm_source, '')", "':'", "coalesce(utm_medium, '')", "':'",
            "coalesce(utm_campaign, '')"
        ]) }} as record_id,
        'form' as lead_type,
        cast(null as {{ dbt.type_timestamp() }}) as occurred_at_utc,
        -- The counter's day: midnight of it in the counter's time zone.
        cast(reach_date as {{ dbt.type_timestamp() }}) as occurred_at_local,
        cast(null as {{ dbt.type_string() }}) as contact_phone,
        cast(null as {{ dbt.type_string() }}) as contact_email,
        -- utm when utm_source is filled, else Metrika's traffic source as a source/medium pair.
        case
            when nullif(trim(utm_source), '') is not null then utm_source
            when traffic_source = 'direct' then '(direct)'
            else traffic_source
        end as attribution_source,
        case
            when nullif(trim(utm_source), '') is not null then utm_medium
            when traffic_source = 'direct' then '(none)'
            when traffic_source in ('organic', 'referral', 'social', 'email') then traffic_source
            when traffic_source = 'ad' then 'cpc'
            else traffic_source
        end as attribution_medium,
        reaches as lead_count,
        goal_id as lead_goal_id,
        -- Goals Metrika creates by itself (phone and button clicks, calls uploaded by a tracker)
        -- are never leads, even when the configuration lists them.
        not coalesce(is_automatic, false) as is_source_lead,
        case when is_automatic then 'automatic_goal' end as exclusion_code,
        'goal' as counted_by,
        *

    from renamed

)

select * from conformed
