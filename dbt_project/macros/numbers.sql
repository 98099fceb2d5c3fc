{# Numeric types and arithmetic shared by the models. Money is DECIMAL(18,2) everywhere (RUB, kopecks). #}
{% macro type_money() -%}
    {{ return(api.Column.numeric_type('numeric', 18, 2)) }}
{%- endmacro %}


{#
    Round an expression (numeric or float) to kopecks, half away from zero, and type it as money.
    PostgreSQL has no round(double precision, int): go through unconstrained numeric there.
#}
{% macro to_money(expr) -%}
    {{ return(adapter.dispatch('to_money', 'agency_reporting')(expr)) }}
{%- endmacro %}

{% macro default__to_money(expr) -%}
    {{ unsupported_engine('to_money') }}
{%- endmacro %}

{% macro postgres__to_money(expr) -%}
    cast(round(cast({{ expr }} as numeric), 2) as {{ type_money() }})
{%- endmacro %}

{% macro duckdb__to_money(expr) -%}
    cast(round({{ expr }}, 2) as {{ type_money() }})
{%- endmacro %}

{#- Spark rounds half up (away from zero for a positive and a negative value alike). -#}
{% macro spark__to_money(expr) -%}
    cast(round({{ expr }}, 2) as {{ type_money() }})
{%- endmacro %}


{#
    Strip VAT from an amount that includes it: amount / (1 + rate/100), rounded to kopecks.
    `vat_rate_percent` is a percentage (20, 22, ...).
#}
{% macro strip_vat(amount, vat_rate_percent) -%}
    {{ to_money('(' ~ amount ~ ') / (1 + (' ~ vat_rate_percent ~ ') / 100.0)') }}
{%- endmacro %}


{#
    A ratio that is NULL (not an error, not infinity) when the denominator is 0 or NULL.
    Both sides are cast to float so integer counts never use integer division (PostgreSQL).
#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_ratio() }}) / nullif(cast({{ denominator }} as {{ type_ratio() }}), 0))
{%- endmacro %}


{#
    Double-precision float for ratios (CTR, fulfilment, pacing). Not dbt.type_float(): on DuckDB
    `float` is a 4-byte REAL.
#}
{% macro type_ratio() -%}
    {{ return(adapter.dispatch('type_ratio', 'agency_reporting')()) }}
{%- endmacro %}

{% macro default__type_ratio() -%}
    {{ unsupported_engine('type_ratio') }}
{%- endmacro %}

{% macro postgres__type_ratio() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_ratio() -%}
    double
{%- endmacro %}

{% macro spark__type_ratio() -%}
    double
{%- endmacro %}


{# VAT and other percentages: 20.00, 22.00 ... #}
{% macro type_percent() -%}
    {{ return(api.Column.numeric_type('numeric', 5, 2)) }}
{%- endmacro %}


{# A share between 0 and 1 with six decimals (the agency's fee share of an invoice). #}
{% macro type_share() -%}
    {{ return(api.Column.numeric_type('numeric', 7, 6)) }}
{%- endmacro %}


{# A ratio rounded to `digits` decimals for publishing (numeric rounding: PostgreSQL has no round(double, int)). #}
{% macro round_ratio(expr, digits) -%}
    cast(round(cast({{ expr }} as {{ dbt.type_numeric() }}), {{ digits }}) as {{ type_ratio() }})
{%- endmacro %}


{#
    A float rounded to a whole number, half away from zero (62.5 -> 63), typed as an integer.
    PostgreSQL's round(double precision) breaks ties the platform's way (to even: 62.5 -> 62):
    numeric rounding there, as in `to_money`.
#}
{% macro round_to_int(expr) -%}
    {{ return(adapter.dispatch('round_to_int', 'agency_reporting')(expr)) }}
{%- endmacro %}

{% macro default__round_to_int(expr) -%}
    {{ unsupported_engine('round_to_int') }}
{%- endmacro %}

{% macro postgres__round_to_int(expr) -%}
    cast(round(cast({{ expr }} as numeric)) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro duckdb__round_to_int(expr) -%}
    cast(round({{ expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro spark__round_to_int(expr) -%}
    cast(round({{ expr }}) as {{ dbt.type_int() }})
{%- endmacro %}
