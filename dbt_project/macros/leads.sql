{#
    Contacts of leads: how a phone or an e-mail from any system becomes one key, and the salted
    hash of that key that the lead ledger publishes (never the phone or the e-mail).
#}


{#
    A Russian phone as 11 digits starting with 7: every non-digit dropped, a leading 8 of an
    11-digit number read as 7 (8 999 ... = +7 999 ...), a 10-digit number given the 7.
    Anything else with fewer than 10 digits is no phone (NULL); longer foreign numbers are
    kept as their digits.
#}
{% macro normalise_phone(expr) -%}
    case
        when length({{ regexp_replace_all(expr, "'[^0-9]'", "''") }}) = 11
            and {{ regexp_replace_all(expr, "'[^0-9]'", "''") }} like '8%'
            then {{ dbt.concat(["'7'", dbt.right(regexp_replace_all(expr, "'[^0-9]'", "''"), "10")]) }}
        when length({{ regexp_replace_all(expr, "'[^0-9]'", "''") }}) = 10
            then {{ dbt.concat(["'7'", regexp_replace_all(expr, "'[^0-9]'", "''")]) }}
        when length({{ regexp_replace_all(expr, "'[^0-9]'", "''") }}) >= 11
            then {{ regexp_replace_all(expr, "'[^0-9]'", "''") }}
    end
{%- endmacro %}


{# The contact key of a lead: `p:<phone>` when it has a phone, else `e:<e-mail>`, else NULL. #}
{% macro contact_key(phone_expr, email_expr) -%}
    case
        when {{ normalise_phone(phone_expr) }} is not null
            then {{ dbt.concat(["'p:'", normalise_phone(phone_expr)]) }}
        when lower(trim({{ email_expr }})) like '%_@_%'
            then {{ dbt.concat(["'e:'", "lower(trim(" ~ email_expr ~ "))"]) }}
    end
{%- endmacro %}


{# Lower-case hex SHA-256 of a text. #}
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'agency_reporting')(expr)) }}
{%- endmacro %}

{% macro default__sha256_hex(expr) -%}
    {{ unsupported_engine('sha256_hex') }}
{%- endmacro %}

{% macro postgres__sha256_hex(expr) -%}
    encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro duckdb__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}

{% macro spark__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}


{#
    The channel of each distinct attribution pair of `relation` (a CTE with `mapping_source` and
    `mapping_medium`, both lower-cased and trimmed, '' for a missing value) by the
    `channel_mapping` seed: the first rule by priority whose patterns match both in full.
    The regular expressions run once per distinct pair (a few dozen), never once per row
    (millions of calls): join the rows to this by equality on both columns. Pairs no rule
    matches are absent (join left and default to `other`). Columns: `mapping_source`,
    `mapping_medium`, `channel`.
#}
{% macro attribution_channels(relation) -%}
    select
        ranked.mapping_source,
        ranked.mapping_medium,
        ranked.channel
    from (
        select
            attribution.mapping_source,
            attribution.mapping_medium,
            channel_mapping.channel,
            row_number() over (
                partition by attribution.mapping_source, attribution.mapping_medium
                order by channel_mapping.priority
            ) as rule_rank
        from (
            select distinct
                {{ relation }}.mapping_source,
                {{ relation }}.mapping_medium
            from {{ relation }}
        ) as attribution
        inner join {{ ref('channel_mapping') }} as channel_mapping
            on {{ regexp_full_match('attribution.mapping_source', 'lower(channel_mapping.source_pattern)') }}
            and {{ regexp_full_match('attribution.mapping_medium', 'lower(channel_mapping.medium_pattern)') }}
    ) as ranked
    where ranked.rule_rank = 1
{%- endmacro %}


{#
    A derived table of the integers 1..`upper_bound` (a literal), one row each, column `n`: to
    spread a row that counts several leads (Metrika's goal reaches) into one row per lead.
#}
{% macro integers_up_to(upper_bound) -%}
    {{ return(adapter.dispatch('integers_up_to', 'agency_reporting')(upper_bound)) }}
{%- endmacro %}

{% macro default__integers_up_to(upper_bound) -%}
    {{ unsupported_engine('integers_up_to') }}
{%- endmacro %}

{% macro postgres__integers_up_to(upper_bound) -%}
    (select generate_series(1, {{ upper_bound }}) as n)
{%- endmacro %}

{% macro duckdb__integers_up_to(upper_bound) -%}
    (select unnest(range(1, ({{ upper_bound }}) + 1)) as n)
{%- endmacro %}

{% macro spark__integers_up_to(upper_bound) -%}
    (select explode(sequence(1, {{ upper_bound }})) as n)
{%- endmacro %}
