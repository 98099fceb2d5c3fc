-- Every record of every lead system on one schema, counted or not, with its contact key, its
-- client-local time and day, its channel and the system's priority for the client: what the
-- lead ledger merges and the reconciliation counts. Calls come from `int_calls` (every incoming
-- call; a lead where `is_lead`), forms, chats and CRM leads from the staging models of the
-- registry's `leads` sources (doc block `conformed_leads`). A row may stand for several leads
-- (`lead_count`: Metrika reports goal reaches as counts).

-- A view on DuckDB (decision 62): its readers take what they need (the ledger only counted
-- events, the reconciliation counts, freshness the last days) and DuckDB pushes that into the
-- query, where writing its 4.9 M rows at 300 clients cost more than computing them twice. A
-- table on the other engines, whose builds were measured with it stored (Spark plans a view
-- again for every reader).
{{ config(materialized=('view' if target.type == 'duckdb' else 'table')) }}

with

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

accounts as (

    select * from {{ ref('stg_agency__client_accounts') }}

),

lead_goals as (

    select * from {{ ref('stg_agency__lead_goals') }}

),

priorities as (

    select * from {{ ref('stg_agency__client_lead_priority') }}

),

calls as (

    select * from {{ ref('int_calls') }}

),

call_events as (

    select
        calls.tracker as source,
        calls.client_id,
        calls.account_id,
        calls.call_id as record_id,
        'call' as lead_type,
        calls.started_at_utc as occurred_at_utc,
        calls.caller_number as contact_phone,
        cast(null as {{ dbt.type_string() }}) as contact_email,
        calls.channel,
        calls.utm_campaign,
        1 as lead_count,
        calls.is_lead as is_counted,
        case when not calls.is_lead then 'not_a_lead' end as exclusion_code,
        case when calls.lead_rule = 'tracker' then 'tracker_flag' else 'agency_rule' end as counted_by
    from calls

),

unioned as (

    {% for s in agency_sources('leads') %}
    select
        source,
        client_id,
        account_id,
        record_id,
        lead_type,
        occurred_at_utc,
        occurred_at_local,
        contact_phone,
        contact_email,
        attribution_source,
        attribution_medium,
        utm_campaign,
        lead_count,
        lead_goal_id,
        is_source_lead,
        exclusion_code,
        counted_by
    from {{ ref(s.staging_model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

form_events as (

    select
        unioned.source,
        unioned.client_id,
        unioned.account_id,
        unioned.record_id,
        unioned.lead_type,
        -- The system's UTC time; else its local time in the account's (else the client's) zone.
        coalesce(
            unioned.occurred_at_utc,
            {{ local_to_utc('unioned.occurred_at_local', 'coalesce(accounts.timezone, clients.timezone)') }}
        ) as occurred_at_utc,
        unioned.contact_phone,
        unioned.contact_email,
        lower(trim(coalesce(unioned.attribution_source, ''))) as mapping_source,
        lower(trim(coalesce(unioned.attribution_medium, ''))) as mapping_medium,
        unioned.utm_campaign,
        unioned.lead_count,
        -- A goal counts only when the client lists it (and Metrika did not create it itself).
        unioned.is_source_lead
        and (unioned.lead_goal_id is null or lead_goals.goal_id is not null) as is_counted,
        case
            when unioned.exclusion_code is not null then unioned.exclusion_code
            when unioned.lead_goal_id is not null and lead_goals.goal_id is null then 'goal_not_allowed'
        end as exclusion_code,
        unioned.counted_by,
        {{ dbt.concat(["unioned.source", "':'", "unioned.account_id", "':'", "unioned.record_id"]) }}
            as event_key
    from unioned
    left join clients
        on unioned.client_id = clients.client_id
    left join accounts
        on unioned.client_id = accounts.client_id
        and unioned.source = accounts.source
        and unioned.account_id = accounts.account_id
    left join lead_goals
        on unioned.client_id = lead_goals.client_id
        and unioned.account_id = lead_goals.account_id
        and unioned.lead_goal_id = lead_goals.goal_id

),

form_channels as (

    {{ attribution_channels('form_events') }}

),

events as (

    select
        {{ dbt.concat(["source", "':'", "account_id", "':'", "record_id"]) }} as event_key,
        source,
        client_id,
        account_id,
        record_id,
        lead_type,
        occurred_at_utc,
        contact_phone,
        contact_email,
        channel,
        utm_campaign,
        lead_count,
        is_counted,
        exclusion_code,
        counted_by
    from call_events

    union all

    select
        form_events.event_key,
        form_events.source,
        form_events.client_id,
        form_events.account_id,
        form_events.record_id,
        form_events.lead_type,
        form_events.occurred_at_utc,
        form_events.contact_phone,
        form_events.contact_email,
        -- Nothing is ever dropped: a lead no rule matches is `other`.
        coalesce(form_channels.channel, 'other') as channel,
        form_events.utm_campaign,
        form_events.lead_count,
        form_events.is_counted,
        form_events.exclusion_code,
        form_events.counted_by
    from form_events
    left join form_channels
        on form_events.mapping_source = form_channels.mapping_source
        and form_events.mapping_medium = form_channels.mapping_medium

)

select
    events.event_key,
    events.client_id,
    events.source,
    events.account_id,
    events.record_id,
    events.lead_type,
    events.occurred_at_utc,
    {{ utc_to_local('events.occurred_at_utc', 'clients.timezone') }} as lead_at,
    cast({{ utc_to_local('events.occurred_at_utc', 'clients.timezone') }} as date) as lead_date,
    {{ contact_key('events.contact_phone', 'events.contact_email') }} as contact_key,
    events.channel,
    events.utm_campaign,
    events.lead_count,
    events.is_counted,
    events.exclusion_code,
    events.counted_by,
    coalesce(priorities.priority_rank, 99) as priority_rank
from events
inner join clients
    on events.client_id = clients.client_id
left join priorities
    on events.client_id = priorities.client_id
    and events.source = priorities.source
where events.occurred_at_utc is not null
