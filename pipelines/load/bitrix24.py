"""Bitrix24 invoices: the agency's CRM, pulled agency-wide and incrementally (not by day).

Invoices of configured clients (``bitrix24_company_id``) are upserted into the invoice rows of
the raw layer (``raw.invoice_register_rows``, origin ``api:bitrix24/...``), where the inbox's
1C registers also land: whichever loads last has the last word for an invoice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from connectors.bitrix24 import invoice_rows
from connectors.errors import ConnectorError
from connectors.http import redact
from pipelines.load.config import AgencyConfig
from pipelines.load.pull import utc_now
from pipelines.load.sources import SOURCES
from pipelines.load.vendors import BITRIX24_WEBHOOK_ENV, VendorApis
from pipelines.load.warehouse import RawStore, log_load, to_arrow

__all__ = ["InvoicePull", "pull_bitrix24_invoices"]

BITRIX24 = SOURCES["bitrix24"]
KIND = f"api:{BITRIX24.name}"


@dataclass
class InvoicePull:
    """One pull of the agency's Bitrix24 invoices into ``raw.invoice_register_rows``."""

    status: Literal["loaded", "failed", "not_configured"]
    updated_since: dt.date | None = None
    rows: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    """Invoices not loaded because their company is no configured client: company id -> count."""
    error: str | None = None


def pull_bitrix24_invoices(
    *,
    config: AgencyConfig,
    store: RawStore,
    apis: VendorApis,
    full: bool = False,
    overlap_days: int = 3,
) -> InvoicePull:
    """Upsert the Bitrix24 invoices of configured clients (``bitrix24_company_id``).

    Incremental: invoices changed since the last successful pull, less ``overlap_days``
    (everything on the first pull or with ``full``). Invoices of companies that are no
    configured client are counted in ``skipped``, not loaded; an invoice of a configured
    client that cannot be read fails the pull and names it (nothing is loaded then).
    """
    companies = {c.bitrix24_company_id: c for c in config.clients if c.bitrix24_company_id}
    load_id = uuid.uuid4().hex
    client = apis.bitrix24()
    if client is None:
        if not companies:
            return InvoicePull("not_configured")
        error = f"{BITRIX24_WEBHOOK_ENV} is not set, but clients have bitrix24_company_id"
        pull = InvoicePull("failed", error=f"MissingCredentialError: {error}")
        _log_invoice_pull(store, load_id, pull)
        return pull
    last = None if full else store.last_loaded_at(KIND)
    since = last.date() - dt.timedelta(days=overlap_days) if last is not None else None
    try:
        items = client.invoices(updated_since=since)
        ours = [i for i in items if str(i.get("companyId") or "0") in companies]
        skipped = Counter(
            str(i.get("companyId") or "0") for i in items if str(i.get("companyId") or "0") not in companies
        )
        inns = {company: c.inn for company, c in companies.items()}
        loaded_at = utc_now()
        origin = f"api:bitrix24/crm.item.list/{since or 'all'}"
        rows = [
            {
                **row,
                "client_id": companies[str(item["companyId"])].id,
                "_origin": origin,
                "_load_id": load_id,
                "_loaded_at": loaded_at,
            }
            for item, row in zip(ours, invoice_rows(ours, inns), strict=True)
        ]
        table = BITRIX24.raw_table
        with store.transaction():
            n = store.upsert(table, to_arrow(table, rows))
            pull = InvoicePull("loaded", since, n, dict(skipped))
            _log_invoice_pull(store, load_id, pull)
        return pull
    except ConnectorError as exc:
        pull = InvoicePull("failed", since, error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:
        pull = InvoicePull("failed", since, error=redact(f"{type(exc).__name__}: {exc}", apis.secrets()))
    _log_invoice_pull(store, load_id, pull)
    return pull


def _log_invoice_pull(store: RawStore, load_id: str, pull: InvoicePull) -> None:
    log_load(
        store,
        load_id=load_id,
        origin="api:bitrix24/crm.item.list",
        kind=KIND,
        target_table=BITRIX24.raw_table.name,
        status=pull.status,
        row_count=pull.rows,
        date_from=pull.updated_since,
        error=pull.error,
    )
