{{ config(severity='warn') }}

-- Incoming bank payments that match no invoice (see the `payments` mart for the reason). They
-- are kept and shown on the dashboard as "Неразнесённые платежи"; match them by adding the
-- invoice number to the register, or ask the client what the payment was for.

select
    payment_id,
    client_id,
    payer_inn,
    payer_name,
    document_number,
    paid_on,
    amount,
    purpose,
    unmatched_reason_code,
    unmatched_amount_reason_code
from {{ ref('payments') }}
where match_method = 'unmatched'
