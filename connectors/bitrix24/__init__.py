"""Bitrix24 through an incoming webhook: smart invoices (``crm.item.list``, entityTypeId 31)
and leads (``crm.lead.list``); and the leads export saved from the interface."""

from connectors.bitrix24._client import Bitrix24Client, invoice_rows
from connectors.bitrix24._export import KIND as LEADS_EXPORT_KIND
from connectors.bitrix24._export import parse_bitrix24_export
from connectors.bitrix24._leads import KIND as LEADS_KIND
from connectors.bitrix24._leads import LEAD_FIELDS, parse_leads

__all__ = [
    "LEADS_EXPORT_KIND",
    "LEADS_KIND",
    "LEAD_FIELDS",
    "Bitrix24Client",
    "invoice_rows",
    "parse_bitrix24_export",
    "parse_leads",
]
