{#
    Replace-the-window incremental models (docs/decisions.md, "incremental models").

    The nightly refresh passes `changed_since` (a run value, `run_var`): the `loaded_at` high-water mark of `raw.load_log`
    at the last successful build. A model then recomputes only the (client, day) windows that
    loads after that mark touched, and its strategy `replace_window` deletes the target's rows of
    those windows and inserts the recomputed ones (rows restated or deleted away in raw
    disappear; not a merge). Each model writes its windows, before it runs, into
    `incremental_windows.<model>` (columns client_id, date_from, date_to): the model's SQL filters
    its inputs with them and the strategy deletes by them.

    Without `changed_since` (a hand-run `dbt build`) an existing incremental model is rebuilt
    whole: every row is replaced. `--full-refresh` (the pipeline's full rebuild) recreates it.
#}

{% macro changed_since() -%}
    {{ return(run_var('changed_since')) }}
{%- endmacro %}


{# True when this run replaces windows (an incremental run with a watermark). #}
{% macro replace_windows_active() -%}
    {{ return(changed_since() != '' and this is not none and is_incremental()) }}
{%- endmacro %}


{% macro windows_relation(model_name=none) -%}
    {{ return(api.Relation.create(
        database=this.database,
        schema='incremental_windows',
        identifier=model_name or this.identifier,
        type='table',
    )) }}
{%- endmacro %}


{#
    Pre-hook of a replace-window model: materialise its windows (`windows_sql`, a select of
    client_id, date_from, date_to) before the model's SQL runs. Nothing on full builds.
#}
{% macro store_windows(windows_sql) -%}
    {%- if replace_windows_active() -%}
        {{ replace_table_as(windows_relation(),
            'select distinct client_id, date_from, date_to from (' ~ windows_sql ~ ') as windows '
            ~ 'where client_id is not null and date_from is not null and date_to is not null') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{# A table (re)created from a select, whether or not it exists. PostgreSQL has no `create or replace table`. #}
{% macro replace_table_as(relation, select_sql) -%}
    {{ return(adapter.dispatch('replace_table_as', 'agency_reporting')(relation, select_sql)) }}
{%- endmacro %}

{% macro default__replace_table_as(relation, select_sql) -%}
    {{ unsupported_engine('replace_table_as') }}
{%- endmacro %}

{% macro postgres__replace_table_as(relation, select_sql) -%}
    drop table if exists {{ relation }};
    create table {{ relation }} as {{ select_sql }}
{%- endmacro %}

{% macro duckdb__replace_table_as(relation, select_sql) -%}
    create or replace table {{ relation }} as {{ select_sql }}
{%- endmacro %}

{#- Spark: `create or replace table` only for v2 tables (Delta, Iceberg); parquet drops first. -#}
{% macro spark__replace_table_as(relation, select_sql) -%}
    {%- if execute -%}{%- do run_query('drop table if exists ' ~ relation) -%}{%- endif -%}
    create table {{ relation }} as {{ select_sql }}
{%- endmacro %}


{#
    The rows of `relation` (an alias) whose client and `date_column` fall in this model's
    windows, widened by `days_before` / `days_after` (SQL expressions): a SQL condition.
#}
{% macro in_windows(relation, date_column, days_before='0', days_after='0') -%}
    exists (
        select 1
        from {{ windows_relation() }} as windows
        where windows.client_id = {{ relation }}.client_id
            and {{ relation }}.{{ date_column }}
            between {{ add_days('windows.date_from', '-(' ~ days_before ~ ')') }}
            and {{ add_days('windows.date_to', days_after) }}
    )
{%- endmacro %}


{#
    The (client, day) windows a feed's loads since `changed_since` touched, `pad_days` wider on
    both sides: every loaded attempt's days from the load log (a replaced partition: rows
    restated, added or deleted), and the days of every row loaded since (an upserted call, a
    late row of an older day).
#}
{% macro feed_windows(feed, pad_days=0) -%}
    {%- set since = "cast('" ~ changed_since() ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
    select
        client_id,
        {{ add_days('date_from', -pad_days) }} as date_from,
        {{ add_days('date_to', pad_days) }} as date_to
    from {{ ref('stg_load_log__loads') }}
    where status = 'loaded'
        and loaded_at > {{ since }}
        and source in (
            {%- for s in agency_sources(feed) %}'{{ s.name }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        )
    {% for s in agency_sources(feed) %}
    {%- set raw = raw_day_of(s.name) %}
    union all
    select
        client_id,
        {{ add_days('day', -pad_days) }} as date_from,
        {{ add_days('day', pad_days) }} as date_to
    from (
        select distinct client_id, cast({{ raw.day }} as date) as day
        from {{ source('raw', raw.table) }}
        where _loaded_at > {{ since }}
    ) as loaded_days
    where day is not null
    {% endfor %}
{%- endmacro %}


{#
    The raw table of a windowed source and the expression of a row's day in it. The new rows are
    read from raw, where the filter on `_loaded_at` needs none of staging's renaming (a superset
    of days is harmless). A new ad or call source must be added here (compilation fails until
    it is).
#}
{% macro raw_day_of(source_name) -%}
    {%- set days = {
        'yandex_direct': {'table': 'yandex_direct_campaign_stats', 'day': 'date'},
        'vk_ads': {'table': 'vk_ads_campaign_stats', 'day': 'date'},
        'cabinet': {'table': 'cabinet_campaign_stats', 'day': 'date'},
        'calltouch': {'table': 'calltouch_calls', 'day': 'coalesce(call_timestamp_utc, call_date_local)'},
        'comagic': {'table': 'comagic_calls', 'day': 'start_time'},
    } -%}
    {%- if source_name not in days -%}
        {{ exceptions.raise_compiler_error(
            "macros/incremental.sql: no raw day for source '" ~ source_name ~ "' (raw_day_of)"
        ) }}
    {%- endif -%}
    {{ return(days[source_name]) }}
{%- endmacro %}


{# The ad statistics windows: rows are per platform day, nothing to widen. #}
{% macro ad_stats_windows() -%}
    {{ feed_windows('ad_stats') }}
{%- endmacro %}


{#
    The calls windows on the client-local call day: a day wider on both sides (the load log and
    the trackers count days in the account's or UTC time, calls land on the client's day), plus
    the earlier day of a call loaded again under another time (the target still has it there).
#}
{% macro call_windows(calls_relation) -%}
    {%- set since = "cast('" ~ changed_since() ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
    {{ feed_windows('calls', 1) }}
    {% for s in agency_sources('calls') %}
    union all
    select calls.client_id, calls.call_date as date_from, calls.call_date as date_to
    from {{ calls_relation }} as calls
    inner join {{ source('raw', raw_day_of(s.name).table) }} as loaded
        on calls.tracker = '{{ s.name }}'
        and calls.client_id = loaded.client_id
        and calls.account_id = loaded.account_id
        and calls.call_id = cast(loaded.call_id as {{ dbt.type_string() }})
    where loaded._loaded_at > {{ since }}
    {% endfor %}
{%- endmacro %}


{#
    Strategy `replace_window` for `incremental_strategy`: delete the target's rows of the windows
    (all rows when the run has no watermark), insert the recomputed ones. Dispatched, so another
    warehouse (PostgreSQL) can bring its own.
#}
{% macro get_incremental_replace_window_sql(arg_dict) -%}
    {{ return(adapter.dispatch('replace_window_sql', 'agency_reporting')(arg_dict)) }}
{%- endmacro %}

{% macro default__replace_window_sql(arg_dict) -%}
    {{ unsupported_engine('replace_window_sql') }}
{%- endmacro %}


{# DuckDB and PostgreSQL: a delete (of the windows, or of everything) and an insert. #}
{% macro delete_insert_windows_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set date_column = config.require('window_date_column') -%}
    {%- if changed_since() != '' %}
    delete from {{ target }} as target_rows
    where {{ in_windows('target_rows', date_column) }};
    {%- else %}
    delete from {{ target }};
    {%- endif %}
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{% macro duckdb__replace_window_sql(arg_dict) -%}
    {{ delete_insert_windows_sql(arg_dict) }}
{%- endmacro %}

{% macro postgres__replace_window_sql(arg_dict) -%}
    {{ delete_insert_windows_sql(arg_dict) }}
{%- endmacro %}

{#
    Spark: without a watermark the whole table is overwritten from the recomputed rows. With one,
    Delta and Iceberg tables delete and insert like the other engines. Parquet tables have no row
    deletes: the rows outside the windows and the recomputed ones are staged in a table of their
    own (Spark refuses to overwrite a table the same query reads), and the whole table is
    overwritten from it; `drop_window_staging` (a post-hook) removes the staged copy. Only the
    windows are recomputed; the table's files are rewritten whole.
#}
{% macro spark__replace_window_sql(arg_dict) -%}
    {%- set target_relation = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- if changed_since() == '' %}
    insert overwrite table {{ target_relation }}
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
    {%- elif config.get('file_format', target.file_format) in ['delta', 'iceberg'] -%}
        {{ delete_insert_windows_sql(arg_dict) }}
    {%- else -%}
        {%- set staged = window_staging_relation(target_relation) -%}
        {%- set date_column = config.require('window_date_column') -%}
        {%- do run_query('drop table if exists ' ~ staged) -%}
        {%- do run_query(
            'create table ' ~ staged ~ ' using parquet as '
            ~ 'select ' ~ columns ~ ' from ' ~ target_relation ~ ' as target_rows '
            ~ 'where not ' ~ in_windows('target_rows', date_column)
            ~ ' union all select ' ~ columns ~ ' from ' ~ arg_dict['temp_relation']
        ) %}
    insert overwrite table {{ target_relation }}
    select {{ columns }} from {{ staged }}
    {%- endif %}
{%- endmacro %}

{% macro window_staging_relation(relation) -%}
    {{ return(api.Relation.create(
        database=relation.database,
        schema=relation.schema,
        identifier=relation.identifier ~ '__windows_staged',
        type='table',
    )) }}
{%- endmacro %}


{#
    Post-hook of a replace-window model: the staged copy of Spark's parquet replacement
    (`spark__replace_window_sql`) is dropped; nothing elsewhere.
#}
{% macro drop_window_staging() -%}
    {{ return(adapter.dispatch('drop_window_staging', 'agency_reporting')()) }}
{%- endmacro %}

{% macro default__drop_window_staging() -%}
    {{ unsupported_engine('drop_window_staging') }}
{%- endmacro %}

{% macro duckdb__drop_window_staging() -%}
    select 1
{%- endmacro %}

{% macro postgres__drop_window_staging() -%}
    select 1
{%- endmacro %}

{% macro spark__drop_window_staging() -%}
    drop table if exists {{ window_staging_relation(this) }}
{%- endmacro %}


{# How far back and forth a changed call reaches: the unique-call window in days, plus two. #}
{% macro unique_call_lookback_days() -%}
    (select coalesce(max(unique_call_window_days), 30) + 2 from {{ ref('stg_agency__settings') }})
{%- endmacro %}


{% macro unique_call_windows(calls_relation) -%}
    select
        client_id,
        date_from,
        {{ add_days('date_to', unique_call_lookback_days()) }} as date_to
    from ({{ call_windows(calls_relation) }}) as call_windows
{%- endmacro %}


{#
    client_channel_daily's windows: the ad windows, and every (client, day) whose call or ledger
    lead counts per channel differ from the table's (both directions: days gained and lost).
#}
{% macro channel_daily_windows(target) -%}
    {%- set lead_types = ['call', 'form', 'chat', 'crm'] -%}
    select client_id, date_from, date_to from ({{ ad_stats_windows() }}) as ad_windows
    union all
    select client_id, date as date_from, date as date_to
    from (
        (
            select
                client_id,
                call_date as date,
                channel,
                cast(count(distinct call_key) as {{ dbt.type_bigint() }}) as calls,
                cast(sum(case when is_unique then 1 else 0 end) as {{ dbt.type_bigint() }}) as unique_calls,
                cast(sum(case when is_target then 1 else 0 end) as {{ dbt.type_bigint() }}) as target_calls
            from {{ ref('int_calls') }}
            group by client_id, call_date, channel
            except
            select client_id, date, channel, calls, unique_calls, target_calls
            from {{ target }}
            where calls > 0
        )
        union all
        (
            select client_id, date, channel, calls, unique_calls, target_calls
            from {{ target }}
            where calls > 0
            except
            select
                client_id,
                call_date,
                channel,
                cast(count(distinct call_key) as {{ dbt.type_bigint() }}),
                cast(sum(case when is_unique then 1 else 0 end) as {{ dbt.type_bigint() }}),
                cast(sum(case when is_target then 1 else 0 end) as {{ dbt.type_bigint() }})
            from {{ ref('int_calls') }}
            group by client_id, call_date, channel
        )
    ) as call_differences
    union all
    select client_id, date as date_from, date as date_to
    from (
        (
            select
                client_id,
                lead_date as date,
                channel,
                cast(count(*) as {{ dbt.type_bigint() }}) as leads
                {%- for t in lead_types %},
                cast(sum(case when lead_type = '{{ t }}' then 1 else 0 end) as {{ dbt.type_bigint() }})
                    as {{ t }}_leads
                {%- endfor %}
            from {{ ref('int_leads') }}
            group by client_id, lead_date, channel
            except
            select client_id, date, channel, leads{% for t in lead_types %}, {{ t }}_leads{% endfor %}
            from {{ target }}
            where leads > 0
        )
        union all
        (
            select client_id, date, channel, leads{% for t in lead_types %}, {{ t }}_leads{% endfor %}
            from {{ target }}
            where leads > 0
            except
            select
                client_id,
                lead_date,
                channel,
                cast(count(*) as {{ dbt.type_bigint() }})
                {%- for t in lead_types %},
                cast(sum(case when lead_type = '{{ t }}' then 1 else 0 end) as {{ dbt.type_bigint() }})
                {%- endfor %}
            from {{ ref('int_leads') }}
            group by client_id, lead_date, channel
        )
    ) as lead_differences
{%- endmacro %}
