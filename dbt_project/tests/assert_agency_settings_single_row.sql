-- The agency configuration must produce exactly one settings row: call rules and the default VAT
-- rate are read from it.
select count(*) as n_rows
from {{ ref('stg_agency__settings') }}
having count(*) <> 1
