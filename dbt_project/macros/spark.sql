{#
    dbt-spark's own macros, adjusted where this project needs it (Spark only; DuckDB and
    PostgreSQL never call these). See docs/scale-out.md, "Spark".
#}


{#
    Contract and seed column types are written once, in names DuckDB and PostgreSQL both accept
    (`text`, `varchar`, `double precision`, `integer`, `numeric(p,s)`...). Spark names some of
    them differently (`string`, `double`, `int`; `varchar` needs a length there): its name of a
    declared type. Other names pass unchanged.
#}
{% macro spark_type(sql_type) -%}
    {%- set names = {
        'text': 'string',
        'varchar': 'string',
        'character varying': 'string',
        'double precision': 'double',
        'integer': 'int',
    } -%}
    {{- return(names.get(sql_type | trim | lower, sql_type)) -}}
{%- endmacro %}


{#- dbt's `cast` on Spark (dbt-spark has none: the contract check casts NULL to each declared type). -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type(type) }})
{%- endmacro %}


{#- dbt-spark's seed table, the declared column types named as Spark names them. -#}
{% macro spark__create_csv_table(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}

  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
            {%- set type = spark_type(column_override.get(col_name, inferred_type)) -%}
            {%- set column_name = (col_name | string) -%}
            {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ partition_cols(label="partitioned by") }}
    {{ clustered_cols(label="clustered by") }}
    {{ location_clause() }}
    {{ comment_clause() }}
  {% endset %}

  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}

  {{ return(sql) }}
{% endmacro %}


{#-
    dbt-spark's seed rows, written as literals (its session cursor pastes bindings in unquoted
    and unescaped). String literals are taken as written (profiles.yml sets
    spark.sql.parser.escapedStringLiterals), so a value is quoted with ' or, when it holds one, ".
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
      {%- set sql -%}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set type = spark_type(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
                  {%- set value = row[loop.index0] -%}
                  {%- if value is none -%}
                    cast(null as {{ type }})
                  {%- else -%}
                    {%- set text = value | string -%}
                    {%- if "'" in text and '"' in text -%}
                      {{ exceptions.raise_compiler_error("seed " ~ model.name ~ ": a value holds both quote characters: " ~ text) }}
                    {%- endif -%}
                    {%- set quote = '"' if "'" in text else "'" -%}
                    cast({{ quote }}{{ text }}{{ quote }} as {{ type }})
                  {%- endif -%}
                  {%- if not loop.last %},{% endif -%}
              {%- endfor -%})
              {%- if not loop.last %},{% endif %}
          {% endfor %}
      {%- endset -%}
      {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
      {%- if loop.index0 == 0 -%}{%- do statements.append(sql) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(statements[0]) }}
{% endmacro %}


{#-
    NOT NULL contract constraints: Delta and Iceberg tables keep them (dbt-spark's ALTER COLUMN);
    a parquet table cannot, so the built table is checked instead and the model fails when a
    NOT NULL column holds a NULL (the same outcome as DuckDB's and PostgreSQL's constraint).
-#}
{% macro spark__persist_constraints(relation, model) %}
  {%- if config.get('contract').enforced -%}
    {%- if config.get('file_format', 'parquet') in ['delta', 'iceberg'] -%}
      {%- do alter_table_add_constraints(relation, model.constraints) -%}
      {%- do alter_column_set_constraints(relation, model.columns) -%}
    {%- else -%}
      {%- set not_null = [] -%}
      {%- for name, column in model.columns.items() -%}
        {%- if column.constraints | selectattr('type', 'equalto', 'not_null') | list | length > 0 -%}
          {%- do not_null.append(name) -%}
        {%- endif -%}
      {%- endfor -%}
      {%- if not_null -%}
        {%- set checks = [] -%}
        {%- for name in not_null -%}
          {%- do checks.append('cast(sum(case when ' ~ name ~ ' is null then 1 else 0 end) as bigint) as ' ~ name) -%}
        {%- endfor -%}
        {%- set result = run_query('select ' ~ checks | join(', ') ~ ' from ' ~ relation) -%}
        {%- set violated = [] -%}
        {%- for name in not_null -%}
          {%- if (result.columns[loop.index0].values()[0] or 0) > 0 -%}{%- do violated.append(name) -%}{%- endif -%}
        {%- endfor -%}
        {%- if violated -%}
          {{ exceptions.raise_compiler_error(
              "contract of " ~ relation ~ ": NOT NULL column(s) hold NULL: " ~ violated | join(', ')) }}
        {%- endif -%}
      {%- endif -%}
    {%- endif -%}
  {%- endif -%}
{% endmacro %}


{#- dbt-spark knows its own strategies only; this project's incremental models replace windows. -#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
  {%- if raw_strategy != 'replace_window' -%}
    {{ exceptions.raise_compiler_error(
        "incremental_strategy " ~ raw_strategy ~ ": this project's incremental models use replace_window") }}
  {%- endif -%}
  {{ return(raw_strategy) }}
{% endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
  {{ get_incremental_replace_window_sql({
      'target_relation': target,
      'temp_relation': source,
      'dest_columns': adapter.get_columns_in_relation(target),
      'unique_key': unique_key,
      'incremental_predicates': incremental_predicates,
  }) }}
{% endmacro %}


{#-
    dbt-spark's listagg ignores the order (it warns "order_by_clause is not supported"); the
    models' lists are ordered (health reasons, invoice numbers as written): values sorted by their
    key, NULL when no value is present (as string_agg on DuckDB and PostgreSQL).
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num is not none -%}
        {{ exceptions.raise_compiler_error("listagg on Spark: limit_num is not supported here") }}
    {%- endif -%}
    {%- if order_by_clause -%}
        {%- set match = modules.re.fullmatch('\\s*order\\s+by\\s+(.+?)(\\s+asc)?\\s*', order_by_clause, modules.re.I) -%}
        {%- if not match or ',' in match.group(1) or modules.re.search('\\sdesc\\s*$', order_by_clause, modules.re.I) -%}
            {{ exceptions.raise_compiler_error("listagg on Spark: one ascending order key only, got " ~ order_by_clause) }}
        {%- endif -%}
        case when count({{ measure }}) > 0 then array_join(
            transform(
                array_sort(collect_list(named_struct('k', {{ match.group(1) }}, 'v', {{ measure }}))),
                x -> x.v
            ),
            {{ delimiter_text }}
        ) end
    {%- else -%}
        case when count({{ measure }}) > 0 then array_join(collect_list({{ measure }}), {{ delimiter_text }}) end
    {%- endif -%}
{%- endmacro %}
