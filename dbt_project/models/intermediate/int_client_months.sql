-- The dense client x month calendar: from the client's first month with any activity (spend,
-- calls, invoices) or plan through the month of `as_of_date`.

with

ad_stats as (

    select * from {{ ref('int_ad_stats_daily') }}

),

calls as (

    select * from {{ ref('int_calls') }}

),

invoices as (

    select * from {{ ref('int_invoices') }}

),

plans as (

    select * from {{ ref('stg_agency__monthly_plans') }}

),

first_dates as (

    select client_id, date as first_date from ad_stats
    union all
    select client_id, call_date from calls
    union all
    select client_id, issued_on from invoices
    union all
    select client_id, month from plans

),

client_first_months as (

    select
        client_id,
        {{ month_start('min(first_date)') }} as first_month
    from first_dates
    group by client_id

),

month_offsets as (

    -- 50 years of months: far more than any client's history.
    {{ dbt.generate_series(600) }}

),

spine as (

    select
        client_first_months.client_id,
        {{ add_months('client_first_months.first_month', 'month_offsets.generated_number - 1') }} as month
    from client_first_months
    cross join month_offsets

)

select client_id, month
from spine
where month <= {{ month_start(as_of_date()) }}
