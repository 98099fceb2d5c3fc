{#
    Regular expressions beyond a full match (see regexp_full_match.sql). dbt has no
    cross-database macros for these, so each one is dispatched: a `duckdb__` implementation and
    a PostgreSQL-style `default__` one.

    Patterns are SQL string literals written for both engines: RE2 (DuckDB) and PostgreSQL's
    ARE share `(?:...)`, `\s`, `\d`, bracket classes and `{m,n}`; neither lookaround nor `\b`
    (a word boundary in RE2, a backspace in ARE) may be used.
#}


{# `value` with every match of `pattern` replaced by `replacement` (`\1` refers to a group). #}
{% macro regexp_replace_all(value, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'agency_reporting')(value, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(value, pattern, replacement) -%}
    {{ unsupported_engine('regexp_replace_all') }}
{%- endmacro %}

{% macro postgres__regexp_replace_all(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro duckdb__regexp_replace_all(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{#- Spark: regexp_replace replaces every match; a group in the replacement is `$1`, not `\1`. -#}
{% macro spark__regexp_replace_all(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern }}, {{ modules.re.sub('\\\\([0-9])', '$\\1', replacement) }})
{%- endmacro %}


{#
    A derived table with one row per non-overlapping match of `pattern` in `text_expr`, to be
    joined laterally: `cross join {{ regexp_match_rows('t.col', "'...'", ['a', 'b']) }} as m`.
    Columns: `match_index` (1, 2, ... in order of appearance) and one column per name in
    `group_names` holding capture group 1, 2, ... of that match (NULL when the group did not
    take part). A NULL or match-free text gives no rows.
#}
{% macro regexp_match_rows(text_expr, pattern, group_names) -%}
    {{ return(adapter.dispatch('regexp_match_rows', 'agency_reporting')(text_expr, pattern, group_names)) }}
{%- endmacro %}

{% macro default__regexp_match_rows(text_expr, pattern, group_names) -%}
    {{ unsupported_engine('regexp_match_rows') }}
{%- endmacro %}

{% macro postgres__regexp_match_rows(text_expr, pattern, group_names) -%}
    lateral (
        select
            cast(found.match_index as {{ dbt.type_int() }}) as match_index
            {%- for name in group_names %},
            nullif(found.match_groups[{{ loop.index }}], '') as {{ name }}
            {%- endfor %}
        from regexp_matches({{ text_expr }}, {{ pattern }}, 'g') with ordinality as found(match_groups, match_index)
    )
{%- endmacro %}

{% macro duckdb__regexp_match_rows(text_expr, pattern, group_names) -%}
    lateral (
        select
            cast(found.match_index as {{ dbt.type_int() }}) as match_index
            {%- for name in group_names %},
            nullif(regexp_extract_all({{ text_expr }}, {{ pattern }}, {{ loop.index }})[found.match_index], '')
                as {{ name }}
            {%- endfor %}
        from range(1, coalesce(len(regexp_extract_all({{ text_expr }}, {{ pattern }})), 0) + 1)
            as found(match_index)
    )
{%- endmacro %}

{#-
    Spark: one row per match from posexplode (no rows for NULL or no match); regexp_extract_all
    gives '' for a group that did not take part, as DuckDB's does.
-#}
{% macro spark__regexp_match_rows(text_expr, pattern, group_names) -%}
    lateral (
        select
            cast(found.match_position + 1 as {{ dbt.type_int() }}) as match_index
            {%- for name in group_names %},
            nullif(get(regexp_extract_all({{ text_expr }}, {{ pattern }}, {{ loop.index }}), found.match_position), '')
                as {{ name }}
            {%- endfor %}
        from (
            select posexplode(regexp_extract_all({{ text_expr }}, {{ pattern }}, 0)) as (match_position, whole_match)
        ) as found
    )
{%- endmacro %}


{#
    A DD.MM.YYYY text (one- or two-digit day and month) as a DATE; NULL when it is not a real
    day (31.02.2026) or not in that shape.
#}
{% macro parse_ru_date(text_expr) -%}
    {{ return(adapter.dispatch('parse_ru_date', 'agency_reporting')(text_expr)) }}
{%- endmacro %}

{% macro default__parse_ru_date(text_expr) -%}
    {{ unsupported_engine('parse_ru_date') }}
{%- endmacro %}

{% macro postgres__parse_ru_date(text_expr) -%}
    {#- Nested CASEs: PostgreSQL evaluates AND operands in any order, CASE branches in order. -#}
    {%- set day = "cast(split_part(" ~ text_expr ~ ", '.', 1) as integer)" -%}
    {%- set month = "cast(split_part(" ~ text_expr ~ ", '.', 2) as integer)" -%}
    {%- set year = "cast(split_part(" ~ text_expr ~ ", '.', 3) as integer)" -%}
    case
        when {{ regexp_full_match(text_expr, "'[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4}'") }} then
            case
                when {{ month }} between 1 and 12 and {{ year }} >= 1 then
                    case
                        when {{ day }} between 1 and extract(
                            day from make_date({{ year }}, {{ month }}, 1) + interval '1 month' - interval '1 day'
                        )
                            then make_date({{ year }}, {{ month }}, {{ day }})
                    end
            end
    end
{%- endmacro %}

{% macro duckdb__parse_ru_date(text_expr) -%}
    {#- strptime takes year 0000 (1 BC); that is no day anyone means. -#}
    case
        when try_strptime({{ text_expr }}, '%d.%m.%Y') >= timestamp '0001-01-01'
            then cast(try_strptime({{ text_expr }}, '%d.%m.%Y') as date)
    end
{%- endmacro %}

{% macro spark__parse_ru_date(text_expr) -%}
    case
        when {{ regexp_full_match(text_expr, "'[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4}'") }}
            and substring_index({{ text_expr }}, '.', -1) <> '0000'
            then cast(try_to_timestamp({{ text_expr }}, 'd.M.yyyy') as date)
    end
{%- endmacro %}
