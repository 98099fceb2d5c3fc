{#
    An invoice number as compared when matching payments: whitespace removed, upper case,
    Ё = Е, Latin look-alike letters replaced by Cyrillic ones (A B C E H K M O P T X Y),
    leading and trailing `.`, `-`, `/` stripped, and leading zeros of every digit run dropped,
    so "а-017/2026" and "A-17/2026" (Latin A) compare equal.
#}
{% macro normalise_invoice_number(expr) -%}
    {%- set compact = regexp_replace_all(expr, "'\\s+'", "''") -%}
    {%- set cyrillic = "translate(" ~ dbt.replace("upper(" ~ compact ~ ")", "'Ё'", "'Е'")
        ~ ", 'ABCEHKMOPTXY', 'АВСЕНКМОРТХУ')" -%}
    {%- set stripped = regexp_replace_all(cyrillic, "'^[./-]+|[./-]+$'", "''") -%}
    {{ regexp_replace_all(stripped, "'(^|[^0-9])0+([0-9])'", "'\\1\\2'") }}
{%- endmacro %}


{# True when a register status says the invoice was declined (Bitrix24 "Отклонён"): not a receivable. #}
{% macro is_declined_status(status_expr) -%}
    coalesce(lower(trim({{ status_expr }})) in ('отклонён', 'отклонен', 'declined'), false)
{%- endmacro %}


{# True when a register status says the invoice is paid ("Оплачен"). #}
{% macro is_paid_status(status_expr) -%}
    coalesce(lower(trim({{ status_expr }})) in ('оплачен', 'paid'), false)
{%- endmacro %}


{#
    What the register says is paid: its paid amount; without one, the whole amount when its
    status says the invoice is paid ("Оплачен"), else 0. Registers exported from 1C often carry
    only a status column.
#}
{% macro register_paid_amount(paid_amount_expr, status_expr, amount_expr) -%}
    coalesce(
        {{ paid_amount_expr }},
        case when {{ is_paid_status(status_expr) }} then {{ amount_expr }} end,
        0
    )
{%- endmacro %}


{#
    Paid on an invoice from its two sources, which describe the same money: the register
    (`register_paid`, last payment day `register_paid_on`) and matched bank payments, split
    into those dated on or before `register_paid_on` (`bank_covered`: assumed to be in the
    register already, so the greater of the two counts) and those dated after it (`bank_after`:
    new money). Without a register date every bank payment is "covered". Bank money counts
    up to the invoice amount; an overpayment the register records stays.
#}
{% macro combined_paid_amount(register_paid, bank_covered, bank_after, amount) -%}
    least(
        greatest({{ register_paid }}, {{ bank_covered }}) + {{ bank_after }},
        greatest({{ amount }}, {{ register_paid }})
    )
{%- endmacro %}
