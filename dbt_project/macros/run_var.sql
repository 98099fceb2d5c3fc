{#
    A value the pipeline sets for one dbt command: `as_of_date`, `changed_since`.

    A non-empty `--vars` value wins (a hand-run `dbt build --vars '{"as_of_date": ...}'`, the unit tests).
    Otherwise, when the command names a table in `run_vars_from` (the pipeline always passes
    `{"run_vars_from": "pipeline.dbt_run_vars"}`), the value is read from that table when the SQL
    runs: the nightly's `--vars` stay the same from night to night, and dbt keeps its partial parse
    instead of parsing the whole project again (`pipelines/load/model_builds.py`). Empty when
    neither has it, and while dbt parses (no database reads then).
#}
{% macro run_var(name) -%}
    {%- set value = var(name, none) -%}
    {%- set table = var('run_vars_from', '') -%}
    {%- if (value is none or (value | string) == '') and table and execute -%}
        {%- if not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*[.][A-Za-z_][A-Za-z0-9_]*', table) -%}
            {{ exceptions.raise_compiler_error("var run_vars_from must be schema.table, got '" ~ table ~ "'") }}
        {%- endif -%}
        {%- set rows = run_query("select value from " ~ table ~ " where name = '" ~ name ~ "'") -%}
        {%- if rows | length > 0 -%}
            {%- set value = rows.columns[0].values()[0] -%}
        {%- endif -%}
    {%- endif -%}
    {{ return('' if value is none else value | string) }}
{%- endmacro %}
