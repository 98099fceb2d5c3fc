-- The registered data sources with their display names in Russian and English, straight from
-- the source registry (the generated macro agency_sources()): the dashboard and the reports
-- name sources from here, never from a list of their own.

{% for source in agency_sources() %}
select
    cast('{{ source.name }}' as {{ dbt.type_string() }}) as source,
    cast('{{ source.feed }}' as {{ dbt.type_string() }}) as feed,
    cast('{{ source.label_ru | replace("'", "''") }}' as {{ dbt.type_string() }}) as label_ru,
    cast('{{ source.label_en | replace("'", "''") }}' as {{ dbt.type_string() }}) as label_en,
    cast({{ loop.index }} as {{ dbt.type_int() }}) as sort_order
{% if not loop.last %}
union all
{% endif %}
{% endfor %}
