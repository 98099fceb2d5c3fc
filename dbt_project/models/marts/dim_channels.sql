-- The canonical channels with their display names (seed `channels`), published once so that
-- every report names a channel the same way; a channel code missing here is shown as the code.

select
    cast(channel as {{ dbt.type_string() }}) as channel,
    cast(name_ru as {{ dbt.type_string() }}) as name_ru,
    cast(name_en as {{ dbt.type_string() }}) as name_en,
    cast(is_paid as boolean) as is_paid,
    cast(sort_order as {{ dbt.type_int() }}) as sort_order
from {{ ref('channels') }}
