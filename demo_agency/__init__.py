"""A built-in demo agency: a deterministic simulator of a believable Russian digital agency.

It produces its data as files in the vendors' real export formats, dropped into an inbox
(Yandex.Direct TSV, VK Ads JSON, a Google Ads cabinet CSV, Calltouch and CoMagic calls JSON,
Calltouch requests, Metrika, amoCRM and Bitrix24 lead JSON, 1C invoice registers), or serves
them from fake vendor APIs (:mod:`demo_agency.vendors`), plus the agency configuration YAML.
The pipeline then reads them with the same code real data goes through. It never writes to a
database. The ground truth (:func:`ground_truth`) includes the lead ledger: leads from calls,
forms, chats, Metrika goals and CRM deals merged per person (THE LEDGER RULE).

    >>> agency = simulate(date(2026, 11, 17))          # the world model
    >>> written = write_demo(agency, Path("data/demo"))  # agency.yaml + inbox/...
    >>> truth = ground_truth(agency)                      # what the marts must show
    >>> text = config_yaml(agency)                        # the agency configuration alone

The model (:mod:`demo_agency.model`) is data only; these operations live in their own modules
(``_layout``, ``_truth``), which import the model and never the other way round.

CLI: ``python -m demo_agency --out data/demo [--today YYYY-MM-DD] [--seed 7]``.
"""

from demo_agency._layout import WrittenDemo, config_yaml, write_demo
from demo_agency._simulate import simulate
from demo_agency._truth import (
    DEFAULT_LEAD_PRIORITY,
    LEAD_TYPES,
    AdDayTruth,
    CallDayTruth,
    CallTruth,
    ClientTotals,
    GroundTruth,
    InvoiceTruth,
    LeadDayTruth,
    LeadEvent,
    LeadMonthTruth,
    LeadReconciliationTruth,
    LeadRecord,
    LedgerLead,
    channel_for,
    contact_key,
    ground_truth,
    lead_ledger,
    lead_priority,
    lead_records,
    unique_flags,
)
from demo_agency.model import Agency

__all__ = [
    "DEFAULT_LEAD_PRIORITY",
    "LEAD_TYPES",
    "AdDayTruth",
    "Agency",
    "CallDayTruth",
    "CallTruth",
    "ClientTotals",
    "GroundTruth",
    "InvoiceTruth",
    "LeadDayTruth",
    "LeadEvent",
    "LeadMonthTruth",
    "LeadReconciliationTruth",
    "LeadRecord",
    "LedgerLead",
    "WrittenDemo",
    "channel_for",
    "config_yaml",
    "contact_key",
    "ground_truth",
    "lead_ledger",
    "lead_priority",
    "lead_records",
    "simulate",
    "unique_flags",
    "write_demo",
]
