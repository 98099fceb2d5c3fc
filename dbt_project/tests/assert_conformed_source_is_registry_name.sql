-- Reported in Dagster as an asset check of dim_sources (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'dim_sources'}}}) }}

-- The conformed `source` column of every ad_stats, calls and leads staging model holds the source's
-- registry name (`agency_sources()`, published as dim_sources): the unions and source_freshness
-- group by it.

{%- set conformed = agency_sources('ad_stats') + agency_sources('calls') + agency_sources('leads') %}

{% for s in conformed %}
select '{{ s.staging_model }}' as staging_model, source, count(*) as n_rows
from {{ ref(s.staging_model) }}
where source is null
    or source <> '{{ s.name }}'
    or source not in (select registered.source from {{ ref('dim_sources') }} as registered)
group by source
{% if not loop.last %}union all{% endif %}
{% endfor %}
