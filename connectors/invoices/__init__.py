"""Invoice registers ("реестр счетов") exported from 1C or Excel as CSV."""

from connectors.invoices._register import parse_invoice_register

__all__ = ["parse_invoice_register"]
