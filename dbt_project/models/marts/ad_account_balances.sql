-- The money left on each ad account whose balance is read (Direct's shared account), as of
-- `as_of_date`: the latest snapshot, the average daily spend of the 7 full days before
-- as_of_date (the account's own rows of int_ad_stats_daily, net of VAT), the days that lasts and
-- a status code: `empty` (nothing left), `low` (fewer days than alerts.balance_days_left),
-- `ok`, or `unknown` (never read: the last attempt's error says why). Clients past their end
-- date are left out. No spend in the 7 days: days_left NULL, status by the amount only.

with

settings as (

    select balance_days_left from {{ ref('stg_agency__settings') }}

),

clients as (

    select client_id, end_date from {{ ref('stg_agency__clients') }}

),

snapshots as (

    select * from {{ ref('stg_balances__account_balances') }}

),

reads as (

    select * from {{ ref('stg_balances__reads') }}

),

ad_stats as (

    select * from {{ ref('int_ad_stats_daily') }}

),

accounts as (

    select client_id, source, account_id from snapshots
    union
    select client_id, source, account_id from reads

),

latest_snapshot as (

    select
        *,
        row_number() over (
            partition by client_id, source, account_id order by balance_at desc
        ) as recency
    from snapshots

),

latest_read as (

    select
        *,
        row_number() over (
            partition by client_id, source, account_id order by loaded_at desc, status desc
        ) as recency
    from reads

),

spend_7d as (

    select
        client_id,
        ad_source as source,
        platform_account_id as account_id,
        sum(spend) as spend
    from ad_stats
    where date between {{ add_days(as_of_date(), -7) }} and {{ as_of_yesterday() }}
    group by client_id, ad_source, platform_account_id

),

joined as (

    select
        accounts.client_id,
        accounts.source,
        accounts.account_id,
        snap.balance_account_id,
        snap.amount,
        snap.currency,
        snap.balance_at,
        {{ to_money('coalesce(spend_7d.spend, 0) / 7.0') }} as avg_daily_spend_7d,
        settings.balance_days_left as threshold_days,
        last_read.status as last_read_status,
        last_read.loaded_at as last_read_at,
        case when last_read.status = 'failed' then last_read.error end as last_error
    from accounts
    inner join clients
        on accounts.client_id = clients.client_id
    cross join settings
    left join latest_snapshot as snap
        on accounts.client_id = snap.client_id
        and accounts.source = snap.source
        and accounts.account_id = snap.account_id
        and snap.recency = 1
    left join latest_read as last_read
        on accounts.client_id = last_read.client_id
        and accounts.source = last_read.source
        and accounts.account_id = last_read.account_id
        and last_read.recency = 1
    left join spend_7d
        on accounts.client_id = spend_7d.client_id
        and accounts.source = spend_7d.source
        and accounts.account_id = spend_7d.account_id
    where clients.end_date is null or clients.end_date >= {{ as_of_date() }}

),

days as (

    select
        *,
        cast(
            case
                when amount <= 0 then 0
                when avg_daily_spend_7d > 0 then round(amount / avg_daily_spend_7d, 1)
            end as decimal(9, 1)
        ) as days_left
    from joined

)

select
    client_id,
    source,
    account_id,
    balance_account_id,
    amount,
    currency,
    balance_at,
    avg_daily_spend_7d,
    days_left,
    threshold_days,
    case
        when amount is null then 'unknown'
        when amount <= 0 then 'empty'
        when days_left < threshold_days then 'low'
        else 'ok'
    end as status,
    last_read_status,
    last_read_at,
    last_error
from days
