{#
    The reporting day as a SQL date expression.

    Comes from the `as_of_date` run value (`run_var`, YYYY-MM-DD). When it is empty, falls back to the date
    the run started in the agency's time zone (`agency_timezone` var), so a run at 00:30 Moscow
    time reports "today" in Moscow, not yesterday in UTC.
#}
{% macro as_of_date() -%}
    {%- set value = run_var('as_of_date') -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {%- set tz = modules.pytz.timezone(var('agency_timezone', 'Europe/Moscow')) -%}
        {%- set value = run_started_at.astimezone(tz).strftime('%Y-%m-%d') -%}
    {%- endif -%}
    {%- set value = value | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
        {{ exceptions.raise_compiler_error("var as_of_date must be YYYY-MM-DD, got '" ~ value ~ "'") }}
    {%- endif -%}
    cast('{{ value }}' as date)
{%- endmacro %}


{# The last full day before as_of_date: data "up to yesterday" is complete. #}
{% macro as_of_yesterday() -%}
    {{ add_days(as_of_date(), -1) }}
{%- endmacro %}
