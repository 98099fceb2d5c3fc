"""The report as an Excel workbook (openpyxl): one sheet per section, numbers as numbers.

Every value is written as the number it is (money, counts, ratios as fractions, dates as dates)
with an Excel number format, so the client can sum, sort and chart it; Excel shows it the way
the user's locale writes numbers (a Russian Excel: ``1 234 567,89 ₽``, ``12,3 %``). A missing
value ("—" in the PDF) is the text "—". Every sheet's header row is frozen (and its first
column where it names the rows), columns are as wide as their contents, and totals rows are
bold. The figures are those of the PDF: both come from one :class:`~reports.content.ReportContent`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Final

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dashboard import fmt
from dashboard.fmt import Lang
from dashboard.i18n import t
from reports.branding import Branding
from reports.content import Kind, ReportContent, Table, format_value

__all__ = ["NUMBER_FORMATS", "number_format", "render_xlsx"]

NUMBER_FORMATS: Final[dict[Lang, dict[Kind, str]]] = {
    "ru": {
        "money": '#,##0.00\\ "₽"',
        "money0": '#,##0\\ "₽"',
        "int": "#,##0",
        "pct": "0.0%",
        "pct0": "0%",
        "pct2": "0.00%",
        "delta": "+0.0%;-0.0%;0.0%",
        "date": "dd.mm.yyyy",
        "text": "@",
    },
    "en": {
        "money": '"₽"#,##0.00',
        "money0": '"₽"#,##0',
        "int": "#,##0",
        "pct": "0.0%",
        "pct0": "0%",
        "pct2": "0.00%",
        "delta": "+0.0%;-0.0%;0.0%",
        "date": "d mmm yyyy",
        "text": "@",
    },
}
"""Excel number formats per kind. Format codes are locale-neutral (``,`` groups thousands and
``.`` marks decimals in the code); Excel displays them with the reader's own separators."""

_SHEETS: Final[dict[str, str]] = {
    "results": "sheet_results",
    "leads": "sheet_leads",
    "daily": "sheet_daily",
    "plan": "sheet_plan",
    "campaigns": "sheet_campaigns",
    "passport": "sheet_passport",
}
_FIRST_COLUMN_NAMES_ROWS: Final = frozenset({"results", "leads", "daily", "plan", "campaigns"})
_MAX_WIDTH: Final = 60


def number_format(kind: Kind, lang: Lang) -> str:
    return NUMBER_FORMATS[lang][kind]


def _cell_value(value: object, kind: Kind) -> object:
    """What a cell holds: the number (a float or an int), a date, or text; "—" when missing."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return fmt.MISSING
    if kind == "text":
        return str(value)
    if kind == "date":
        if isinstance(value, pd.Timestamp):
            return value.date()
        return value if isinstance(value, dt.date) else str(value)
    if kind == "int":
        return int(value)  # type: ignore[call-overload]
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)


class _Writer:
    def __init__(self, lang: Lang, branding: Branding) -> None:
        self.lang = lang
        color = branding.primary_color.lstrip("#").upper()
        self.header_font = Font(bold=True, color="FFFFFF")
        self.header_fill = PatternFill("solid", fgColor=color)
        self.title_font = Font(bold=True, size=14, color=color)
        self.bold = Font(bold=True)
        self.muted = Font(color="6B7280")
        self.total_border = Border(top=Side(style="thin", color="222222"))
        self.wrap = Alignment(wrap_text=True, vertical="top")

    def header(self, sheet: Worksheet, row: int, columns: Sequence[str]) -> None:
        for index, name in enumerate(columns, start=1):
            cell = sheet.cell(row=row, column=index, value=name)
            cell.font = self.header_font
            cell.fill = self.header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def table(self, sheet: Worksheet, table: Table, first_row: int = 1) -> int:
        """Write ``table`` with its header at ``first_row``; returns the row after it."""
        columns = list(table.frame.columns)
        self.header(sheet, first_row, columns)
        last = len(table.frame) - 1
        for offset, values in enumerate(table.frame.itertuples(index=False)):
            row = first_row + 1 + offset
            for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
                kind = table.kind(column)
                cell = sheet.cell(row=row, column=index, value=_cell_value(value, kind))
                if cell.value == fmt.MISSING:
                    cell.alignment = Alignment(horizontal="right")
                elif kind != "text":
                    cell.number_format = number_format(kind, self.lang)
                if table.total_row and offset == last:
                    cell.font = self.bold
                    cell.border = self.total_border
        self.widths(sheet, table)
        return first_row + len(table.frame) + 1

    def widths(self, sheet: Worksheet, table: Table) -> None:
        for index, column in enumerate(table.frame.columns, start=1):
            kind = table.kind(column)
            shown = [format_value(v, kind, self.lang) for v in table.frame[column]]
            widest = max([len(str(column)) * 0.9, *(len(s) for s in shown)], default=8)
            letter = get_column_letter(index)
            current = sheet.column_dimensions[letter].width or 0
            sheet.column_dimensions[letter].width = max(current, min(widest + 3, _MAX_WIDTH))


def _summary(workbook: Workbook, content: ReportContent, writer: _Writer) -> None:
    lang = content.lang
    sheet = workbook.active
    assert sheet is not None
    sheet.title = t("sheet_summary", lang)
    sheet["A1"] = f"{content.client_name}: {content.period_line}"
    sheet["A1"].font = writer.title_font
    sheet["A2"] = " ".join((*content.notes, content.data_line))
    sheet["A2"].font = writer.muted
    columns = [
        t("col_metric", lang),
        t("col_value", lang),
        t("col_previous", lang),
        t("col_change", lang),
        t("col_year_ago", lang),
        t("col_change_year", lang),
    ]
    # One row per metric, each in its own format: write the cards by hand.
    header_row = 4
    writer.header(sheet, header_row, columns)
    for offset, card in enumerate(content.cards):
        row = header_row + 1 + offset
        sheet.cell(row=row, column=1, value=card.label)
        for column, (value, kind) in enumerate(
            (
                (card.value, card.kind),
                (card.previous, card.kind),
                (card.change_previous, "delta"),
                (card.year_ago, card.kind),
                (card.change_year, "delta"),
            ),
            start=2,
        ):
            cell = sheet.cell(row=row, column=column, value=_cell_value(value, kind))
            if cell.value == fmt.MISSING:
                cell.alignment = Alignment(horizontal="right")
            else:
                cell.number_format = number_format(kind, lang)
    labels = [len(card.label) for card in content.cards]
    for index, name in enumerate(columns, start=1):
        widest = max([len(name), *labels]) if index == 1 else max(len(name), 14)
        sheet.column_dimensions[get_column_letter(index)].width = widest + 4
    row = header_row + len(content.cards) + 2
    lines: list[tuple[str, bool]] = []
    if content.leads_by_type:
        lines.append((content.leads_by_type, False))
    if content.no_data:
        lines.append((content.no_data, True))
    if content.summary:
        lines.append((t("summary_title", lang), True))
        lines += [(f"• {s}", False) for s in content.summary]
    lines.append((t("freshness_title", lang), True))
    lines += [(line, False) for line in content.freshness]
    for text, bold in lines:
        cell = sheet.cell(row=row, column=1, value=text)
        if bold:
            cell.font = writer.bold
        row += 1
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)


def _passport(workbook: Workbook, content: ReportContent, writer: _Writer) -> None:
    sheet = workbook.create_sheet(t("sheet_passport", content.lang))
    end = writer.table(sheet, content.passport)
    sheet.freeze_panes = "A2"
    sheet.cell(row=end + 1, column=1, value=content.passport_intro).font = writer.muted
    for row in sheet.iter_rows(min_row=2, max_row=end - 1):
        for cell in row:
            cell.alignment = writer.wrap
    sheet.column_dimensions["B"].width = 70


def render_xlsx(content: ReportContent, branding: Branding) -> bytes:
    """The report as .xlsx bytes."""
    lang = content.lang
    writer = _Writer(lang, branding)
    workbook = Workbook()
    _summary(workbook, content, writer)
    for table in content.tables:
        sheet = workbook.create_sheet(t(_SHEETS[table.key], lang))
        end = writer.table(sheet, table)
        sheet.freeze_panes = "B2" if table.key in _FIRST_COLUMN_NAMES_ROWS else "A2"
        if table.note:
            sheet.cell(row=end + 1, column=1, value=table.note).font = writer.muted
    _passport(workbook, content, writer)
    properties = workbook.properties
    properties.title = f"{content.title}: {content.client_name}, {content.period_line}"
    properties.creator = branding.agency_name or "agency-reporting"
    properties.lastModifiedBy = properties.creator
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
