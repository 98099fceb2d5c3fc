{#- Word characters of invoice numbers (RE2 and PostgreSQL have no Unicode \w in common). -#}
{%- set word = "0-9A-Za-zА-Яа-яЁё_" -%}
{%- set letters = "A-Za-zА-Яа-яЁё" -%}
{#- A run of word characters, '/' and '-' that starts with a word character and holds a digit. -#}
{%- set token = "(?:[0-9]|[" ~ word ~ "][" ~ word ~ "/-]*[0-9])[" ~ word ~ "/-]*" -%}
{#- "сч", "сч.", "счет", "счёт", "счету", "счетам", "с/ч", then "на оплату", then "№" / "N" / "No" / "#". -#}
{%- set keyword = "(?:[Сс][Чч](?:[ЕеЁё][Тт](?:[Аа][Мм]|[Оо][Вв]|[Уу]|[Аа]|[Ее])?)?[.]?|[Сс]/[Чч])"
    ~ "(?:\\s+[Нн][Аа]\\s+[Оо][Пп][Лл][Аа][Тт][Уу])?\\s*(?:№|[Nn][Oo]\\s|[Nn]\\s|#)?\\s*" -%}
{#- Group 1: the numbers ("12 и 13", "12, 13"); group 2: the date after "от". Not after a letter
    ("расчетный счет" is no invoice reference). -#}
{%- set reference_pattern = "'(?:^|[^" ~ letters ~ "])" ~ keyword
    ~ "(" ~ token ~ "(?:\\s*(?:,|;|[Ии])\\s*(?:№\\s*)?" ~ token ~ ")*)"
    ~ "(?:\\s*[Оо][Тт]\\s*([0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4}))?'" -%}
{%- set word_run_pattern = "'([" ~ word ~ "][" ~ word ~ "/-]*)'" %}

-- The invoice numbers named in each incoming bank payment's purpose ("Оплата по счету № 123 от
-- 01.03.2026", "сч. 123", "счёт №А-17/2026", "по счетам № 12 и 13"), one row per payment and
-- distinct number in the order written, with the invoice of the payer's ИНН it resolves to: the
-- first step of int_payment_matches's rule 1 (number+inn), kept as its own table so that no
-- engine has to plan the regular expressions again for every later step that reads them.
-- "от DD.MM.YYYY" (the first valid date of the purpose) picks among invoices of the same number
-- from different years. n_candidates = 1: resolved (inn, invoice_number); 0: not found; more:
-- ambiguous (inn and invoice_number are then one of them, unused).

with

statement_rows as (

    select * from {{ ref('stg_bank_statement__payments') }}

),

register as (

    select * from {{ ref('stg_invoice_register__invoices') }}

),

payments as (

    -- Incoming payments only; outgoing ones (the agency's own spending) are not matched.
    select
        payment_id,
        payer_inn,
        {{ dbt.replace('purpose', 'chr(160)', "' '") }} as purpose_text
    from statement_rows
    where direction = 'in'

),

invoices as (

    -- Every invoice of the register, also of ИНН that are no configured client.
    select
        inn,
        invoice_number,
        issued_on,
        {{ normalise_invoice_number('invoice_number') }} as number_key
    from register

),

---------- the invoice numbers and the date named in each purpose

reference_matches as (

    select
        payments.payment_id,
        refs.match_index,
        refs.invoice_numbers,
        {{ parse_ru_date('refs.invoice_date') }} as referenced_on
    from payments
    cross join {{ regexp_match_rows(
        'payments.purpose_text', reference_pattern, ['invoice_numbers', 'invoice_date']
    ) }} as refs

),

tokens as (

    -- Each number as written, trailing '/' and '-' stripped; runs without a digit ("и") and
    -- 20-digit bank account numbers are not invoice numbers.
    select
        reference_matches.payment_id,
        reference_matches.match_index,
        words.match_index as word_index,
        {{ regexp_replace_all('words.word', "'[/-]+$'", "''") }} as number_as_written
    from reference_matches
    cross join {{ regexp_match_rows(
        'reference_matches.invoice_numbers', word_run_pattern, ['word']
    ) }} as words

),

distinct_numbers as (

    select
        payment_id,
        match_index,
        word_index,
        number_as_written,
        row_number() over (
            partition by payment_id, number_as_written
            order by match_index, word_index
        ) as occurrence
    from tokens
    where {{ regexp_full_match('number_as_written', "'.*[0-9].*'") }}
        and not {{ regexp_full_match('number_as_written', "'[0-9]{20}'") }}

),

numbers as (

    select
        payment_id,
        row_number() over (partition by payment_id order by match_index, word_index) as number_index,
        number_as_written,
        {{ normalise_invoice_number('number_as_written') }} as number_key
    from distinct_numbers
    where occurrence = 1

),

referenced_dates as (

    -- The first valid "от" date of the purpose; it applies to every number named.
    select
        payment_id,
        referenced_on
    from (
        select
            payment_id,
            referenced_on,
            row_number() over (partition by payment_id order by match_index) as date_rank
        from reference_matches
        where referenced_on is not null
    ) as dated
    where date_rank = 1

),

---------- numbers resolved to invoices of the payer's ИНН

number_hits as (

    select
        numbers.payment_id,
        numbers.number_index,
        invoices.inn,
        invoices.invoice_number,
        invoices.issued_on,
        referenced_dates.referenced_on,
        count(*) over (partition by numbers.payment_id, numbers.number_index) as n_hits,
        sum(case when invoices.issued_on = referenced_dates.referenced_on then 1 else 0 end)
            over (partition by numbers.payment_id, numbers.number_index) as n_dated_hits
    from numbers
    inner join payments
        on numbers.payment_id = payments.payment_id
    inner join invoices
        on payments.payer_inn = invoices.inn
        and numbers.number_key = invoices.number_key
    left join referenced_dates
        on numbers.payment_id = referenced_dates.payment_id

),

narrowed_hits as (

    -- Same number, several invoices: the "от" date picks those issued that day, if any.
    select *
    from number_hits
    where n_hits = 1
        or n_dated_hits = 0
        or issued_on = referenced_on

),

resolution as (

    -- One row per number: the invoice it resolves to, or why it does not.
    select
        numbers.payment_id,
        numbers.number_index,
        numbers.number_as_written,
        count(narrowed_hits.invoice_number) as n_candidates,
        max(narrowed_hits.inn) as inn,
        max(narrowed_hits.invoice_number) as invoice_number
    from numbers
    left join narrowed_hits
        on numbers.payment_id = narrowed_hits.payment_id
        and numbers.number_index = narrowed_hits.number_index
    group by numbers.payment_id, numbers.number_index, numbers.number_as_written

)

select
    payment_id,
    number_index,
    number_as_written,
    n_candidates,
    inn,
    invoice_number
from resolution
