-- The loader's log of client accounts: one row per load attempt of an account's days, from an
-- API pull (`api:<source>`) or an export file (its kind, mapped to its source by the registry).
-- Rejected files count as failed attempts; loads that do not name an account and its days
-- (agency-wide registers and statements, unreadable files) are left out.

{%- set file_kinds = [] %}
{%- for s in agency_sources() if s.freshness == 'account' and s.file_kinds %}
{%- for kind in s.file_kinds.split(',') %}
{%- do file_kinds.append({'kind': kind, 'source': s.name}) %}
{%- endfor %}
{%- endfor %}

with

source as (

    select * from {{ source('raw', 'load_log') }}

),

file_kinds as (

    {% for k in file_kinds %}
    select '{{ k.kind }}' as kind, '{{ k.source }}' as source
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

account_sources as (

    {% for s in agency_sources() if s.freshness == 'account' %}
    select '{{ s.name }}' as source
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

mapped as (

    select
        source.load_id,
        cast(source.client_id as {{ dbt.type_string() }}) as client_id,
        cast(source.account_id as {{ dbt.type_string() }}) as account_id,
        coalesce(file_kinds.source, {{ dbt.replace('source.kind', "'api:'", "''") }}) as source,
        case when source.kind like 'api:%' then 'api' else 'file' end as via,
        case when source.status = 'loaded' then 'loaded' else 'failed' end as status,
        source.date_from,
        source.date_to,
        source.row_count,
        source.error,
        source.loaded_at
    from source
    left join file_kinds
        on source.kind = file_kinds.kind

)

select mapped.*
from mapped
inner join account_sources
    on mapped.source = account_sources.source
where mapped.client_id is not null
    and mapped.account_id is not null
    and mapped.date_from is not null
    and mapped.date_to is not null
