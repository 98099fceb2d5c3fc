-- How current each configured source is, as of `as_of_date`. Which rows a source gets comes from
-- the registry (`agency_sources()`, key `freshness`): `account` = one row per configured client
-- account of that source (accounts that never delivered data have NULLs), `client` = one row per
-- client (account = the client's ИНН), `none` = no row. days_stale = 0 when yesterday (the last
-- full day) is loaded.

{%- set account_sources = agency_sources() | selectattr('freshness', 'equalto', 'account') | list %}
{%- set client_sources = agency_sources() | selectattr('freshness', 'equalto', 'client') | list %}
{%- set lead_sources = "'" ~ (agency_sources('leads') | map(attribute='name') | join("', '")) ~ "'" %}

with

accounts as (

    select * from {{ ref('stg_agency__client_accounts') }}

),

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

ad_stats as (

    select * from {{ ref('int_ad_stats_daily') }}

),

calls as (

    select * from {{ ref('int_calls') }}

),

lead_events as (

    select * from {{ ref('int_lead_events') }}

),

invoices as (

    select * from {{ ref('invoices') }}

),

-- The last day with data per source and account, from the feeds' unioned models: the report
-- day of ad stats, the client-local day of incoming calls and of form, chat and CRM leads.
data_dates as (

    select ad_source as source, client_id, platform_account_id as account_id, max(date) as last_data_date
    from ad_stats
    group by ad_source, client_id, platform_account_id

    union all

    select tracker, client_id, account_id, max(call_date) as last_data_date
    from calls
    group by tracker, client_id, account_id

    union all

    -- (calls are in the union above already: only the leads feed's systems here)
    select source, client_id, account_id, max(lead_date) as last_data_date
    from lead_events
    where source in ({{ lead_sources }})
    group by source, client_id, account_id

),

-- The latest load per source and account: every staged row counts (outgoing calls too).
loads as (

    {% for s in account_sources %}
    select source, client_id, account_id, max(_loaded_at) as last_loaded_at
    from {{ ref(s.staging_model) }}
    group by source, client_id, account_id
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

account_rows as (

    {% for s in account_sources %}
    select
        accounts.client_id,
        accounts.source,
        '{{ s.feed }}' as feed,
        accounts.account_id,
        data_dates.last_data_date,
        loads.last_loaded_at
    from accounts
    left join loads
        on accounts.source = loads.source
        and accounts.client_id = loads.client_id
        and accounts.account_id = loads.account_id
    left join data_dates
        on accounts.source = data_dates.source
        and accounts.client_id = data_dates.client_id
        and accounts.account_id = data_dates.account_id
    where accounts.source = '{{ s.name }}'
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- Client-level sources feed the invoices: the register rows that belong to each client
-- (matched ones only), their latest issue day and load.
client_loads as (

    {% for s in client_sources %}
    {%- if s.feed != 'invoices' -%}
        {{ exceptions.raise_compiler_error(
            "source_freshness: freshness 'client' is implemented for the invoices feed only, not "
            ~ s.name ~ " (" ~ s.feed ~ ")") }}
    {%- endif %}
    select
        '{{ s.name }}' as source,
        invoices.client_id,
        max(invoices.issued_on) as last_data_date,
        max(staged._loaded_at) as last_loaded_at
    from invoices
    inner join {{ ref(s.staging_model) }} as staged
        on invoices.inn = staged.inn
        and invoices.invoice_number = staged.invoice_number
    group by invoices.client_id
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

client_rows as (

    {% for s in client_sources %}
    select
        clients.client_id,
        '{{ s.name }}' as source,
        '{{ s.feed }}' as feed,
        clients.inn as account_id,
        client_loads.last_data_date,
        client_loads.last_loaded_at
    from clients
    left join client_loads
        on clients.client_id = client_loads.client_id
        and client_loads.source = '{{ s.name }}'
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

unioned as (

    select * from account_rows
    union all
    select * from client_rows

)

select
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(source as {{ dbt.type_string() }}) as source,
    cast(feed as {{ dbt.type_string() }}) as feed,
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
