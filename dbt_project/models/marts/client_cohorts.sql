-- Clients by cohort (the month their service started: the configured start_date) and manager:
-- how many, how long they
-- stayed (lifetime months so far) and what they brought (LTV: the agency's fee paid, net of VAT,
-- so far). Averages are sums / clients; readers add cohorts up by summing the sums.

with

lifecycle as (

    select * from {{ ref('client_lifecycle_monthly') }}

),

clients as (

    select * from {{ ref('dim_clients') }}

),

latest as (

    -- The calendar runs to the month of as_of_date for every client: its last row is "so far".
    select
        lifecycle.*,
        row_number() over (partition by lifecycle.client_id order by lifecycle.month desc) as recency
    from lifecycle
    where lifecycle.first_active_month is not null

),

cohorts as (

    select
        clients.manager_id,
        {{ month_start('clients.start_date') }} as cohort_month,
        count(*) as clients,
        sum(latest.lifetime_months) as lifetime_months,
        sum(latest.ltv_net) as ltv_net
    from latest
    inner join clients
        on latest.client_id = clients.client_id
    where latest.recency = 1
    group by clients.manager_id, {{ month_start('clients.start_date') }}

)

select
    cast(manager_id as {{ dbt.type_string() }}) as manager_id,
    cast(cohort_month as date) as cohort_month,
    cast(clients as {{ dbt.type_bigint() }}) as clients,
    cast(lifetime_months as {{ dbt.type_bigint() }}) as lifetime_months,
    cast(ltv_net as {{ type_money() }}) as ltv_net,
    cast({{ safe_divide('lifetime_months', 'clients') }} as {{ type_ratio() }}) as avg_lifetime_months,
    cast({{ to_money(safe_divide('ltv_net', 'clients')) }} as {{ type_money() }}) as avg_ltv_net
from cohorts
