{#
    The configured client of a row that carries a client id (the loader's ИНН match) and an ИНН:
    the loader's client when it is still configured, else the only configured client with that
    ИНН (NULL when none has it, or several do). `clients` is a relation or CTE with client_id and
    inn (stg_agency__clients). Used by int_invoices and int_payment_matches so that an invoice
    and a payment of the same ИНН always land on the same client.
#}
{% macro client_by_inn(client_id_expr, inn_expr, clients='clients') -%}
    coalesce(
        (
            select configured.client_id
            from {{ clients }} as configured
            where configured.client_id = {{ client_id_expr }}
        ),
        (
            select min(by_inn.client_id)
            from {{ clients }} as by_inn
            where by_inn.inn = {{ inn_expr }}
            having count(*) = 1
        )
    )
{%- endmacro %}
