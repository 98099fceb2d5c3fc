-- The metric passport (seed `metrics`), published so that the dashboard's tooltips and
-- the reports' appendix show the definition the SQL uses: codes and formulas here, the words
-- in the presentation (dashboard/i18n.py, `passport_<metric>`).

select
    cast(metric as {{ dbt.type_string() }}) as metric,
    cast(formula as {{ dbt.type_string() }}) as formula,
    cast(unit as {{ dbt.type_string() }}) as unit,
    cast(vat as {{ dbt.type_string() }}) as vat,
    cast(nullif(currency, '') as {{ dbt.type_string() }}) as currency,
    cast(time_zone as {{ dbt.type_string() }}) as time_zone,
    cast(grain as {{ dbt.type_string() }}) as grain,
    cast(nullif(source_column, '') as {{ dbt.type_string() }}) as source_column,
    cast(sort_order as {{ dbt.type_int() }}) as sort_order
from {{ ref('metrics') }}
