"""1C bank statements (``1CClientBankExchange``) and matching their payments to invoices."""

from connectors.bank_statement._matching import Invoice, MatchMethod, Payment, PaymentMatch, match_payments
from connectors.bank_statement._statement import KIND, looks_like_bank_statement, parse_bank_statement

__all__ = [
    "KIND",
    "Invoice",
    "MatchMethod",
    "Payment",
    "PaymentMatch",
    "looks_like_bank_statement",
    "match_payments",
    "parse_bank_statement",
]
