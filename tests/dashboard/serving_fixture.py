"""A small but realistic serving DuckDB file, written with plain SQL through the documented contract.

Four clients of two managers over 70 days (14.09.2026-22.11.2026), as of 23.11.2026:

- ``alfa``  «Альфа Строй»  (Анна Иванова): Direct + VK + SEO/direct calls; healthy, an invoice
  11 days overdue.
- ``beta``  «Бета Клиник»  (Анна Иванова): Direct + a Google Ads cabinet export that stopped on 17.11.
- ``gamma`` «Гамма Мебель» (Пётр Петров):  VK + Direct + other calls; leads halved in the last 30 days.
- ``delta`` «Дельта Авто»  (Пётр Петров):  Direct only; churned on 31.10.2026.

Ad account balances (``ad_account_balances``): alfa's and beta's Direct shared accounts last 12
and 6 days at their last week's spend; gamma's was never read (an expired token).

Bank payments: most are matched to invoices; three are not: alfa's advance without an invoice
number, gamma's payment naming an invoice that does not exist, and one from a payer who is no
client (``client_id`` NULL).

Leads: every client's calls give call leads (its tracker: Calltouch for alfa and delta, CoMagic for
beta and gamma). alfa's November also has hand-placed forms, a chat and amoCRM deals, some of them
merged into one another by the ledger rule (``lead_events`` in the SQL tells the story): 10 leads
besides the generated calls (1 call, 4 forms, 1 chat, 4 CRM), 4 events merged, 3 records excluded.
``lead_ledger`` holds every lead, and ``client_channel_daily``'s lead columns count its rows;
``lead_reconciliation`` is computed from the same events.

Every mart is derived from the same ``client_channel_daily`` rows, so the numbers agree with
each other the way the real pipeline's do. Columns and types follow the mart contracts
(``dbt_project/models/marts/_marts__models.yml``; test_serving_fixture_contract.py checks it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

__all__ = ["AS_OF", "CLIENT_NAMES", "DATA_CUTOFF", "FIRST_DAY", "MANAGERS", "build_serving_db"]

AS_OF = dt.date(2026, 11, 23)
DATA_CUTOFF = dt.date(2026, 11, 22)
FIRST_DAY = dt.date(2026, 9, 14)
CLIENT_NAMES = {"alfa": "Альфа Строй", "beta": "Бета Клиник", "gamma": "Гамма Мебель", "delta": "Дельта Авто"}
MANAGERS = {"m_ivanova": ("Анна Иванова", ("alfa", "beta")), "m_petrov": ("Пётр Петров", ("gamma", "delta"))}

_SQL = """
create table dim_clients as
select
    client_id::varchar as client_id,
    client_name::varchar as client_name,
    inn::varchar as inn,
    manager_id::varchar as manager_id,
    manager_name::varchar as manager_name,
    'RUB'::varchar as currency,
    'Europe/Moscow'::varchar as timezone,
    start_date::date as start_date,
    end_date::date as end_date,
    payment_terms_days::integer as payment_terms_days,
    coalesce(end_date::date <= date '2026-11-23', false) as is_churned,
    null::date as first_activity_date,
    null::date as last_activity_date
from (values
    ('alfa', 'Альфа Строй', '7707083893', 'm_ivanova', 'Анна Иванова', '2024-03-01', null, 10),
    ('beta', 'Бета Клиник', '7728168971', 'm_ivanova', 'Анна Иванова', '2025-06-15', null, 14),
    ('gamma', 'Гамма Мебель', '7736050003', 'm_petrov', 'Пётр Петров', '2023-11-01', null, 7),
    ('delta', 'Дельта Авто', '7702070139', 'm_petrov', 'Пётр Петров', '2024-01-10', '2026-10-31', 10)
) as t(client_id, client_name, inn, manager_id, manager_name, start_date, end_date, payment_terms_days);

-- What each client runs: daily base spend, impressions, CTR and calls per channel.
create temp table spec as
select * from (values
    -- client, channel, ad account, source, spend, impressions, ctr, calls, seed, last day
    ('alfa', 'yandex_direct', 'alfa-direct', 'yandex_direct', 18000.0, 42000, 0.031, 6.0, 0.0, '2026-11-22'),
    ('alfa', 'vk_ads', '1002003', 'vk_ads', 7500.0, 65000, 0.009, 2.0, 0.4, '2026-11-22'),
    ('alfa', 'seo', null, 'calltouch', 0.0, 0, 0.0, 3.0, 0.8, '2026-11-22'),
    ('alfa', 'direct', null, 'calltouch', 0.0, 0, 0.0, 1.5, 1.3, '2026-11-22'),
    ('beta', 'yandex_direct', 'beta-clinic', 'yandex_direct', 9500.0, 21000, 0.042, 4.0, 2.1, '2026-11-22'),
    ('beta', 'google_ads', 'google_ads', 'cabinet', 3100.0, 9000, 0.028, 1.0, 2.9, '2026-11-17'),
    ('beta', 'seo', null, 'comagic', 0.0, 0, 0.0, 2.0, 3.3, '2026-11-22'),
    ('gamma', 'vk_ads', '5551234', 'vk_ads', 12500.0, 140000, 0.007, 5.0, 4.2, '2026-11-22'),
    ('gamma', 'yandex_direct', 'gamma-mebel', 'yandex_direct', 8000.0, 18000, 0.036, 3.0, 5.1, '2026-11-22'),
    ('gamma', 'other', null, 'comagic', 0.0, 0, 0.0, 1.0, 5.7, '2026-11-22'),
    ('delta', 'yandex_direct', 'delta-auto', 'yandex_direct', 6000.0, 15000, 0.033, 2.5, 6.3, '2026-10-31')
) as t(client_id, channel, platform_account_id, source, base_spend, base_impressions, ctr, base_calls,
       seed, last_day_text);


create temp table days as
select cast(d as date) as date, row_number() over (order by d) - 1 as i
from generate_series(date '2026-09-14', date '2026-11-22', interval 1 day) as g(d);

create temp table daily_raw as
select
    spec.client_id,
    days.date,
    spec.channel,
    round(spec.base_spend * (1 + 0.35 * sin(days.i * 0.7 + spec.seed)), 2) as spend,
    floor(spec.base_impressions * (1 + 0.3 * sin(days.i * 0.5 + spec.seed))) as impressions,
    -- gamma's calls halve over the last 30 days (a "leads down" health reason)
    floor(
        spec.base_calls * (1 + 0.6 * sin(days.i * 0.9 + spec.seed))
        * case when spec.client_id = 'gamma' and days.date >= date '2026-10-24' then 0.6 else 1 end
        + 0.5
    ) as calls,
    spec.ctr
from spec
join days on days.date <= cast(spec.last_day_text as date);

-- Each client's call tracker: the source, account and rule of its call leads.
create temp table trackers as
select * from (values
    ('alfa', 'calltouch', 'alfa-calltouch', 'tracker_flag'),
    ('beta', 'comagic', 'beta-comagic', 'agency_rule'),
    ('gamma', 'comagic', 'gamma-comagic', 'agency_rule'),
    ('delta', 'calltouch', 'delta-calltouch', 'tracker_flag')
) as t(client_id, source, account_id, counted_by);

-- alfa's November, event by event (client-local times): calls, Calltouch requests, Metrika goal
-- reaches and amoCRM deals, with the ledger rule applied by hand (default priority: amocrm,
-- bitrix24_leads, calltouch, comagic, calltouch_requests, yandex_metrika). Every event is either a
-- lead (merged_into NULL and excluded_code NULL), merged into the lead `merged_into` (a lead_key),
-- or excluded by its system's rule (excluded_code).
--   03.11 form R-101 10:00 and call CT-9001 10:05, one phone: one lead, the call (calltouch first).
--   05.11 call CT-9002, 06.11 form R-102, 07.11 deal 7001, one phone: one lead, the deal (amocrm).
--   10.11 call CT-9003 12:00 and deal 7002 15:30, one phone: one lead, the deal.
--   Deals 7003 and 7004 are leads; 7005 is deleted. Form R-103 and chat R-104 are leads; R-105
--   repeats R-103 and Calltouch did not flag it unique. Metrika: three goal reaches are leads
--   (no contact: never merged), one reach of an automatic goal is excluded.
-- alfa's November therefore has 10 leads besides the generated calls: 1 call, 4 forms, 1 chat,
-- 4 CRM; 4 events merged (2 calls, 2 forms); 3 records excluded.
create temp table lead_events as
select
    client_id, source, account_id, record_id, lead_type, cast(at_text as timestamp) as lead_at,
    channel, utm_campaign, contact, counted_by, excluded_code, merged_into
from (values
    ('alfa', 'calltouch_requests', '48213', 'R-101', 'form', '2026-11-03 10:00:00', 'yandex_direct',
        'alfa-yandex_direct-1', 'p:79161110001', 'tracker_request_flag', null,
        'calltouch:alfa-calltouch:CT-9001'),
    ('alfa', 'calltouch', 'alfa-calltouch', 'CT-9001', 'call', '2026-11-03 10:05:00', 'yandex_direct',
        'alfa-yandex_direct-1', 'p:79161110001', 'tracker_flag', null, null),
    ('alfa', 'calltouch', 'alfa-calltouch', 'CT-9002', 'call', '2026-11-05 14:20:00', 'seo',
        null, 'p:79161110002', 'tracker_flag', null, 'amocrm:alfastroy:7001'),
    ('alfa', 'calltouch_requests', '48213', 'R-102', 'form', '2026-11-06 09:40:00', 'seo',
        null, 'p:79161110002', 'tracker_request_flag', null, 'amocrm:alfastroy:7001'),
    ('alfa', 'amocrm', 'alfastroy', '7001', 'crm', '2026-11-07 11:00:00', 'seo',
        null, 'p:79161110002', 'crm_record', null, null),
    ('alfa', 'yandex_metrika', '51234567', '301:2026-11-08:1', 'form', '2026-11-08 12:00:00',
        'yandex_direct', 'alfa-yandex_direct-2', null, 'goal', null, null),
    ('alfa', 'calltouch', 'alfa-calltouch', 'CT-9003', 'call', '2026-11-10 12:00:00', 'vk_ads',
        'alfa-vk_ads-1', 'p:79161110003', 'tracker_flag', null, 'amocrm:alfastroy:7002'),
    ('alfa', 'amocrm', 'alfastroy', '7002', 'crm', '2026-11-10 15:30:00', 'vk_ads',
        'alfa-vk_ads-1', 'p:79161110003', 'crm_record', null, null),
    ('alfa', 'amocrm', 'alfastroy', '7003', 'crm', '2026-11-12 10:15:00', 'yandex_direct',
        'alfa-yandex_direct-2', 'e:director@example.ru', 'crm_record', null, null),
    ('alfa', 'yandex_metrika', '51234567', '302:2026-11-13:1', 'form', '2026-11-13 12:00:00',
        'seo', null, null, 'goal', null, null),
    ('alfa', 'calltouch_requests', '48213', 'R-103', 'form', '2026-11-14 13:10:00', 'yandex_direct',
        'alfa-yandex_direct-1', 'e:zakaz@example.ru', 'tracker_request_flag', null, null),
    ('alfa', 'calltouch_requests', '48213', 'R-104', 'chat', '2026-11-16 20:30:00', 'vk_ads',
        'alfa-vk_ads-2', 'p:79161110004', 'tracker_request_flag', null, null),
    ('alfa', 'calltouch_requests', '48213', 'R-105', 'form', '2026-11-17 11:00:00', 'yandex_direct',
        'alfa-yandex_direct-1', 'e:zakaz@example.ru', 'tracker_request_flag', 'not_unique_target', null),
    ('alfa', 'amocrm', 'alfastroy', '7004', 'crm', '2026-11-18 16:45:00', 'direct',
        null, 'p:79161110005', 'crm_record', null, null),
    ('alfa', 'amocrm', 'alfastroy', '7005', 'crm', '2026-11-19 09:00:00', 'direct',
        null, 'p:79161110006', 'crm_record', 'deleted', null),
    ('alfa', 'yandex_metrika', '51234567', '301:2026-11-20:1', 'form', '2026-11-20 12:00:00',
        'yandex_direct', 'alfa-yandex_direct-1', null, 'goal', null, null),
    ('alfa', 'yandex_metrika', '51234567', '305:2026-11-21:1', 'form', '2026-11-21 12:00:00',
        'seo', null, null, 'goal', 'automatic_goal', null)
) as t(client_id, source, account_id, record_id, lead_type, at_text, channel, utm_campaign, contact,
       counted_by, excluded_code, merged_into);

-- One row per lead. The generated calls: floor(floor(calls * 0.7) * 0.9) call leads a day and
-- channel from the client's tracker (each its own contact, never merged); plus alfa's November.
create table lead_ledger as
with generated as (
    select
        r.client_id,
        (r.date + interval 9 hour + to_minutes(cast(g.k * 53 as bigint)))::timestamp as lead_at,
        'call' as lead_type,
        tr.source,
        tr.account_id,
        'C-' || strftime(r.date, '%Y%m%d') || '-' || r.channel || '-' || g.k::varchar as record_id,
        r.channel,
        case when r.channel in ('yandex_direct', 'vk_ads', 'google_ads')
            then r.client_id || '-' || r.channel || '-' || (1 + g.k % 2)::varchar end as utm_campaign,
        'p:' || r.client_id || '-' || strftime(r.date, '%Y%m%d') || '-' || r.channel || '-' || g.k::varchar
            as contact,
        tr.counted_by,
        0 as merged_events
    from daily_raw as r
    join trackers as tr using (client_id)
    join range(0, 40) as g(k) on g.k < floor(floor(r.calls * 0.7) * 0.9)
),
placed as (
    select
        e.client_id, e.lead_at, e.lead_type, e.source, e.account_id, e.record_id, e.channel,
        e.utm_campaign, e.contact, e.counted_by,
        (select count(*) from lead_events as m
         where m.merged_into = e.source || ':' || e.account_id || ':' || e.record_id) as merged_events
    from lead_events as e
    where e.excluded_code is null and e.merged_into is null
),
leads as (
    select * from generated
    union all
    select * from placed
)
select
    client_id::varchar as client_id,
    (source || ':' || account_id || ':' || record_id)::varchar as lead_key,
    lead_at::timestamp as lead_at,
    lead_at::date as lead_date,
    lead_type::varchar as lead_type,
    source::varchar as source,
    account_id::varchar as account_id,
    record_id::varchar as record_id,
    channel::varchar as channel,
    utm_campaign::varchar as utm_campaign,
    (case when contact is not null then sha256('fixture-salt|' || contact) end)::varchar as contact_hash,
    counted_by::varchar as counted_by,
    merged_events::integer as merged_events
from leads;

create table client_channel_daily as
with placed_calls as (
    -- alfa's hand-placed calls are calls too (unique and target), whether a lead or merged.
    select client_id, lead_at::date as date, channel, count(*) as calls
    from lead_events
    where lead_type = 'call'
    group by all
),
ledger as (
    select
        client_id, lead_date as date, channel,
        count(*) filter (where lead_type = 'call') as call_leads,
        count(*) filter (where lead_type = 'form') as form_leads,
        count(*) filter (where lead_type = 'chat') as chat_leads,
        count(*) filter (where lead_type = 'crm') as crm_leads
    from lead_ledger
    group by all
),
joined as (
    select
        r.*,
        coalesce(p.calls, 0) as placed_calls,
        coalesce(l.call_leads, 0) as call_leads,
        coalesce(l.form_leads, 0) as form_leads,
        coalesce(l.chat_leads, 0) as chat_leads,
        coalesce(l.crm_leads, 0) as crm_leads
    from daily_raw as r
    left join placed_calls as p using (client_id, date, channel)
    left join ledger as l using (client_id, date, channel)
)
select
    client_id::varchar as client_id,
    date::date as date,
    channel::varchar as channel,
    spend::decimal(18,2) as spend,
    impressions::bigint as impressions,
    floor(impressions * ctr * (1 + 0.2 * cos(date_part('day', date) * 0.3)))::bigint as clicks,
    (calls + placed_calls)::bigint as calls,
    (floor(calls * 0.8) + placed_calls)::bigint as unique_calls,
    (floor(calls * 0.7) + placed_calls)::bigint as target_calls,
    (call_leads + form_leads + chat_leads + crm_leads)::bigint as leads,
    call_leads::bigint as call_leads,
    form_leads::bigint as form_leads,
    chat_leads::bigint as chat_leads,
    crm_leads::bigint as crm_leads
from joined;

-- Per client, month and lead system. Calls: every call is a record (the calls that are not leads
-- are "excluded"); other systems: every event.
create table lead_reconciliation as
with ledger as (
    select client_id, date_trunc('month', lead_date)::date as month, source, count(*) as ledger_leads
    from lead_ledger
    group by all
),
events as (
    select
        client_id, date_trunc('month', lead_at)::date as month, source,
        count(*) as records,
        count(*) filter (where merged_into is not null) as merged_leads
    from lead_events
    group by all
),
calls as (
    select d.client_id, date_trunc('month', d.date)::date as month, tr.source, sum(d.calls) as records
    from client_channel_daily as d
    join trackers as tr using (client_id)
    group by all
    having sum(d.calls) > 0
),
keys as (
    select client_id, month, source from ledger
    union select client_id, month, source from events
    union select client_id, month, source from calls
),
counted as (
    select
        k.client_id, k.month, k.source,
        coalesce(c.records, e.records, 0) as records,
        coalesce(e.merged_leads, 0) as merged_leads,
        coalesce(l.ledger_leads, 0) as ledger_leads
    from keys as k
    left join ledger as l using (client_id, month, source)
    left join events as e using (client_id, month, source)
    left join calls as c using (client_id, month, source)
)
select
    client_id::varchar as client_id,
    month::date as month,
    source::varchar as source,
    records::bigint as records,
    (records - ledger_leads - merged_leads)::bigint as excluded_records,
    (ledger_leads + merged_leads)::bigint as source_leads,
    merged_leads::bigint as merged_leads,
    ledger_leads::bigint as ledger_leads
from counted;

create table client_campaign_daily as
with ads as (
    select d.*, s.platform_account_id
    from client_channel_daily as d
    join spec as s on s.client_id = d.client_id and s.channel = d.channel
    where s.base_spend > 0
),
split as (
    select ads.*, part.n, part.share
    from ads
    cross join (values (1, 0.62), (2, 0.38)) as part(n, share)
)
select
    client_id::varchar as client_id,
    date::date as date,
    channel::varchar as channel,
    (case when channel in ('yandex_direct', 'vk_ads') then channel else 'cabinet' end)::varchar as source,
    platform_account_id::varchar as platform_account_id,
    case
        when channel = 'google_ads' then (case n when 1 then 'Поиск | Бренд' else 'Поиск | Общие' end)
        else client_id || '-' || channel || '-' || n::varchar
    end::varchar as campaign_id,
    (case n when 1 then 'Поиск | Бренд' else 'Поиск | Общие' end)::varchar as campaign_name,
    (case n when 1 then round(spend * share, 2) else spend - round(spend * 0.62, 2) end)::decimal(18,2)
        as spend,
    (case n when 1 then floor(impressions * share) else impressions - floor(impressions * 0.62) end)::bigint
        as impressions,
    (case n when 1 then floor(clicks * share) else clicks - floor(clicks * 0.62) end)::bigint as clicks
from split;

create table payments as
select
    payment_id::varchar as payment_id,
    client_id::varchar as client_id,
    payer_inn::varchar as payer_inn,
    payer_name::varchar as payer_name,
    document_number::varchar as document_number,
    paid_on::date as document_date,
    paid_on::date as paid_on,
    amount::decimal(18,2) as amount,
    payment_amount::decimal(18,2) as payment_amount,
    purpose::varchar as purpose,
    invoice_number::varchar as invoice_number,
    match_method::varchar as match_method,
    unmatched_reason_code::varchar as unmatched_reason_code,
    unmatched_amount_reason_code::varchar as unmatched_amount_reason_code,
    null::varchar as unmatched_invoice_numbers,
    unmatched_invoice_number::varchar as unmatched_invoice_number,
    null::integer as unmatched_open_invoices
from (values
    ('p1', 'alfa', '7707083893', 'ООО «Альфа Строй»', '411', date '2026-09-08', 250000.00, 250000.00,
        'Оплата по счету № 2026-101 от 01.09.2026', '2026-101', 'number+inn', null, null, null),
    ('p2', 'alfa', '7707083893', 'ООО «Альфа Строй»', '468', date '2026-10-09', 240000.00, 240000.00,
        'Оплата по счету № 2026-131', '2026-131', 'number+inn', null, null, null),
    ('p3', 'beta', '7728168971', 'ООО «Бета Клиник»', '95', date '2026-10-09', 118000.00, 118000.00,
        'Оплата за медицинский маркетинг', '2026-133', 'inn+amount', null, null, null),
    ('p4', 'gamma', '7736050003', 'ООО «Гамма Мебель»', '1207', date '2026-11-10', 50000.00, 50000.00,
        'Частичная оплата по сч. 2026-166', '2026-166', 'number+inn', null, null, null),
    ('p5', 'gamma', '7736050003', 'ООО «Гамма Мебель»', '1254', date '2026-11-19', 45000.00, 45000.00,
        'Оплата по счету № 2026-199', null, 'unmatched',
        'invoice_not_found', 'no_open_invoice_for_amount', '2026-199'),
    ('p6', 'alfa', '7707083893', 'ООО «Альфа Строй»', '502', date '2026-11-20', 12000.00, 12000.00,
        'Аванс за декабрь', null, 'unmatched', 'no_invoice_number', 'no_open_invoice_for_amount', null),
    ('p7', null, '500100732259', 'ИП Сидоров Семён Семёнович', '31', date '2026-11-21',
        30000.00, 30000.00, 'Оплата по счету 17', null, 'unmatched', 'no_invoice_for_inn', null, null)
) as t(payment_id, client_id, payer_inn, payer_name, document_number, paid_on, amount, payment_amount,
       purpose, invoice_number, match_method, unmatched_reason_code, unmatched_amount_reason_code,
       unmatched_invoice_number);

create table invoices as
with register as (
    select * from (values
        ('alfa', '2026-101', date '2026-09-01', 250000.00, 250000.00, date '2026-09-08'),
        ('alfa', '2026-131', date '2026-10-01', 240000.00, 240000.00, date '2026-10-09'),
        ('alfa', '2026-164', date '2026-11-02', 255000.00, 0.00, null),
        ('beta', '2026-102', date '2026-09-01', 120000.00, 120000.00, date '2026-09-05'),
        ('beta', '2026-133', date '2026-10-01', 118000.00, 118000.00, date '2026-10-09'),
        ('beta', '2026-170', date '2026-11-16', 121000.00, 0.00, null),
        ('gamma', '2026-077', date '2026-08-05', 96000.00, 0.00, null),
        ('gamma', '2026-135', date '2026-10-01', 180000.00, 180000.00, date '2026-10-06'),
        ('gamma', '2026-166', date '2026-11-03', 176000.00, 50000.00, date '2026-11-10'),
        ('delta', '2026-103', date '2026-09-01', 84000.00, 84000.00, date '2026-09-09'),
        ('delta', '2026-137', date '2026-10-01', 84000.00, 84000.00, date '2026-10-12')
    ) as t(client_id, invoice_number, issued_on, amount, paid_amount, paid_on)
),
priced as (
    select
        register.*,
        c.inn,
        c.client_name as counterparty,
        register.issued_on + c.payment_terms_days as due_on,
        round(register.amount / 1.2, 2) as amount_net
    from register
    join dim_clients as c using (client_id)
)
select
    client_id::varchar as client_id,
    invoice_number::varchar as invoice_number,
    inn::varchar as inn,
    ('ООО «' || counterparty || '»')::varchar as counterparty,
    issued_on::date as issued_on,
    due_on::date as due_on,
    amount_net::decimal(18,2) as amount_net,
    20.00::decimal(5,2) as vat_rate,
    (amount - amount_net)::decimal(18,2) as vat_amount,
    amount::decimal(18,2) as amount,
    paid_amount::decimal(18,2) as paid_amount,
    coalesce(
        (select sum(p.amount) from payments as p
         where p.client_id = priced.client_id and p.invoice_number = priced.invoice_number),
        0
    )::decimal(18,2) as bank_paid_amount,
    (amount - paid_amount)::decimal(18,2) as outstanding,
    paid_on::date as paid_on,
    (case
        when paid_amount >= amount then 'paid'
        when paid_amount > 0 then 'partially_paid'
        else 'unpaid'
    end)::varchar as status,
    (amount - paid_amount > 0 and due_on < date '2026-11-23') as is_overdue,
    (case when amount - paid_amount > 0 and due_on < date '2026-11-23'
        then date '2026-11-23' - due_on else 0 end)::integer as days_overdue
from priced;

create temp table plans as
select
    client_id, month::date as month,
    plan_budget::decimal(18,2) as plan_budget, plan_leads::integer as plan_leads,
    plan_fee::decimal(18,2) as plan_fee
from (values
    ('alfa', '2026-09-01', 760000, 190, 150000), ('alfa', '2026-10-01', 780000, 195, 160000),
    ('alfa', '2026-11-01', 800000, 200, 170000),
    ('beta', '2026-09-01', 380000, 110, 120000), ('beta', '2026-10-01', 380000, 110, 140000),
    ('beta', '2026-11-01', 400000, 115, 140000),
    ('gamma', '2026-10-01', 600000, 150, 200000), ('gamma', '2026-11-01', 620000, 150, null),
    ('delta', '2026-09-01', 180000, 45, 30000), ('delta', '2026-10-01', 180000, 45, 30000)
) as t(client_id, month, plan_budget, plan_leads, plan_fee);

create table client_monthly as
with firsts as (
    select client_id, min(m) as first_month
    from (
        select client_id, date_trunc('month', date)::date as m from client_channel_daily
        union all select client_id, date_trunc('month', issued_on)::date from invoices
        union all select client_id, month from plans
    )
    group by client_id
),
calendar as (
    select firsts.client_id, cast(m as date) as month
    from firsts, generate_series(firsts.first_month, date '2026-11-01', interval 1 month) as g(m)
),
activity as (
    select
        client_id, date_trunc('month', date)::date as month,
        sum(spend) as spend, sum(impressions) as impressions, sum(clicks) as clicks,
        sum(calls) as calls, sum(target_calls) as target_calls, sum(leads) as leads,
        sum(call_leads) as call_leads, sum(form_leads) as form_leads,
        sum(chat_leads) as chat_leads, sum(crm_leads) as crm_leads
    from client_channel_daily
    group by all
),
billing as (
    select client_id, date_trunc('month', issued_on)::date as month,
        sum(amount) as invoiced, sum(paid_amount) as paid
    from invoices
    group by all
),
joined as (
    select
        calendar.client_id,
        calendar.month,
        coalesce(a.spend, 0) as spend,
        coalesce(a.impressions, 0) as impressions,
        coalesce(a.clicks, 0) as clicks,
        coalesce(a.calls, 0) as calls,
        coalesce(a.target_calls, 0) as target_calls,
        coalesce(a.leads, 0) as leads,
        coalesce(a.call_leads, 0) as call_leads,
        coalesce(a.form_leads, 0) as form_leads,
        coalesce(a.chat_leads, 0) as chat_leads,
        coalesce(a.crm_leads, 0) as crm_leads,
        p.plan_budget,
        p.plan_leads,
        round(p.plan_budget / nullif(p.plan_leads, 0), 2) as plan_cpl,
        coalesce(b.invoiced, 0) as invoiced,
        coalesce(b.paid, 0) as paid,
        case when calendar.month = date '2026-11-01' then 22.0 / 30 else 1.0 end as elapsed
    from calendar
    left join activity as a using (client_id, month)
    left join plans as p using (client_id, month)
    left join billing as b using (client_id, month)
)
select
    client_id::varchar as client_id,
    month::date as month,
    spend::decimal(18,2) as spend,
    impressions::bigint as impressions,
    clicks::bigint as clicks,
    calls::bigint as calls,
    target_calls::bigint as target_calls,
    leads::bigint as leads,
    call_leads::bigint as call_leads,
    form_leads::bigint as form_leads,
    chat_leads::bigint as chat_leads,
    crm_leads::bigint as crm_leads,
    (clicks / nullif(impressions, 0))::double as ctr,
    round(spend / nullif(clicks, 0), 2)::decimal(18,2) as cpc,
    round(spend / nullif(leads, 0), 2)::decimal(18,2) as cpl,
    plan_budget::decimal(18,2) as plan_budget,
    plan_leads::integer as plan_leads,
    plan_cpl::decimal(18,2) as plan_cpl,
    (spend / nullif(plan_budget, 0))::double as budget_fulfilment,
    (leads / nullif(plan_leads, 0))::double as leads_fulfilment,
    ((spend / nullif(leads, 0)) / nullif(plan_cpl, 0))::double as cpl_fulfilment,
    (spend / nullif(plan_budget * elapsed, 0))::double as budget_pacing,
    invoiced::decimal(18,2) as invoiced,
    paid::decimal(18,2) as paid,
    (invoiced - paid)::decimal(18,2) as outstanding
from joined;

create table manager_portfolio as
select
    c.manager_id::varchar as manager_id,
    max(c.manager_name)::varchar as manager_name,
    m.month::date as month,
    count(distinct case when m.spend > 0 or m.invoiced > 0 then m.client_id end)::bigint as active_clients,
    sum(m.spend)::decimal(18,2) as spend,
    sum(m.leads)::bigint as leads,
    round(sum(m.spend) / nullif(sum(m.leads), 0), 2)::decimal(18,2) as cpl,
    sum(m.plan_budget)::decimal(18,2) as plan_budget,
    sum(m.plan_leads)::bigint as plan_leads,
    sum(m.invoiced)::decimal(18,2) as invoiced,
    sum(m.paid)::decimal(18,2) as paid,
    sum(m.outstanding)::decimal(18,2) as outstanding
from client_monthly as m
join dim_clients as c using (client_id)
group by c.manager_id, m.month;

create table source_freshness as
with ad_and_calls as (
    select
        s.client_id,
        s.source,
        case when s.source in ('calltouch', 'comagic') then 'calls' else 'ad_stats' end as feed,
        coalesce(s.platform_account_id, s.client_id || '-' || s.source) as account_id,
        max(d.date) as last_data_date
    from spec as s
    join client_channel_daily as d on d.client_id = s.client_id and d.channel = s.channel
    group by all
),
invoice_rows as (
    select
        client_id, 'invoice_register' as source, 'invoices' as feed, max(inn) as account_id,
        max(issued_on) as last_data_date
    from invoices
    group by client_id
),
lead_rows as (
    -- alfa's lead systems, loaded through the cutoff
    select distinct client_id, source, 'leads' as feed, account_id, date '2026-11-22' as last_data_date
    from lead_events
    where source not in ('calltouch', 'comagic')
)
select
    client_id::varchar as client_id,
    source::varchar as source,
    feed::varchar as feed,
    account_id::varchar as account_id,
    last_data_date::date as last_data_date,
    (last_data_date + interval 1 day + interval 3 hour)::timestamp as last_loaded_at,
    (date '2026-11-22' - last_data_date)::integer as days_stale
from (select * from ad_and_calls union all select * from invoice_rows union all select * from lead_rows);

-- Every account covered from its first loaded day to its last; the last account in id order
-- (by source) also has a failed run after it: its last nightly re-pull failed.
create table account_coverage as
with accounts as (
    select client_id, source, account_id, last_data_date, last_loaded_at,
        row_number() over (order by client_id desc, source desc, account_id desc) as n
    from source_freshness
    where feed <> 'invoices' and last_data_date is not null
)
select
    client_id::varchar as client_id,
    source::varchar as source,
    account_id::varchar as account_id,
    'covered'::varchar as status,
    date '2026-09-01' as day_from,
    last_data_date::date as day_to,
    last_loaded_at::timestamp as last_loaded_at,
    null::timestamp as last_failed_at,
    null::varchar as last_error
from accounts
union all
select
    client_id, source, account_id, 'failed', last_data_date + 1, last_data_date + 1,
    last_loaded_at, last_loaded_at + interval 1 day, 'HTTP 503: the vendor is unavailable'
from accounts
where n = 1 and last_data_date < date '2026-11-22';

-- Direct shared accounts: alfa's lasts 12 days, beta's 6, gamma's was never read (an expired
-- token); delta is churned. Tests that need a low balance lower one in their copy.
create table ad_account_balances as
with spend as (
    select s.client_id, s.platform_account_id as account_id,
        round(sum(d.spend) / 7.0, 2) as avg_daily_spend_7d
    from spec as s
    join client_channel_daily as d on d.client_id = s.client_id and d.channel = s.channel
    where s.source = 'yandex_direct' and d.date between date '2026-11-16' and date '2026-11-22'
        and s.client_id <> 'delta'
    group by all
),
balances as (
    select spend.*,
        case client_id when 'alfa' then round(avg_daily_spend_7d * 12, 2)
            when 'beta' then round(avg_daily_spend_7d * 6, 2) end as amount
    from spend
)
select
    client_id::varchar as client_id,
    'yandex_direct'::varchar as source,
    account_id::varchar as account_id,
    case when amount is not null then (4700000 + length(client_id))::varchar end as balance_account_id,
    amount::decimal(18,2) as amount,
    case when amount is not null then 'RUB' end::varchar as currency,
    case when amount is not null then timestamp '2026-11-23 03:00:00' end as balance_at,
    case when amount is not null then avg_daily_spend_7d else 0 end::decimal(18,2) as avg_daily_spend_7d,
    round(amount / avg_daily_spend_7d, 1)::decimal(9,1) as days_left,
    3::integer as threshold_days,
    case
        when amount is null then 'unknown' when amount / avg_daily_spend_7d < 3 then 'low' else 'ok'
    end::varchar as status,
    case when amount is null then 'failed' else 'loaded' end::varchar as last_read_status,
    timestamp '2026-11-23 03:00:01' as last_read_at,
    case when amount is null
        then 'AuthError: Ошибка авторизации: Неверный токен [53] (the OAuth token is invalid or expired)'
    end::varchar as last_error
from balances;

create temp table status_base as
with rolling as (
    select
        client_id,
        sum(case when date >= date '2026-10-24' then spend else 0 end) as spend_last_30d,
        sum(case when date >= date '2026-10-24' then leads else 0 end) as leads_last_30d,
        sum(case when date < date '2026-10-24' then spend else 0 end) as spend_prev_30d,
        sum(case when date < date '2026-10-24' then leads else 0 end) as leads_prev_30d
    from client_channel_daily
    where date between date '2026-09-24' and date '2026-11-22'
    group by client_id
),
receivables as (
    select
        client_id,
        sum(outstanding) as outstanding_total,
        sum(case when is_overdue then outstanding else 0 end) as overdue_total,
        sum(case when is_overdue and days_overdue between 1 and 30 then outstanding else 0 end) as o1,
        sum(case when is_overdue and days_overdue between 31 and 60 then outstanding else 0 end) as o2,
        sum(case when is_overdue and days_overdue between 61 and 90 then outstanding else 0 end) as o3,
        sum(case when is_overdue and days_overdue > 90 then outstanding else 0 end) as o4,
        max(days_overdue) as max_days_overdue
    from invoices
    group by client_id
),
fresh as (
    select client_id, min(last_data_date) as last_data_date, max(days_stale) as max_days_stale
    from source_freshness
    where feed in ('ad_stats', 'calls')
    group by client_id
),
base as (
    select
        c.client_id, c.client_name, c.manager_id, c.manager_name, c.is_churned,
        coalesce(m.spend, 0) as spend_mtd,
        coalesce(m.leads, 0) as leads_mtd,
        m.cpl as cpl_mtd,
        m.plan_budget, m.plan_leads, m.plan_cpl, m.budget_pacing,
        coalesce(r.spend_last_30d, 0) as spend_last_30d,
        coalesce(r.leads_last_30d, 0) as leads_last_30d,
        round(r.spend_last_30d / nullif(r.leads_last_30d, 0), 2) as cpl_last_30d,
        coalesce(r.spend_prev_30d, 0) as spend_prev_30d,
        coalesce(r.leads_prev_30d, 0) as leads_prev_30d,
        round(r.spend_prev_30d / nullif(r.leads_prev_30d, 0), 2) as cpl_prev_30d,
        coalesce(rc.outstanding_total, 0) as outstanding_total,
        coalesce(rc.overdue_total, 0) as overdue_total,
        coalesce(rc.o1, 0) as o1, coalesce(rc.o2, 0) as o2,
        coalesce(rc.o3, 0) as o3, coalesce(rc.o4, 0) as o4,
        coalesce(rc.max_days_overdue, 0) as max_days_overdue,
        f.last_data_date, f.max_days_stale
    from dim_clients as c
    left join client_monthly as m on m.client_id = c.client_id and m.month = date '2026-11-01'
    left join rolling as r on r.client_id = c.client_id
    left join receivables as rc on rc.client_id = c.client_id
    left join fresh as f on f.client_id = c.client_id
)
select * from base;

create table client_health_reasons as
select
    client_id::varchar as client_id,
    date '2026-11-23' as as_of_date,
    reason_code::varchar as reason_code,
    reason_order::integer as reason_order,
    value_pct::integer as value_pct,
    value_days::integer as value_days
from (
    select client_id, 'leads_down' as reason_code, 1 as reason_order,
        round((1 - leads_last_30d / leads_prev_30d) * 100) as value_pct, null as value_days
    from status_base
    where not is_churned and leads_prev_30d > 0 and leads_last_30d < 0.8 * leads_prev_30d
    union all
    select client_id, 'cpl_up', 2, round((cpl_last_30d / cpl_prev_30d - 1) * 100), null
    from status_base
    where not is_churned and cpl_prev_30d > 0 and cpl_last_30d > 1.2 * cpl_prev_30d
    union all
    select client_id, 'pacing_off', 3, round(budget_pacing * 100), null
    from status_base
    where not is_churned and plan_budget > 0 and abs(budget_pacing - 1) > 0.15
    union all
    select client_id, 'invoice_overdue', 4, null, max_days_overdue
    from status_base
    where not is_churned and max_days_overdue > 14
    union all
    select client_id, 'source_stale', 5, null, max_days_stale
    from status_base
    where not is_churned and max_days_stale > 2
);

create table client_status as
with codes as (
    select client_id, string_agg(reason_code, ',' order by reason_order) as health_reason_codes
    from client_health_reasons
    group by client_id
)
select
    b.client_id::varchar as client_id,
    b.client_name::varchar as client_name,
    b.manager_id::varchar as manager_id,
    b.manager_name::varchar as manager_name,
    date '2026-11-23' as as_of_date,
    b.spend_mtd::decimal(18,2) as spend_mtd,
    b.leads_mtd::bigint as leads_mtd,
    b.cpl_mtd::decimal(18,2) as cpl_mtd,
    b.plan_budget::decimal(18,2) as plan_budget,
    b.plan_leads::integer as plan_leads,
    b.plan_cpl::decimal(18,2) as plan_cpl,
    b.budget_pacing::double as budget_pacing,
    b.spend_last_30d::decimal(18,2) as spend_last_30d,
    b.leads_last_30d::bigint as leads_last_30d,
    b.cpl_last_30d::decimal(18,2) as cpl_last_30d,
    b.spend_prev_30d::decimal(18,2) as spend_prev_30d,
    b.leads_prev_30d::bigint as leads_prev_30d,
    b.cpl_prev_30d::decimal(18,2) as cpl_prev_30d,
    b.outstanding_total::decimal(18,2) as outstanding_total,
    b.overdue_total::decimal(18,2) as overdue_total,
    b.o1::decimal(18,2) as overdue_1_30,
    b.o2::decimal(18,2) as overdue_31_60,
    b.o3::decimal(18,2) as overdue_61_90,
    b.o4::decimal(18,2) as overdue_90_plus,
    b.max_days_overdue::integer as max_days_overdue,
    b.last_data_date::date as last_data_date,
    b.max_days_stale::integer as max_days_stale,
    (case
        when b.is_churned then 'churned'
        when c.client_id is not null then 'attention'
        else 'ok'
    end)::varchar as health,
    (case when b.is_churned then '' else coalesce(c.health_reason_codes, '') end)::varchar
        as health_reason_codes
from status_base as b
left join codes as c using (client_id);

create table dim_sources as
select
    source::varchar as source,
    feed::varchar as feed,
    label_ru::varchar as label_ru,
    label_en::varchar as label_en,
    sort_order::integer as sort_order
from (values
    ('yandex_direct', 'ad_stats', 'Яндекс Директ', 'Yandex Direct', 1),
    ('vk_ads', 'ad_stats', 'VK Реклама', 'VK Ads', 2),
    ('cabinet', 'ad_stats', 'Выгрузка из кабинета', 'Cabinet export', 3),
    ('calltouch', 'calls', 'Calltouch', 'Calltouch', 4),
    ('comagic', 'calls', 'CoMagic', 'CoMagic', 5),
    ('invoice_register', 'invoices', 'Реестр счетов', 'Invoice register', 6),
    ('bank_statement', 'payments', 'Банковская выписка', 'Bank statement', 7),
    ('calltouch_requests', 'leads', 'Заявки Calltouch', 'Calltouch requests', 8),
    ('yandex_metrika', 'leads', 'Яндекс Метрика', 'Yandex Metrika', 9),
    ('amocrm', 'leads', 'amoCRM', 'amoCRM', 10),
    ('bitrix24_leads', 'leads', 'Лиды Bitrix24', 'Bitrix24 leads', 11)
) as t(source, feed, label_ru, label_en, sort_order);

create table dim_channels as
select
    channel::varchar as channel,
    name_ru::varchar as name_ru,
    name_en::varchar as name_en,
    is_paid::boolean as is_paid,
    sort_order::integer as sort_order
from (values
    ('yandex_direct', 'Яндекс Директ', 'Yandex Direct', true, 1),
    ('vk_ads', 'VK Реклама', 'VK Ads', true, 2),
    ('google_ads', 'Google Ads', 'Google Ads', true, 3),
    ('meta_ads', 'Meta (Facebook / Instagram)', 'Meta Ads', true, 4),
    ('seo', 'Поиск (SEO)', 'Organic search', false, 5),
    ('direct', 'Прямые заходы', 'Direct', false, 6),
    ('referral', 'Переходы с сайтов', 'Referral', false, 7),
    ('social', 'Соцсети', 'Social', false, 8),
    ('email', 'Рассылки', 'Email', false, 9),
    ('other', 'Прочее', 'Other', false, 10)
) as t(channel, name_ru, name_en, is_paid, sort_order);

-- Agency economics (issue 19), derived from the tables above by the dbt marts' rules (every
-- client's fee_share is 1, the churn window one month, the DSO window three months).
create table client_revenue_monthly as
with billing as (
    select client_id, date_trunc('month', issued_on)::date as month,
        sum(amount) as invoiced, sum(amount_net) as invoiced_net, sum(paid_amount) as paid,
        sum(round(paid_amount * amount_net / amount, 2)) as paid_net
    from invoices
    group by all
),
months as (
    select m.client_id, m.month,
        coalesce(b.invoiced, 0) as invoiced, coalesce(b.invoiced_net, 0) as invoiced_net,
        coalesce(b.paid, 0) as paid, coalesce(b.paid_net, 0) as paid_net
    from client_monthly as m
    left join billing as b using (client_id, month)
)
select
    m.client_id::varchar as client_id,
    m.month::date as month,
    m.invoiced_net::decimal(18,2) as fee_invoiced_net,
    m.invoiced::decimal(18,2) as fee_invoiced,
    m.paid_net::decimal(18,2) as fee_paid_net,
    m.paid::decimal(18,2) as fee_paid,
    0::decimal(18,2) as pass_through_invoiced_net,
    0::decimal(18,2) as pass_through_invoiced,
    0::decimal(18,2) as pass_through_paid_net,
    0::decimal(18,2) as pass_through_paid,
    m.invoiced::decimal(18,2) as invoiced,
    m.paid::decimal(18,2) as paid,
    p.invoiced_net::decimal(18,2) as fee_invoiced_net_previous_month,
    y.invoiced_net::decimal(18,2) as fee_invoiced_net_last_year,
    (m.invoiced_net / nullif(p.invoiced_net, 0) - 1)::double as fee_mom_growth,
    (m.invoiced_net / nullif(y.invoiced_net, 0) - 1)::double as fee_yoy_growth,
    plans.plan_fee::decimal(18,2) as fee_plan_net,
    (m.invoiced_net / nullif(plans.plan_fee, 0))::double as fee_plan_fulfilment
from months as m
left join months as p on p.client_id = m.client_id and p.month = m.month - interval 1 month
left join months as y on y.client_id = m.client_id and y.month = m.month - interval 12 month
left join plans on plans.client_id = m.client_id and plans.month = m.month;

create table client_lifecycle_monthly as
with activity as (
    select m.client_id, m.month, m.spend > 0 or m.invoiced > 0 as is_active,
        m.month < date '2026-11-01' as is_month_complete, r.fee_invoiced_net, r.fee_paid_net
    from client_monthly as m
    join client_revenue_monthly as r using (client_id, month)
),
dated as (
    select activity.*, c.start_date from activity join dim_clients as c using (client_id)
),
history as (
    select *,
        min(case when is_active then month end) over (partition by client_id) as first_active_month,
        max(case when is_active then month end) over (
            partition by client_id order by month rows between unbounded preceding and 1 preceding
        ) as previous_active_month,
        max(case when is_active then month end) over (
            partition by client_id order by month rows between unbounded preceding and current row
        ) as last_active_month,
        count(case when is_active then 1 end) over (
            partition by client_id order by month rows between unbounded preceding and current row
        ) as active_months,
        sum(fee_paid_net) over (
            partition by client_id order by month rows between unbounded preceding and current row
        ) as ltv_net
    from dated
)
select
    client_id::varchar as client_id,
    month::date as month,
    is_month_complete::boolean as is_month_complete,
    is_active::boolean as is_active,
    (case
        when is_active and month = first_active_month
            and date_trunc('month', start_date)::date >= (select min(month) from client_monthly) then 'new'
        when is_active and month = first_active_month then 'retained'
        when is_active and date_diff('month', previous_active_month, month) - 1 >= 1 then 'returning'
        when is_active then 'retained'
        when is_month_complete and date_diff('month', previous_active_month, month) = 1 then 'churned'
        else 'inactive'
    end)::varchar as lifecycle_status,
    first_active_month::date as first_active_month,
    coalesce(date_diff('month', first_active_month, last_active_month) + 1, 0)::integer as lifetime_months,
    active_months::integer as active_months,
    fee_invoiced_net::decimal(18,2) as fee_invoiced_net,
    fee_paid_net::decimal(18,2) as fee_paid_net,
    ltv_net::decimal(18,2) as ltv_net
from history;

create table client_cohorts as
with latest as (
    select * from client_lifecycle_monthly
    where first_active_month is not null
    qualify row_number() over (partition by client_id order by month desc) = 1
)
select
    c.manager_id::varchar as manager_id,
    date_trunc('month', c.start_date)::date as cohort_month,
    count(*)::bigint as clients,
    sum(l.lifetime_months)::bigint as lifetime_months,
    sum(l.ltv_net)::decimal(18,2) as ltv_net,
    (sum(l.lifetime_months) / count(*))::double as avg_lifetime_months,
    round(sum(l.ltv_net) / count(*), 2)::decimal(18,2) as avg_ltv_net
from latest as l
join dim_clients as c using (client_id)
group by all;

create table receivables_monthly as
with snapshots as (
    select client_id, month,
        case when month < date '2026-11-01' then month + interval 1 month else date '2026-11-23' end::date
            as snapshot_on,
        month = date '2026-11-01' as is_current
    from client_monthly
),
owed as (
    select s.client_id, s.month, i.issued_on, i.amount,
        (s.snapshot_on - i.due_on) as days_past_due,
        i.amount - case
            when s.is_current or coalesce(i.paid_on, i.due_on) < s.snapshot_on then i.paid_amount
            else 0
        end as owed
    from snapshots as s
    join invoices as i on i.client_id = s.client_id and (s.is_current or i.issued_on < s.snapshot_on)
),
aging as (
    select client_id, month,
        sum(owed) as outstanding,
        sum(case when owed > 0 and days_past_due <= 0 then owed else 0 end) as not_due,
        sum(case when owed > 0 and days_past_due between 1 and 30 then owed else 0 end) as d30,
        sum(case when owed > 0 and days_past_due between 31 and 60 then owed else 0 end) as d60,
        sum(case when owed > 0 and days_past_due between 61 and 90 then owed else 0 end) as d90,
        sum(case when owed > 0 and days_past_due > 90 then owed else 0 end) as d90plus
    from owed
    group by all
),
windowed as (
    select s.client_id, s.month, s.snapshot_on,
        (s.snapshot_on - (s.month - interval 2 month)::date) as window_days,
        (select coalesce(sum(i.amount), 0) from invoices as i
         where i.client_id = s.client_id and i.issued_on >= s.month - interval 2 month
           and (s.is_current or i.issued_on < s.snapshot_on)) as invoiced_in_window
    from snapshots as s
)
select
    w.client_id::varchar as client_id,
    w.month::date as month,
    w.snapshot_on::date as snapshot_on,
    coalesce(a.outstanding, 0)::decimal(18,2) as outstanding,
    coalesce(a.not_due, 0)::decimal(18,2) as not_due,
    coalesce(a.d30, 0)::decimal(18,2) as overdue_1_30,
    coalesce(a.d60, 0)::decimal(18,2) as overdue_31_60,
    coalesce(a.d90, 0)::decimal(18,2) as overdue_61_90,
    coalesce(a.d90plus, 0)::decimal(18,2) as overdue_over_90,
    coalesce(a.d30 + a.d60 + a.d90 + a.d90plus, 0)::decimal(18,2) as overdue,
    w.invoiced_in_window::decimal(18,2) as invoiced_in_window,
    w.window_days::integer as window_days,
    round(coalesce(a.outstanding, 0) * w.window_days / nullif(w.invoiced_in_window, 0), 1)::double as dso_days
from windowed as w
left join aging as a using (client_id, month);

create table expected_inflows as
select
    client_id::varchar as client_id,
    due_on::date as due_on,
    count(*)::bigint as invoices,
    sum(outstanding)::decimal(18,2) as expected_amount,
    (due_on < date '2026-11-23')::boolean as is_overdue
from invoices
where outstanding > 0 and status <> 'declined'
group by client_id, due_on;

create table manager_economics_monthly as
with client_months as (
    select l.*, r.outstanding, r.overdue, r.invoiced_in_window, r.window_days,
        coalesce(prev.is_active, false) as was_active, rev.fee_plan_net
    from client_lifecycle_monthly as l
    join receivables_monthly as r using (client_id, month)
    join client_revenue_monthly as rev using (client_id, month)
    left join client_lifecycle_monthly as prev
        on prev.client_id = l.client_id and prev.month = l.month - interval 1 month
),
scoped as (
    select 'manager' as scope, c.manager_id, m.*
    from client_months as m join dim_clients as c using (client_id)
    union all
    select 'agency', null, m.* from client_months as m
),
ranked as (
    select *,
        row_number() over (partition by scope, manager_id, month order by fee_invoiced_net desc, client_id)
            as revenue_rank,
        sum(greatest(fee_invoiced_net, 0)) over (partition by scope, manager_id, month) as positive_fee
    from scoped
),
aggregated as (
    select scope, manager_id, month,
        bool_or(is_month_complete) as is_month_complete,
        count(case when is_active then 1 end) as active_clients,
        count(case when lifecycle_status = 'new' then 1 end) as new_clients,
        count(case when lifecycle_status = 'returning' then 1 end) as returning_clients,
        count(case when lifecycle_status = 'churned' then 1 end) as churned_clients,
        count(case when was_active then 1 end) as clients_active_window_ago,
        sum(fee_invoiced_net) as fee_invoiced_net,
        sum(fee_paid_net) as fee_paid_net,
        max(positive_fee) as positive_fee,
        sum(case when revenue_rank <= 3 and fee_invoiced_net > 0 then fee_invoiced_net else 0 end) as top3,
        sum(case when fee_invoiced_net > 0 then pow(fee_invoiced_net / positive_fee, 2) end) as hhi,
        sum(outstanding) as outstanding,
        sum(overdue) as overdue,
        sum(invoiced_in_window) as invoiced_in_window,
        max(window_days) as window_days,
        sum(fee_plan_net) as fee_plan_net
    from ranked
    group by all
)
select
    a.scope::varchar as scope,
    a.manager_id::varchar as manager_id,
    a.month::date as month,
    a.is_month_complete::boolean as is_month_complete,
    a.active_clients::bigint as active_clients,
    a.new_clients::bigint as new_clients,
    a.returning_clients::bigint as returning_clients,
    a.churned_clients::bigint as churned_clients,
    a.clients_active_window_ago::bigint as clients_active_window_ago,
    (case when a.is_month_complete then a.churned_clients / nullif(a.clients_active_window_ago, 0) end)
        ::double as churn_rate,
    a.fee_invoiced_net::decimal(18,2) as fee_invoiced_net,
    a.fee_paid_net::decimal(18,2) as fee_paid_net,
    p.fee_invoiced_net::decimal(18,2) as fee_invoiced_net_previous_month,
    y.fee_invoiced_net::decimal(18,2) as fee_invoiced_net_last_year,
    (a.fee_invoiced_net / nullif(p.fee_invoiced_net, 0) - 1)::double as fee_mom_growth,
    (a.fee_invoiced_net / nullif(y.fee_invoiced_net, 0) - 1)::double as fee_yoy_growth,
    (a.top3 / nullif(a.positive_fee, 0))::double as top3_share,
    round(a.hhi, 6)::double as herfindahl_index,
    a.outstanding::decimal(18,2) as outstanding,
    a.overdue::decimal(18,2) as overdue,
    a.invoiced_in_window::decimal(18,2) as invoiced_in_window,
    round(a.outstanding * a.window_days / nullif(a.invoiced_in_window, 0), 1)::double as dso_days,
    a.fee_plan_net::decimal(18,2) as fee_plan_net,
    (a.fee_invoiced_net / nullif(a.fee_plan_net, 0))::double as fee_plan_fulfilment
from aggregated as a
left join aggregated as p
    on p.scope = a.scope and p.manager_id is not distinct from a.manager_id
    and p.month = a.month - interval 1 month
left join aggregated as y
    on y.scope = a.scope and y.manager_id is not distinct from a.manager_id
    and y.month = a.month - interval 12 month;

create table monthly_comparisons as
with grained as (
    select 'channel' as grain, client_id, channel, date, spend, impressions, clicks, leads
    from client_channel_daily
    union all
    select 'client', client_id, null, date, spend, impressions, clicks, leads from client_channel_daily
),
series as (
    select grain, client_id, channel, date_trunc('month', min(date))::date as first_month
    from grained group by all
),
periods as (
    select s.grain, s.client_id, s.channel, m.month,
        case when m.month < date '2026-11-01' then last_day(m.month) else date '2026-11-22' end as period_end
    from series as s
    join (select distinct client_id, month from client_monthly) as m
        on m.client_id = s.client_id and m.month >= s.first_month
),
bounded as (
    select *,
        case when month < date '2026-11-01' then (month - interval 1 month)::date
            else (month - to_days((period_end - month + 1)::integer))::date end as previous_start,
        (month - interval 1 day)::date as previous_end,
        (month - interval 12 month)::date as year_ago_start,
        case when month < date '2026-11-01' then last_day(month - interval 12 month)
            else (period_end - interval 12 month)::date end as year_ago_end
    from periods
),
summed as (
    select b.grain, b.client_id, b.channel, b.month, b.period_end, b.previous_start, b.previous_end,
        b.year_ago_start, b.year_ago_end,
        sum(case when g.date between b.month and b.period_end then g.spend else 0 end) as spend,
        sum(case when g.date between b.month and b.period_end then g.impressions else 0 end) as impressions,
        sum(case when g.date between b.month and b.period_end then g.clicks else 0 end) as clicks,
        sum(case when g.date between b.month and b.period_end then g.leads else 0 end) as leads,
        sum(case when g.date between b.previous_start and b.previous_end
            then g.spend else 0 end) as p_spend,
        sum(case when g.date between b.previous_start and b.previous_end
            then g.impressions else 0 end) as p_impr,
        sum(case when g.date between b.previous_start and b.previous_end
            then g.clicks else 0 end) as p_clicks,
        sum(case when g.date between b.previous_start and b.previous_end
            then g.leads else 0 end) as p_leads
    from bounded as b
    left join grained as g
        on g.grain = b.grain and g.client_id = b.client_id and g.channel is not distinct from b.channel
        and g.date between b.previous_start and b.period_end
    group by all
)
select
    grain::varchar as grain, client_id::varchar as client_id, channel::varchar as channel,
    month::date as month, month::date as period_start, period_end::date as period_end,
    previous_start::date as previous_start, previous_end::date as previous_end,
    year_ago_start::date as year_ago_start, year_ago_end::date as year_ago_end,
    spend::decimal(18,2) as spend, impressions::bigint as impressions, clicks::bigint as clicks,
    leads::bigint as leads, (clicks / nullif(impressions, 0))::double as ctr,
    round(spend / nullif(clicks, 0), 2)::decimal(18,2) as cpc,
    round(spend / nullif(leads, 0), 2)::decimal(18,2) as cpl,
    p_spend::decimal(18,2) as previous_spend, p_impr::bigint as previous_impressions,
    p_clicks::bigint as previous_clicks, p_leads::bigint as previous_leads,
    (p_clicks / nullif(p_impr, 0))::double as previous_ctr,
    round(p_spend / nullif(p_clicks, 0), 2)::decimal(18,2) as previous_cpc,
    round(p_spend / nullif(p_leads, 0), 2)::decimal(18,2) as previous_cpl,
    -- The fixture has no data a year back.
    0::decimal(18,2) as year_ago_spend, 0::bigint as year_ago_impressions, 0::bigint as year_ago_clicks,
    0::bigint as year_ago_leads, null::double as year_ago_ctr, null::decimal(18,2) as year_ago_cpc,
    null::decimal(18,2) as year_ago_cpl
from summed;

update dim_clients set
    first_activity_date = (
        select min(date) from client_channel_daily as d where d.client_id = dim_clients.client_id
    ),
    last_activity_date = (
        select max(date) from client_channel_daily as d where d.client_id = dim_clients.client_id
    );

create table _publish_meta as
select
    timestamp '2026-11-23 04:05:00' as published_at,
    date '2026-11-23' as as_of_date,
    'fixture-run-0001'::varchar as run_id,
    date '2026-11-22' as data_cutoff;
"""


PASSPORT_SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "metrics.csv"
"""The metric passport is the dbt seed itself, as the real mart publishes it."""

_PASSPORT_SQL = """
create table metric_passport as
select
    metric::varchar as metric,
    formula::varchar as formula,
    unit::varchar as unit,
    vat::varchar as vat,
    nullif(currency, '')::varchar as currency,
    time_zone::varchar as time_zone,
    grain::varchar as grain,
    nullif(source_column, '')::varchar as source_column,
    sort_order::integer as sort_order
from read_csv($1, header = true, all_varchar = true)
"""


def build_serving_db(path: Path) -> Path:
    """Write the fixture serving file at ``path`` (replacing it) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute(_SQL)
        con.execute(_PASSPORT_SQL, [str(PASSPORT_SEED)])
        con.execute("checkpoint")
    finally:
        con.close()
    tmp.replace(path)
    return path
