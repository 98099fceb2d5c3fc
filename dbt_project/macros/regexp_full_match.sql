{#
    True when the whole of `value` matches the regular expression `pattern` (not just a part).
    There is no dbt cross-database macro for regular expressions.
#}
{% macro regexp_full_match(value, pattern) -%}
    {{ return(adapter.dispatch('regexp_full_match', 'agency_reporting')(value, pattern)) }}
{%- endmacro %}

{% macro default__regexp_full_match(value, pattern) -%}
    {{ unsupported_engine('regexp_full_match') }}
{%- endmacro %}


{% macro postgres__regexp_full_match(value, pattern) -%}
    ({{ value }} ~ ('^(?:' || {{ pattern }} || ')$'))
{%- endmacro %}


{% macro duckdb__regexp_full_match(value, pattern) -%}
    regexp_full_match({{ value }}, {{ pattern }})
{%- endmacro %}

{#- Spark: Java regular expressions; `rlike` finds a match anywhere, hence the anchors. -#}
{% macro spark__regexp_full_match(value, pattern) -%}
    ({{ value }} rlike concat('^(?:', {{ pattern }}, ')$'))
{%- endmacro %}
