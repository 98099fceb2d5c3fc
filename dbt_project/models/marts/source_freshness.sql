-- How current each configured source account is, as of `as_of_date`: one row per configured
-- client account (accounts that never delivered data have NULLs) plus one `invoices` row per
-- client. days_stale = 0 when yesterday (the last full day) is loaded.

with

accounts as (

    select * from {{ ref('stg_agency__client_accounts') }}

),

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

direct as (

    select * from {{ ref('stg_yandex_direct__campaign_stats') }}

),

vk as (

    select * from {{ ref('stg_vk_ads__campaign_stats') }}

),

cabinet as (

    select * from {{ ref('stg_cabinet__campaign_stats') }}

),

calls as (

    select * from {{ ref('int_calls') }}

),

calltouch as (

    select * from {{ ref('stg_calltouch__calls') }}

),

comagic as (

    select * from {{ ref('stg_comagic__calls') }}

),

invoice_register as (

    select * from {{ ref('stg_invoice_register__invoices') }}

),

invoices as (

    select * from {{ ref('invoices') }}

),

call_dates as (

    select tracker, client_id, account_id, max(call_date) as last_data_date
    from calls
    group by tracker, client_id, account_id

),

call_loads as (

    select 'calltouch' as tracker, client_id, account_id, max(_loaded_at) as last_loaded_at
    from calltouch
    group by client_id, account_id
    union all
    select 'comagic' as tracker, client_id, account_id, max(_loaded_at) as last_loaded_at
    from comagic
    group by client_id, account_id

),

source_dates as (

    select
        'yandex_direct' as source,
        client_id,
        account_id,
        max(date) as last_data_date,
        max(_loaded_at) as last_loaded_at
    from direct
    group by client_id, account_id

    union all

    select 'vk_ads', client_id, account_id, max(date), max(_loaded_at)
    from vk
    group by client_id, account_id

    union all

    select 'cabinet', client_id, account_id, max(date), max(_loaded_at)
    from cabinet
    group by client_id, account_id

    union all

    select
        call_loads.tracker,
        call_loads.client_id,
        call_loads.account_id,
        call_dates.last_data_date,
        call_loads.last_loaded_at
    from call_loads
    left join call_dates
        on call_loads.tracker = call_dates.tracker
        and call_loads.client_id = call_dates.client_id
        and call_loads.account_id = call_dates.account_id

),

account_rows as (

    select
        accounts.client_id,
        case
            when accounts.source = 'cabinet'
                then {{ dbt.concat(["'cabinet:'", "accounts.account_id"]) }}
            else accounts.source
        end as source,
        accounts.account_id,
        source_dates.last_data_date,
        source_dates.last_loaded_at
    from accounts
    left join source_dates
        on accounts.source = source_dates.source
        and accounts.client_id = source_dates.client_id
        and accounts.account_id = source_dates.account_id

),

invoice_loads as (

    -- Loads of the register rows that belong to each client (matched ones only).
    select
        invoices.client_id,
        max(invoices.issued_on) as last_data_date,
        max(invoice_register._loaded_at) as last_loaded_at
    from invoices
    inner join invoice_register
        on invoices.inn = invoice_register.inn
        and invoices.invoice_number = invoice_register.invoice_number
    group by invoices.client_id

),

invoice_rows as (

    select
        clients.client_id,
        'invoices' as source,
        clients.inn as account_id,
        invoice_loads.last_data_date,
        invoice_loads.last_loaded_at
    from clients
    left join invoice_loads
        on clients.client_id = invoice_loads.client_id

),

unioned as (

    select * from account_rows
    union all
    select * from invoice_rows

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(source as {{ dbt.type_string() }}) as source,
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    cast(last_data_date as date) as last_data_date,
    cast(last_loaded_at as {{ dbt.type_timestamp() }}) as last_loaded_at,
    -- Never negative: data for as_of_date itself (a partial day) still counts as current.
    cast(
        case
            when last_data_date >= {{ as_of_yesterday() }} then 0
            else {{ days_between('last_data_date', as_of_yesterday()) }}
        end as {{ dbt.type_int() }}
    ) as days_stale
from unioned
