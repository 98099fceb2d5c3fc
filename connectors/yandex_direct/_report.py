"""Parser of the Reports service TSV body (CAMPAIGN_PERFORMANCE_REPORT and the like).

Body layout, each part optional (``skipReportHeader``/``skipColumnHeader``/``skipReportSummary``)::

    "<ReportName> (<YYYY-MM-DD> - <YYYY-MM-DD>)"      title line
    Date<TAB>CampaignId<TAB>...                       header line (FieldNames in request order)
    2024-03-01<TAB>104693586<TAB>...                  data rows
    Total rows: 3                                     summary line

``--`` means "no value". Money is in micros (x 1 000 000) unless the request said
``returnMoneyInMicros: false``; then it is a decimal with a dot, and is converted to micros here.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from connectors._result import ParseResult, convert, date_span
from connectors._text import decode_text, parse_iso_date, quote
from connectors.errors import FormatError

__all__ = ["DEFAULT_FIELD_NAMES", "KIND", "REQUIRED_FIELD_NAMES", "looks_like_report", "parse_report_tsv"]

KIND = "yandex_direct_tsv"

DEFAULT_FIELD_NAMES: tuple[str, ...] = (
    "Date",
    "CampaignId",
    "CampaignName",
    "CampaignType",
    "Impressions",
    "Clicks",
    "Cost",
    "Conversions",
)
"""The FieldNames we request, in order: the columns of a report sent without its header line."""

REQUIRED_FIELD_NAMES: tuple[str, ...] = ("Date", "CampaignId", "Impressions", "Clicks", "Cost")

NULL = "--"
_TITLE = re.compile(r'"(?P<name>.*) \((?P<start>\d{4}-\d{2}-\d{2}) - (?P<end>\d{4}-\d{2}-\d{2})\)"')
_SUMMARY = re.compile(r"Total rows: (\d+)")
_FIELD_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# With Goals + AttributionModels, Conversions splits into Conversions_<goal>_<model>.
_GOAL_CONVERSIONS = re.compile(r"Conversions_(?P<goal>\d+)_(?P<model>\w+)")
_INT = re.compile(r"-?\d+")
_DOTTED_MONEY = re.compile(r"-?\d+\.\d+")
_MICROS = Decimal(1_000_000)


def _lines(text: str) -> list[tuple[int, str]]:
    """Non-empty lines with their 1-based numbers; a CR before the LF is dropped, nothing else."""
    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if line:
            out.append((number, line))
    return out


def _is_title(line: str) -> bool:
    return line.startswith('"') and "\t" not in line


def _is_header(line: str) -> bool:
    return all(_FIELD_NAME.fullmatch(name) for name in line.split("\t"))


def _first_lines(text: str, count: int) -> list[str]:
    """The first ``count`` non-empty lines (as ``_lines`` gives them), without splitting the rest."""
    out: list[str] = []
    start = 0
    while len(out) < count and start <= len(text):
        stop = text.find("\n", start)
        stop = len(text) if stop < 0 else stop
        line = text[start:stop].removesuffix("\r")
        if line:
            out.append(line)
        start = stop + 1
    return out


def looks_like_report(text: str) -> bool:
    """Whether text is a Direct TSV report: title, header with Date/CampaignId, or data shape."""
    lines = _first_lines(text, 3)
    if not lines:
        return False
    if _TITLE.fullmatch(lines[0]) or _SUMMARY.fullmatch(lines[0]):
        return True
    for line in lines[:2]:
        fields = line.split("\t")
        if "Date" in fields and "CampaignId" in fields:
            return True
        data_shaped = len(fields) >= len(REQUIRED_FIELD_NAMES) and bool(_ISO_DATE.fullmatch(fields[0]))
        if data_shaped and fields[1].isdigit():
            return True
    return False


class _Columns:
    """Where each field we keep sits in the rows."""

    def __init__(self, names: tuple[str, ...], header_line: int | None) -> None:
        self.names = names
        index: dict[str, int] = {}
        for position, name in enumerate(names):
            index.setdefault(name, position)
        missing = [name for name in REQUIRED_FIELD_NAMES if name not in index]
        if missing:
            required = ", ".join(REQUIRED_FIELD_NAMES)
            raise FormatError(
                f"the report has no {', '.join(missing)} column (required: {required})", line=header_line
            )
        self.index = index
        self.conversions = self._conversion_columns(names, index)

    @staticmethod
    def _conversion_columns(names: tuple[str, ...], index: dict[str, int]) -> list[int]:
        if "Conversions" in index:
            return [index["Conversions"]]
        # Per-goal columns: summed over goals, for the first attribution model only (summing over
        # models would count the same conversion once per model).
        per_goal = [
            (position, m["model"])
            for position, name in enumerate(names)
            if (m := _GOAL_CONVERSIONS.fullmatch(name))
        ]
        if not per_goal:
            return []
        model = per_goal[0][1]
        return [position for position, m in per_goal if m == model]


def _title_period(line: str, number: int) -> tuple[date | None, date | None]:
    m = _TITLE.fullmatch(line)
    if m is None:
        return None, None
    start = convert(parse_iso_date, m["start"], line=number, field="title")
    end = convert(parse_iso_date, m["end"], line=number, field="title")
    if end < start:
        raise FormatError(f"the report period ends ({end}) before it starts ({start})", line=number)
    return start, end


def _count(value: str) -> int | None:
    if value == NULL:
        return None
    if not _INT.fullmatch(value):
        raise ValueError(f"{quote(value)} is not a whole number")
    return int(value)


def _campaign_id(value: str) -> str:
    if not value.isdigit():
        raise ValueError(f"{quote(value)} is not a campaign id (digits)")
    return value


def _micros(value: str, in_micros: bool) -> int | None:
    if value == NULL:
        return None
    if in_micros:
        if not _INT.fullmatch(value):
            raise ValueError(f"{quote(value)} is not an amount in micros (a whole number)")
        return int(value)
    if not (_DOTTED_MONEY.fullmatch(value) or _INT.fullmatch(value)):
        raise ValueError(f"{quote(value)} is not an amount")
    return int((Decimal(value) * _MICROS).to_integral_value(rounding=ROUND_HALF_UP))


def _text(value: str) -> str | None:
    return None if value == NULL else value


def _row(
    number: int, fields: list[str], cols: _Columns, in_micros: bool, period: tuple[date, date] | None
) -> dict[str, object]:
    def get(name: str) -> str | None:
        position = cols.index.get(name)
        return None if position is None else fields[position]

    def cell(name: str) -> str:
        return fields[cols.index[name]]

    conversions: int | None = None
    for position in cols.conversions:
        value = convert(_count, fields[position], line=number, field=cols.names[position])
        if value is not None:
            conversions = (conversions or 0) + value
    day = convert(parse_iso_date, cell("Date"), line=number, field="Date")
    if period is not None and not period[0] <= day <= period[1]:
        raise FormatError(
            f"{day} is outside the report period {period[0]} - {period[1]} stated in the title",
            line=number,
            field="Date",
        )
    name, campaign_type = get("CampaignName"), get("CampaignType")
    return {
        "date": day,
        "campaign_id": convert(_campaign_id, cell("CampaignId"), line=number, field="CampaignId"),
        "campaign_name": None if name is None else _text(name),
        "campaign_type": None if campaign_type is None else _text(campaign_type),
        "impressions": convert(_count, cell("Impressions"), line=number, field="Impressions"),
        "clicks": convert(_count, cell("Clicks"), line=number, field="Clicks"),
        "cost_micros": convert(lambda v: _micros(v, in_micros), cell("Cost"), line=number, field="Cost"),
        "conversions": conversions,
        "_origin_line": number,
    }


def parse_report_tsv(content: bytes) -> ParseResult:
    """A Reports service TSV body -> rows of ``yandex_direct_campaign_stats``.

    Campaign names are kept exactly (leading spaces, ``|``). Raises ``FormatError`` for a row
    with the wrong number of fields, a bad value, or a ``Total rows: N`` summary that disagrees
    with the rows received (a truncated report).
    """
    lines = _lines(decode_text(content))
    position = 0
    date_from: date | None = None
    date_to: date | None = None
    if lines and _is_title(lines[0][1]):
        date_from, date_to = _title_period(lines[0][1], lines[0][0])
        position = 1
    names, header_line = DEFAULT_FIELD_NAMES, None
    if position < len(lines) and _is_header(lines[position][1]):
        header_line, header = lines[position]
        names = tuple(header.split("\t"))
        position += 1
    cols = _Columns(names, header_line)

    data: list[tuple[int, list[str]]] = []
    summary: tuple[int, int] | None = None
    for number, line in lines[position:]:
        if summary is not None:
            raise FormatError("unexpected text after the 'Total rows' summary line", line=number)
        if m := _SUMMARY.fullmatch(line):
            summary = (number, int(m[1]))
            continue
        fields = line.split("\t")
        if len(fields) != len(names):
            origin = "the header" if header_line else "the default field order (the report has no header)"
            reason = f"{len(fields)} tab-separated fields, expected {len(names)} as in {origin}"
            raise FormatError(reason, line=number)
        data.append((number, fields))
    if summary is not None and summary[1] != len(data):
        raise FormatError(
            f"the report says 'Total rows: {summary[1]}' but has {len(data)} data rows: "
            "it was truncated or edited; download it again",
            line=summary[0],
        )

    cost = cols.index["Cost"]
    in_micros = not any("." in fields[cost] for _, fields in data)
    period = (date_from, date_to) if date_from is not None and date_to is not None else None
    rows = [_row(number, fields, cols, in_micros, period) for number, fields in data]
    if period is None:
        date_from, date_to = date_span(row["date"] for row in rows)
    return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)
