"""A built-in demo agency: a deterministic simulator of a believable Russian digital agency.

It produces its data only as files in the vendors' real export formats, dropped into an inbox
(Yandex.Direct TSV, VK Ads JSON, a Google Ads cabinet CSV, Calltouch and CoMagic calls JSON,
1C invoice registers), plus the agency configuration YAML. The pipeline then parses them with
the same code real exports go through. It never writes to a database.

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
    AdDayTruth,
    CallDayTruth,
    CallTruth,
    ClientTotals,
    GroundTruth,
    InvoiceTruth,
    channel_for,
    ground_truth,
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
    "config_yaml",
    "ground_truth",
    "simulate",
    "unique_flags",
    "write_demo",
]
