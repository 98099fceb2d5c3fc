{#
  The newest row per natural key of a raw table (the loader already replaces rows by key; this
  guards staging against a duplicate that slipped in, e.g. a manual insert). Newest =
  latest `_loaded_at`, then `_load_id`. Keeps the `_row_number` column (always 1).
#}
{% macro latest_per_key(relation, key_columns) %}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by _loaded_at desc, _load_id desc
            ) as _row_number
        from {{ relation }}
    ) as ranked
    where _row_number = 1
{% endmacro %}
