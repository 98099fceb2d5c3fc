{#
    What each (payment, invoice) pair of `pairs` still owes before that payment: the invoice's
    open amount (0 when declined) less what was paid on it before, counted so that adding the
    payment gives int_invoices.paid_amount (DECISIONLOG.md, "Bank payments"). `earlier` holds
    the matches of earlier payments (payment_order, invoice_inn, invoice_number, paid_on,
    amount): those dated after the register's payment date add to the register's paid amount,
    those on or before it may be in it (the greater counts). When the register's date is on or
    after this payment's day, or it has no date, the register may hold this very payment: only
    earlier bank money counts, unless the register says the invoice is fully paid and gives no
    date.

    `pairs`: payment_id, payment_order, paid_on, amount, invoice_inn, invoice_number.
    `invoices`: inn, invoice_number, open_amount, amount, register_paid, register_paid_on.
    Returns one row per pair: the pair's columns and `outstanding`.
#}
{% macro outstanding_before(pairs, earlier, invoices='invoices') -%}
    select
        pay.payment_id,
        pay.payment_order,
        pay.paid_on,
        pay.amount,
        inv.inn as invoice_inn,
        inv.invoice_number,
        inv.open_amount - case
            when inv.register_paid_on < pay.paid_on
                then greatest(
                    inv.register_paid,
                    coalesce(sum(case when earlier.paid_on <= inv.register_paid_on then earlier.amount end), 0)
                ) + coalesce(sum(case when earlier.paid_on > inv.register_paid_on then earlier.amount end), 0)
            when inv.register_paid_on is null and inv.register_paid >= inv.amount
                then greatest(inv.register_paid, coalesce(sum(earlier.amount), 0))
            else coalesce(sum(earlier.amount), 0)
        end as outstanding
    from {{ pairs }} as pay
    inner join {{ invoices }} as inv
        on pay.invoice_inn = inv.inn
        and pay.invoice_number = inv.invoice_number
    left join {{ earlier }} as earlier
        on inv.inn = earlier.invoice_inn
        and inv.invoice_number = earlier.invoice_number
        and earlier.payment_order < pay.payment_order
    group by
        pay.payment_id,
        pay.payment_order,
        pay.paid_on,
        pay.amount,
        inv.inn,
        inv.invoice_number,
        inv.open_amount,
        inv.amount,
        inv.register_paid,
        inv.register_paid_on
{%- endmacro %}
