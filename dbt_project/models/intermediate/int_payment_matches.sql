-- Incoming bank payments matched to the invoices they pay: one row per payment, or per share of
-- a payment split across several invoices. Outgoing payments (the agency's own spending) are
-- not matched and not here. The rules, in order (DECISIONLOG.md, "Bank payments"):
--
-- 1. number+inn: the invoice number(s) named in the purpose ("Оплата по счету № 123 от
--    01.03.2026", "сч. 123", "счёт №А-17/2026", "по счетам № 12 и 13") belong to an invoice of
--    the payer's ИНН. "от DD.MM.YYYY" picks among invoices of the same number from different
--    years (each number found and resolved in int_payment_references). Several numbers match
--    only when the payment equals the sum of their outstanding amounts; the payment is then
--    split, one row per invoice.
-- 2. inn+amount: a single number that does not resolve to one invoice, or no number at all,
--    falls back to the payer's only open invoice whose outstanding amount equals the payment.
-- 3. unmatched, with the reason as codes and typed values (a fallback payment has two: why the
--    number did not decide, and what the amount rule found). Never dropped.
--
-- "Outstanding" before a payment is the invoice amount (0 for a declined invoice) less what was
-- paid before it, counted like int_invoices.paid_amount so that the two agree: a register whose
-- payment date precedes the payment counts (earlier bank payments up to that date taken as part
-- of it, later ones added); a register dated on or after the payment, or without a date, may
-- already hold this very payment, so only earlier bank payments count (unless the register
-- says "fully paid" without a date): macro outstanding_before. Payments are taken in the order
-- paid_on, document_date, document_number, payment_id; the sequential rule is applied
-- set-based, as written down in DECISIONLOG.md.

with

statement_rows as (

    select * from {{ ref('stg_bank_statement__payments') }}

),

register as (

    select * from {{ ref('stg_invoice_register__invoices') }}

),

clients as (

    select * from {{ ref('stg_agency__clients') }}

),

resolution as (

    -- One row per number named in the purpose: the invoice it resolves to, or why it does not.
    select * from {{ ref('int_payment_references') }}

),

payments as (

    -- Incoming payments in matching order, with the payer's client (the loader's ИНН match when
    -- that client is still configured, else the only configured client with that ИНН).
    select
        statement_rows.payment_id,
        row_number() over (
            order by
                statement_rows.paid_on,
                statement_rows.document_date,
                statement_rows.document_number,
                statement_rows.payment_id
        ) as payment_order,
        {{ client_by_inn('statement_rows.client_id', 'statement_rows.payer_inn') }} as client_id,
        statement_rows.payer_inn,
        statement_rows.payer_name,
        statement_rows.document_number,
        statement_rows.document_date,
        statement_rows.paid_on,
        statement_rows.amount,
        statement_rows.purpose
    from statement_rows
    where statement_rows.direction = 'in'

),

invoices as (

    -- Every invoice of the register, also of ИНН that are no configured client.
    select
        inn,
        invoice_number,
        case when {{ is_declined_status('payment_status') }} then 0 else amount end as open_amount,
        amount,
        {{ register_paid_amount('paid_amount', 'payment_status', 'amount') }} as register_paid,
        paid_on as register_paid_on
    from register

),

invoiced_inns as (

    select distinct inn from invoices

),

---------- rule 1: numbers resolved to invoices of the payer's ИНН

number_counts as (

    select
        payment_id,
        count(*) as n_numbers,
        {{ dbt.listagg('number_as_written', "', '", 'order by number_index') }} as numbers_listed
    from resolution
    group by payment_id

),

first_unresolved as (

    select
        payment_id,
        number_as_written,
        n_candidates
    from (
        select
            resolution.*,
            row_number() over (
                partition by resolution.payment_id
                order by resolution.number_index
            ) as failure_rank
        from resolution
        where resolution.n_candidates <> 1
    ) as failures
    where failure_rank = 1

),

classified as (

    select
        payments.*,
        coalesce(number_counts.n_numbers, 0) as n_numbers,
        number_counts.numbers_listed,
        first_unresolved.number_as_written as unresolved_number,
        first_unresolved.n_candidates as unresolved_candidates,
        case
            when payments.payer_inn is null then 'no_inn'
            when invoiced_inns.inn is null then 'unknown_inn'
            when coalesce(number_counts.n_numbers, 0) = 1 and first_unresolved.payment_id is null
                then 'single'
            when coalesce(number_counts.n_numbers, 0) > 1 and first_unresolved.payment_id is null
                then 'several'
            when coalesce(number_counts.n_numbers, 0) > 1 then 'several_unresolved'
            else 'fallback'
        end as path
    from payments
    left join invoiced_inns
        on payments.payer_inn = invoiced_inns.inn
    left join number_counts
        on payments.payment_id = number_counts.payment_id
    left join first_unresolved
        on payments.payment_id = first_unresolved.payment_id

),

single_matches as (

    -- One number, one invoice: the whole payment goes to it, whatever is outstanding.
    select
        classified.payment_id,
        classified.payment_order,
        resolution.inn as invoice_inn,
        resolution.invoice_number,
        classified.paid_on,
        classified.amount
    from classified
    inner join resolution
        on classified.payment_id = resolution.payment_id
    where classified.path = 'single'

),

split_pairs as (

    -- Several numbers, each resolved: the payment against each invoice it names.
    select
        pay.payment_id,
        pay.payment_order,
        pay.paid_on,
        pay.amount,
        resolution.inn as invoice_inn,
        resolution.invoice_number
    from classified as pay
    inner join resolution
        on pay.payment_id = resolution.payment_id
    where pay.path = 'several'

),

split_candidates as (

    -- What is outstanding on each invoice before this payment, after the single-number
    -- matches of earlier payments.
    select
        payment_id,
        payment_order,
        paid_on,
        amount as payment_amount,
        invoice_inn,
        invoice_number,
        outstanding as share
    from ({{ outstanding_before('split_pairs', 'single_matches') }}) as owed

),

split_added_up as (

    -- The splits whose shares add up to the payment, with the order of each invoice's first
    -- such split.
    select
        totals.*,
        min(totals.payment_order) over (
            partition by totals.invoice_inn, totals.invoice_number
        ) as first_split_order
    from (
        select
            split_candidates.*,
            sum(split_candidates.share) over (partition by split_candidates.payment_id) as shares_total
        from split_candidates
    ) as totals
    where totals.shares_total = totals.payment_amount

),

split_matches as (

    -- A split is blocked when an earlier split has already settled one of its invoices in full.
    select
        payment_id,
        payment_order,
        invoice_inn,
        invoice_number,
        paid_on,
        share as amount
    from (
        select
            split_added_up.*,
            max(case when split_added_up.payment_order > split_added_up.first_split_order then 1 else 0 end)
                over (partition by split_added_up.payment_id) as is_blocked
        from split_added_up
    ) as flagged
    where is_blocked = 0

),

number_matches as (

    select * from single_matches
    union all
    select * from split_matches

),

---------- rule 2: the payer's only open invoice of exactly the payment's amount

fallback_pairs as (

    -- Each fallback payment against every invoice of its payer.
    select
        pay.payment_id,
        pay.payment_order,
        pay.paid_on,
        pay.amount,
        inv.inn as invoice_inn,
        inv.invoice_number
    from classified as pay
    inner join invoices as inv
        on pay.payer_inn = inv.inn
    where pay.path = 'fallback'

),

open_before as (

    -- Outstanding before the payment, after the number matches of earlier payments.
    select
        payment_id,
        payment_order,
        amount,
        invoice_inn,
        invoice_number,
        outstanding
    from ({{ outstanding_before('fallback_pairs', 'number_matches') }}) as owed

),

amount_candidates as (

    -- The open invoices of exactly the payment's amount. A payment with exactly one candidate
    -- claims it; the first claim on an invoice wins (claim_rank among those payments).
    select
        candidates.*,
        row_number() over (
            partition by candidates.invoice_inn, candidates.invoice_number, candidates.n_candidates
            order by candidates.payment_order
        ) as claim_rank
    from (
        select
            open_before.*,
            count(*) over (partition by open_before.payment_id) as n_candidates
        from open_before
        where open_before.outstanding > 0
            and open_before.outstanding = open_before.amount
    ) as candidates

),

amount_matches as (

    select
        payment_id,
        payment_order,
        invoice_inn,
        invoice_number,
        amount
    from amount_candidates
    where n_candidates = 1
        and claim_rank = 1

),

amount_counts as (

    -- Open invoices of the payment's amount; an invoice an earlier payment claimed is settled.
    select
        classified.payment_id,
        case
            when max(case when amount_candidates.n_candidates = 1 then amount_candidates.claim_rank end) > 1
                then 0
            else coalesce(max(amount_candidates.n_candidates), 0)
        end as n_open
    from classified
    left join amount_candidates
        on classified.payment_id = amount_candidates.payment_id
    where classified.path = 'fallback'
    group by classified.payment_id

),

---------- rule 3: everything else, with the reason

matched as (

    select payment_id, payment_order, invoice_inn, invoice_number, amount, 'number+inn' as match_method
    from number_matches
    union all
    select payment_id, payment_order, invoice_inn, invoice_number, amount, 'inn+amount' as match_method
    from amount_matches

),

outcomes as (

    -- Each payment with its matches (one row per share), or once when unmatched.
    select
        classified.*,
        matched.payment_id is not null as is_matched,
        matched.invoice_inn,
        matched.invoice_number,
        matched.amount as matched_amount,
        matched.match_method,
        amount_counts.n_open
    from classified
    left join matched
        on classified.payment_id = matched.payment_id
    left join amount_counts
        on classified.payment_id = amount_counts.payment_id

)

-- Why each unmatched payment is unmatched, as codes and the values they need (the wording is
-- the dashboard's, dashboard/i18n.py). A fallback payment has two reasons: why the number did
-- not decide, and what the amount rule found. The ИНН a reason names is payer_inn, its amount
-- the payment's.
select
    payment_id,
    payment_order,
    client_id,
    payer_inn,
    payer_name,
    document_number,
    document_date,
    paid_on,
    amount as payment_amount,
    cast(case when is_matched then matched_amount else amount end as {{ type_money() }}) as amount,
    purpose,
    invoice_inn,
    invoice_number,
    case when is_matched then match_method else 'unmatched' end as match_method,
    case
        when is_matched then cast(null as {{ dbt.type_string() }})
        when path = 'no_inn' then 'payer_has_no_inn'
        when path = 'unknown_inn' then 'no_invoice_for_inn'
        when path = 'several_unresolved' and unresolved_candidates = 0 then 'several_numbers_not_found'
        when path = 'several_unresolved' then 'several_numbers_ambiguous'
        when path = 'several' then 'several_numbers_amount_mismatch'
        when n_numbers = 0 then 'no_invoice_number'
        when unresolved_candidates = 0 then 'invoice_not_found'
        else 'invoice_ambiguous'
    end as unmatched_reason_code,
    case
        when is_matched or path <> 'fallback' then cast(null as {{ dbt.type_string() }})
        when coalesce(n_open, 0) = 0 then 'no_open_invoice_for_amount'
        else 'several_open_invoices_for_amount'
    end as unmatched_amount_reason_code,
    case
        when not is_matched and path in ('several', 'several_unresolved') then numbers_listed
    end as unmatched_invoice_numbers,
    case
        when not is_matched and path in ('several_unresolved', 'fallback') then unresolved_number
    end as unmatched_invoice_number,
    cast(
        case when not is_matched and path = 'fallback' and n_open > 0 then n_open end
        as {{ dbt.type_int() }}
    ) as unmatched_open_invoices
from outcomes
