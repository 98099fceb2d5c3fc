"""Bitrix24 through an incoming webhook: smart invoices (``crm.item.list``, entityTypeId 31)
and leads (``crm.lead.list``)."""

from connectors.bitrix24._client import Bitrix24Client, invoice_rows
from connectors.bitrix24._leads import KIND as LEADS_KIND
from connectors.bitrix24._leads import LEAD_FIELDS, parse_leads

__all__ = ["LEADS_KIND", "LEAD_FIELDS", "Bitrix24Client", "invoice_rows", "parse_leads"]
