"""A built-in demo agency: a deterministic simulator of a believable Russian digital agency.

It produces its data only as files in the vendors' real export formats, dropped into an inbox
(Yandex.Direct TSV, VK Ads JSON, a Google Ads cabinet CSV, Calltouch and CoMagic calls JSON,
1C invoice registers), plus the agency configuration YAML. The pipeline then parses them with
the same code real exports go through. It never writes to a database.

    >>> agency = simulate(date(2026, 11, 17))          # the world model
    >>> written = agency.write(Path("data/demo"))       # agency.yaml + inbox/...
    >>> truth = agency.ground_truth()                   # what the marts must show

CLI: ``python -m demo_agency --out data/demo [--today YYYY-MM-DD] [--seed 7]``.
"""

from demo_agency._layout import WrittenDemo
from demo_agency._simulate import simulate
from demo_agency._truth import (
    AdDayTruth,
    CallDayTruth,
    CallTruth,
    ClientTotals,
    GroundTruth,
    InvoiceTruth,
    channel_for,
    unique_flags,
)
from demo_agency.model import Agency

__all__ = [
    "AdDayTruth",
    "Agency",
    "CallDayTruth",
    "CallTruth",
    "ClientTotals",
    "GroundTruth",
    "InvoiceTruth",
    "WrittenDemo",
    "channel_for",
    "simulate",
    "unique_flags",
]
