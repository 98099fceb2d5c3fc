"""Bitrix24: smart invoices (``crm.item.list``, entityTypeId 31) through an incoming webhook."""

from connectors.bitrix24._client import Bitrix24Client, invoice_rows

__all__ = ["Bitrix24Client", "invoice_rows"]
