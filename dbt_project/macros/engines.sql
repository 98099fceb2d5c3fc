{#
    The engines the project runs on: DuckDB (default), PostgreSQL and Apache Spark. Every
    dispatched macro (adapter.dispatch) has a `duckdb__`, a `postgres__` and a `spark__`
    implementation; its `default__` calls this, so another adapter fails at compile time with
    the macro's name instead of running one engine's SQL on another.
#}
{% macro unsupported_engine(macro_name) -%}
    {{ exceptions.raise_compiler_error(
        "macros: " ~ macro_name ~ " has no implementation for the '" ~ target.type
        ~ "' adapter (supported: duckdb, postgres, spark; see macros/engines.sql)"
    ) }}
{%- endmacro %}
