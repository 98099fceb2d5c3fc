"""1C bank statements (``1CClientBankExchange``).

Matching their incoming payments to invoices happens in dbt (``int_payment_matches``).
"""

from connectors.bank_statement._statement import KIND, looks_like_bank_statement, parse_bank_statement

__all__ = [
    "KIND",
    "looks_like_bank_statement",
    "parse_bank_statement",
]
