"""Excel workbooks (.xlsx): the first sheet as CSV text, for the same header detection as a CSV.

A workbook is a zip archive holding ``xl/workbook.xml``. Only its first sheet is read, with
openpyxl in read-only mode (cell values, not formulas: ``data_only``). Each sheet row becomes one
``;``-separated CSV line, so a line number in an error is the sheet's row number: line breaks
inside a cell are turned into spaces, and rows are numbered from the top of the sheet.

Cells are written the way a Russian CSV export writes them, so one parser reads both: a date
and time as ``DD.MM.YYYY HH:MM:SS``, a date as ``DD.MM.YYYY``, a whole number without ``.0``
(ids and phone numbers Excel stores as numbers), other numbers with a dot, booleans as
``true``/``false``, an empty cell as nothing.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from datetime import date, datetime, time
from decimal import Decimal

from connectors.errors import FormatError

__all__ = ["is_xlsx", "xlsx_to_text"]

_WORKBOOK_PART = "xl/workbook.xml"


def is_xlsx(content: bytes) -> bool:
    """Whether ``content`` is a zip archive holding an Excel workbook (``xl/workbook.xml``)."""
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return _WORKBOOK_PART in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return " ".join(str(value).splitlines())


def xlsx_to_text(content: bytes) -> str:
    """The first sheet of a workbook as ``;``-separated CSV text, one line per sheet row.

    Raises ``FormatError`` for a workbook openpyxl cannot open (damaged, or not really .xlsx).
    openpyxl's warnings about the file (styles it does not know, data validation it drops) are
    about formatting, not values, and are silenced.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _first_sheet_text(content)


def _first_sheet_text(content: bytes) -> str:
    # openpyxl loads when a workbook is read (~0.2 s), not with every parser: a nightly refresh
    # whose inbox holds no new workbook never needs it
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, KeyError, ValueError)
        raise FormatError(f"an Excel workbook that cannot be read: {type(exc).__name__}: {exc}") from None
    try:
        if not workbook.worksheets:
            raise FormatError("the Excel workbook has no sheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong size; read every row and column
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True):
            cells = [_cell_text(value) for value in row]
            while cells and not cells[-1]:
                cells.pop()
            writer.writerow(cells)
        return out.getvalue()
    finally:
        workbook.close()
