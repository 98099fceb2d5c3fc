-- One row per configured client with its manager, terms, churn flag and activity span.

with

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

managers as (

    select * from {{ ref('stg_agency__managers') }}

),

daily as (

    select * from {{ ref('client_channel_daily') }}

),

invoices as (

    select * from {{ ref('invoices') }}

),

activity_dates as (

    select client_id, date as activity_date
    from daily
    where spend <> 0 or impressions > 0 or clicks > 0 or calls > 0
    union all
    select client_id, issued_on from invoices

),

activity as (

    select
        client_id,
        min(activity_date) as first_activity_date,
        max(activity_date) as last_activity_date
    from activity_dates
    group by client_id

)

select
    cast(clients.client_id as {{ dbt.type_string() }}) as client_id,
    cast(clients.client_name as {{ dbt.type_string() }}) as client_name,
    cast(clients.inn as {{ dbt.type_string() }}) as inn,
    cast(clients.manager_id as {{ dbt.type_string() }}) as manager_id,
    cast(managers.manager_name as {{ dbt.type_string() }}) as manager_name,
    cast(clients.currency as {{ dbt.type_string() }}) as currency,
    cast(clients.timezone as {{ dbt.type_string() }}) as timezone,
    cast(clients.start_date as date) as start_date,
    cast(clients.end_date as date) as end_date,
    cast(clients.payment_terms_days as {{ dbt.type_int() }}) as payment_terms_days,
    cast(coalesce(clients.end_date <= {{ as_of_date() }}, false) as {{ dbt.type_boolean() }}) as is_churned,
    cast(activity.first_activity_date as date) as first_activity_date,
    cast(activity.last_activity_date as date) as last_activity_date
from clients
left join managers
    on clients.manager_id = managers.manager_id
left join activity
    on clients.client_id = activity.client_id
