{#
    Time-zone conversion between naive local timestamps and naive UTC timestamps.
    `tz` is an IANA zone name expression ('Europe/Moscow' or a column). There is no dbt
    cross-database macro for this.
#}

{# A wall-clock time in zone `tz` -> the same instant as a naive UTC timestamp. #}
{% macro local_to_utc(ts, tz) -%}
    {{ return(adapter.dispatch('local_to_utc', 'agency_reporting')(ts, tz)) }}
{%- endmacro %}

{% macro default__local_to_utc(ts, tz) -%}
    {{ unsupported_engine('local_to_utc') }}
{%- endmacro %}

{% macro postgres__local_to_utc(ts, tz) -%}
    (({{ ts }}) at time zone ({{ tz }}) at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__local_to_utc(ts, tz) -%}
    timezone('UTC', timezone({{ tz }}, {{ ts }}))
{%- endmacro %}

{#- Spark: the session's time zone is UTC (profiles.yml), so timestamps hold UTC wall-clock times. -#}
{% macro spark__local_to_utc(ts, tz) -%}
    to_utc_timestamp({{ ts }}, {{ tz }})
{%- endmacro %}


{# A naive UTC timestamp -> the wall-clock time in zone `tz`. #}
{% macro utc_to_local(ts, tz) -%}
    {{ return(adapter.dispatch('utc_to_local', 'agency_reporting')(ts, tz)) }}
{%- endmacro %}

{% macro default__utc_to_local(ts, tz) -%}
    {{ unsupported_engine('utc_to_local') }}
{%- endmacro %}

{% macro postgres__utc_to_local(ts, tz) -%}
    (({{ ts }}) at time zone 'UTC' at time zone ({{ tz }}))
{%- endmacro %}

{% macro duckdb__utc_to_local(ts, tz) -%}
    timezone({{ tz }}, timezone('UTC', {{ ts }}))
{%- endmacro %}

{% macro spark__utc_to_local(ts, tz) -%}
    from_utc_timestamp({{ ts }}, {{ tz }})
{%- endmacro %}
