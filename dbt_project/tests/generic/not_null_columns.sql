{#
    None of `columns` is ever NULL in the model, checked in one scan of it (docs/decisions.md, 56):
    a `not_null` test per column was a dbt node and a scan of the model each. Fails with one row
    per column that has NULLs, its name (`column_name`) and how many rows (`null_rows`): "Got 2
    results" is two columns, and `dbt test --store-failures` keeps which. `count(*) - count(c)` is
    the NULLs of c (a bigint on every engine, 0 on an empty model); plain SQL, one aggregate and a
    union of literal selects, for DuckDB, PostgreSQL and Spark. Plain column names only (no quoting).
#}
{% test not_null_columns(model, columns) %}

{%- if not columns %}
    {{ exceptions.raise_compiler_error("not_null_columns on " ~ model ~ ": `columns` lists no column") }}
{%- endif %}

with null_counts as (
    select
        {%- for column in columns %}
        count(*) - count({{ column }}) as null_rows_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
)
{% for column in columns %}
select
    '{{ column }}' as column_name,
    null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}

{% endtest %}
