"""Reading the CSV exports people make from Excel, 1C and ad cabinets.

Such files may start with preamble lines (a title, the period, a blank line) before the header,
so the header is found by its column names, for each candidate delimiter (``;``, tab, ``,``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TypeVar

from connectors._result import convert
from connectors._text import local_to_utc, parse_ru_datetime
from connectors.errors import FormatError

__all__ = [
    "HeaderMatcher",
    "Table",
    "find_table",
    "is_blank",
    "is_totals",
    "local_moment",
    "match_titles",
    "normalise_header",
    "optional",
    "required_local_moment",
]

T = TypeVar("T")

HeaderMatcher = Callable[[list[str]], dict[str, int] | None]
"""Header cells -> {field: column index} if these cells are the header we look for, else None."""

_DELIMITERS = (";", "\t", ",")
_DELIMITER_NAMES = {";": "';'", "\t": "a tab", ",": "','"}
_CURRENCY_QUALIFIER = re.compile(r"\s*(?:,\s*|\(\s*)?(?:руб\.?|₽|rub)\s*\)?$")
_TOTALS = ("итого", "всего")
_EMPTY = frozenset({"", "-", "—", "–"})  # hyphen, em dash, en dash: what exports print for "none"


def normalise_header(cell: str) -> str:
    """``" Сумма,  руб. "`` -> ``"сумма"``: lower case, ё -> е, single spaces, no currency."""
    text = cell.replace("\u00a0", " ").replace("ё", "е").replace("Ё", "Е").strip().strip('"').lower()
    text = text.replace("№", "№ ")
    text = " ".join(text.split()).rstrip(":*").strip()
    return _CURRENCY_QUALIFIER.sub("", text).strip()


@dataclass(frozen=True)
class Table:
    """A header found in a file, and the records after it with their 1-based line numbers."""

    delimiter: str
    header_line: int
    header: list[str]
    columns: dict[str, int]
    records: list[tuple[int, list[str]]]

    def cell(self, cells: list[str], name: str) -> str:
        """The value of field ``name`` in ``cells`` ("" when the column or the cell is absent)."""
        index = self.columns.get(name)
        return "" if index is None or index >= len(cells) else cells[index]

    def value(self, line: int, cells: list[str], name: str, parse: Callable[[str], T]) -> T | None:
        """``parse`` of field ``name``, None if the file lacks that column; errors name line and column."""
        if name not in self.columns:
            return None
        return convert(parse, self.cell(cells, name), line=line, field=self.label(name))

    def first_filled(self, cells: list[str], names: tuple[str, ...]) -> str | None:
        """The first non-empty value among fields ``names`` (in that order), trimmed; else None."""
        for name in names:
            text = self.cell(cells, name).strip()
            if text:
                return text
        return None

    def label(self, name: str) -> str:
        """The column's title as written in the file (for error messages)."""
        return self.header[self.columns[name]].strip()

    def check_width(self, line: int, cells: list[str]) -> None:
        """A record with more non-empty cells than the header means an unquoted delimiter."""
        if len(cells) > len(self.header) and any(c.strip() for c in cells[len(self.header) :]):
            raise FormatError(
                f"{len(cells)} values but the header has {len(self.header)} columns: a value probably "
                f"contains the separator {_DELIMITER_NAMES[self.delimiter]} without quotes",
                line=line,
            )


def match_titles(cells: list[str], titles: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """{field: index of the first cell whose normalised title is one of the field's ``titles``}.

    ``titles`` are written normalised (lower case, ``е`` for ``ё``); a field none of whose titles
    is in the header is left out.
    """
    names = [normalise_header(cell) for cell in cells]
    found: dict[str, int] = {}
    for field, options in titles.items():
        index = next((names.index(title) for title in options if title in names), None)
        if index is not None:
            found[field] = index
    return found


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    consumed = 0
    try:
        for cells in reader:
            yield consumed + 1, cells
            consumed = reader.line_num
    except csv.Error as exc:
        raise FormatError(f"unreadable CSV: {exc}", line=consumed + 1) from None


def find_table(text: str, match: HeaderMatcher) -> Table | None:
    """The first header ``match`` accepts, trying each delimiter; the earliest header wins."""
    best: Table | None = None
    for delimiter in _DELIMITERS:
        records = list(_records(text, delimiter))
        for position, (line, cells) in enumerate(records):
            columns = match(cells)
            if columns is None:
                continue
            if best is None or (line, -len(cells)) < (best.header_line, -len(best.header)):
                best = Table(delimiter, line, cells, columns, records[position + 1 :])
            break
    return best


def is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def is_totals(cells: list[str]) -> bool:
    """A footer row: its first non-empty cell starts with "Итого" or "Всего"."""
    first = next((c.strip().lower() for c in cells if c.strip()), "")
    return first.startswith(_TOTALS)


def optional(parse: Callable[[str], T]) -> Callable[[str], T | None]:
    """``parse``, except that an empty cell (or a dash) is None."""

    def parse_optional(value: str) -> T | None:
        return None if value.strip() in _EMPTY else parse(value)

    return parse_optional


def local_moment(zone: tzinfo) -> Callable[[str], datetime | None]:
    """A cell parser: a local date and time (``DD.MM.YYYY HH:MM[:SS]``) in ``zone`` as naive
    UTC, None for an empty cell."""
    parse = optional(parse_ru_datetime)

    def parse_moment(value: str) -> datetime | None:
        local = parse(value)
        return None if local is None else local_to_utc(local, zone)

    return parse_moment


def required_local_moment(zone: tzinfo, what: str) -> Callable[[str], datetime]:
    """:func:`local_moment` for a cell that must be filled (``what`` names it when it is not)."""

    def parse_moment(value: str) -> datetime:
        if not value.strip():
            raise ValueError(f"the {what} is empty")
        return local_to_utc(parse_ru_datetime(value), zone)

    return parse_moment
