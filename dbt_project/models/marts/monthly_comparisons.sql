-- Each client's month (grain client, channel NULL) and each client channel's month (grain
-- channel) against the previous equal period and the same period a year earlier, by the
-- dashboard's rules (dashboard/periods.py): a whole month is compared with the whole month
-- before and the same whole month a year earlier; the month to date (through the day before
-- as_of_date) with the same number of days just before it and the same days a year earlier
-- (so a whole February 2028, 29 days, is compared with the whole February 2027). Ratios are
-- recomputed from each period's sums.

with

daily as (

    select * from {{ ref('client_channel_daily') }}

),

months as (

    select * from {{ ref('int_client_months') }}
    where month <= {{ as_of_yesterday() }}

),

grained as (

    select 'channel' as grain, client_id, channel, date, spend, impressions, clicks, leads
    from daily

    union all

    select 'client' as grain, client_id, '' as channel, date, spend, impressions, clicks, leads
    from daily

),

series as (

    select grain, client_id, channel, min(date) as first_date
    from grained
    group by grain, client_id, channel

),

current_periods as (

    select
        series.grain,
        series.client_id,
        series.channel,
        months.month,
        months.month < {{ month_start(as_of_date()) }} as is_whole_month,
        case
            when months.month < {{ month_start(as_of_date()) }}
                then {{ add_days(add_months('months.month', 1), -1) }}
            else {{ as_of_yesterday() }}
        end as period_end
    from series
    inner join months
        on series.client_id = months.client_id
        and months.month >= {{ month_start('series.first_date') }}

),

periods as (

    select
        *,
        case
            when is_whole_month then {{ add_months('month', -1) }}
            else {{ add_days('month', '-(' ~ days_between('month', 'period_end') ~ ' + 1)') }}
        end as previous_start,
        {{ add_days('month', -1) }} as previous_end,
        {{ add_months('month', -12) }} as year_ago_start,
        case
            when is_whole_month then {{ add_days(add_months('month', -11), -1) }}
            else {{ add_months('period_end', -12) }}
        end as year_ago_end
    from current_periods

),

summed as (

    select
        periods.grain,
        periods.client_id,
        periods.channel,
        periods.month,
        {% for period in ['current', 'previous', 'year_ago'] %}
        {%- set start = 'periods.month' if period == 'current' else 'periods.' ~ period ~ '_start' -%}
        {%- set end = 'periods.period_end' if period == 'current' else 'periods.' ~ period ~ '_end' -%}
        {%- set prefix = '' if period == 'current' else period ~ '_' -%}
        {%- for metric in ['spend', 'impressions', 'clicks', 'leads'] %}
        sum(
            case when grained.date between {{ start }} and {{ end }} then grained.{{ metric }} else 0 end
        ) as {{ prefix }}{{ metric }}{{ ',' }}
        {%- endfor %}
        {% endfor %}
        max(periods.period_end) as period_end,
        max(periods.previous_start) as previous_start,
        max(periods.previous_end) as previous_end,
        max(periods.year_ago_start) as year_ago_start,
        max(periods.year_ago_end) as year_ago_end
    from periods
    left join grained
        on periods.grain = grained.grain
        and periods.client_id = grained.client_id
        and periods.channel = grained.channel
        and grained.date between periods.year_ago_start and periods.period_end
    group by periods.grain, periods.client_id, periods.channel, periods.month

)

select
    cast(grain as {{ dbt.type_string() }}) as grain,
    cast(client_id as {{ dbt.type_string() }}) as client_id,
    cast(nullif(channel, '') as {{ dbt.type_string() }}) as channel,
    cast(month as date) as month,
    cast(month as date) as period_start,
    cast(period_end as date) as period_end,
    cast(previous_start as date) as previous_start,
    cast(previous_end as date) as previous_end,
    cast(year_ago_start as date) as year_ago_start,
    cast(year_ago_end as date) as year_ago_end,
    cast(coalesce(spend, 0) as {{ type_money() }}) as spend,
    cast(coalesce(impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
    cast(coalesce(clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
    cast(coalesce(leads, 0) as {{ dbt.type_bigint() }}) as leads,
    cast({{ safe_divide('clicks', 'impressions') }} as {{ type_ratio() }}) as ctr,
    {{ to_money(safe_divide('spend', 'clicks')) }} as cpc,
    {{ to_money(safe_divide('spend', 'leads')) }} as cpl,
    cast(coalesce(previous_spend, 0) as {{ type_money() }}) as previous_spend,
    cast(coalesce(previous_impressions, 0) as {{ dbt.type_bigint() }}) as previous_impressions,
    cast(coalesce(previous_clicks, 0) as {{ dbt.type_bigint() }}) as previous_clicks,
    cast(coalesce(previous_leads, 0) as {{ dbt.type_bigint() }}) as previous_leads,
    cast({{ safe_divide('previous_clicks', 'previous_impressions') }} as {{ type_ratio() }}) as previous_ctr,
    {{ to_money(safe_divide('previous_spend', 'previous_clicks')) }} as previous_cpc,
    {{ to_money(safe_divide('previous_spend', 'previous_leads')) }} as previous_cpl,
    cast(coalesce(year_ago_spend, 0) as {{ type_money() }}) as year_ago_spend,
    cast(coalesce(year_ago_impressions, 0) as {{ dbt.type_bigint() }}) as year_ago_impressions,
    cast(coalesce(year_ago_clicks, 0) as {{ dbt.type_bigint() }}) as year_ago_clicks,
    cast(coalesce(year_ago_leads, 0) as {{ dbt.type_bigint() }}) as year_ago_leads,
    cast({{ safe_divide('year_ago_clicks', 'year_ago_impressions') }} as {{ type_ratio() }}) as year_ago_ctr,
    {{ to_money(safe_divide('year_ago_spend', 'year_ago_clicks')) }} as year_ago_cpc,
    {{ to_money(safe_divide('year_ago_spend', 'year_ago_leads')) }} as year_ago_cpl
from summed
