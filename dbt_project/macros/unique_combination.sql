{#
    The SQL of the generic test `unique_combination_of_columns` (tests/generic/, decision 61):
    the duplicated keys of `columns_csv` in `model`, by a 64-bit hash first where the engine has one.
#}
{% macro default__unique_combination_sql(model, columns_csv) -%}
    {{ unsupported_engine('unique_combination_sql') }}
{%- endmacro %}

{% macro _unique_combination_by_hash(model, columns_csv, hash_function) %}
select
    {{ columns_csv }},
    count(*) as n_rows
from {{ model }}
where {{ hash_function }}({{ columns_csv }}) in (
    select {{ hash_function }}({{ columns_csv }})
    from {{ model }}
    group by 1
    having count(*) > 1
)
group by {{ columns_csv }}
having count(*) > 1
{% endmacro %}

{% macro duckdb__unique_combination_sql(model, columns_csv) -%}
    {{ _unique_combination_by_hash(model, columns_csv, 'hash') }}
{%- endmacro %}

{% macro spark__unique_combination_sql(model, columns_csv) -%}
    {{ _unique_combination_by_hash(model, columns_csv, 'xxhash64') }}
{%- endmacro %}

{% macro postgres__unique_combination_sql(model, columns_csv) %}
select
    {{ columns_csv }},
    count(*) as n_rows
from {{ model }}
group by {{ columns_csv }}
having count(*) > 1
{% endmacro %}
