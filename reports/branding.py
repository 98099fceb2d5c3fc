"""How the agency's reports look: its name, logo, colour and contact line.

The values come from the configuration's ``agency.branding`` block (see
:func:`reports.configuration.read_agency`); :class:`Branding` itself is plain data so that the
renderers and their tests need no configuration file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_COLOR", "Branding"]

DEFAULT_COLOR = "#1F4E79"


@dataclass(frozen=True)
class Branding:
    agency_name: str | None = None
    """Printed in every page's header (and the workbook's properties)."""
    logo: Path | None = None
    """A PNG or JPEG file, printed at the left of every page's header."""
    primary_color: str = DEFAULT_COLOR
    """``#RRGGBB``: headings, table headers, the header's rule, the chart's bars."""
    contact_line: str | None = None
    """Printed at the foot of every page."""
