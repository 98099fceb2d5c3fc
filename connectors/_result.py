"""What every file parser returns, and the helper that ties a bad value to its line and field."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from connectors.errors import FormatError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ParseResult", "TableResult", "convert", "date_chunks", "date_span"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class ParseResult:
    """Rows of one file, ready for its raw table.

    Each row has exactly the raw table's columns minus ``client_id``, ``account_id`` and the
    lineage columns, plus ``_origin_line`` (1-based line of a text file, 1-based record index
    of a JSON file). ``date_from``/``date_to`` is the period the file covers: the period a
    report states about itself where it does, else the first and last row date; None for a
    file without dates (or without rows).
    """

    kind: str
    rows: list[dict[str, object]]
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class TableResult:
    """Rows of one file as an Arrow table: what a fast parser gives instead of a ParseResult.

    The same rows, columns and period as the ``ParseResult`` of the same file (its columns are
    a ``ParseResult`` row's keys, ``_origin_line`` included); no Python object per value.
    """

    kind: str
    table: pa.Table
    date_from: date | None = None
    date_to: date | None = None


def date_span(days: Iterable[object]) -> tuple[date | None, date | None]:
    """First and last of the dates among ``days`` (other values are skipped)."""
    found = [d for d in days if isinstance(d, date)]
    if not found:
        return None, None
    return min(found), max(found)


def convert(parse: Callable[[T], R], value: T, *, line: int | None = None, field: str | None = None) -> R:
    """``parse(value)``, with a ValueError turned into a FormatError at ``line``/``field``."""
    try:
        return parse(value)
    except ValueError as exc:
        raise FormatError(str(exc), line=line, field=field) from None


def date_chunks(date_from: date, date_to: date, max_days: int) -> Iterator[tuple[date, date]]:
    """``date_from..date_to`` (inclusive) cut into consecutive periods of at most ``max_days``."""
    start = date_from
    while start <= date_to:
        end = min(date_to, start + timedelta(days=max_days - 1))
        yield start, end
        start = end + timedelta(days=1)


def created_span_result(
    kind: str, rows: list[dict[str, object]], period: tuple[date | None, date | None] | None = None
) -> ParseResult:
    """Rows of records with a ``created_at`` datetime (CRM leads): the period is the one asked
    for, or else the first and last creation day among the rows."""
    if period is None:
        period = date_span(
            row["created_at"].date() for row in rows if isinstance(row["created_at"], datetime)
        )
    return ParseResult(kind=kind, rows=rows, date_from=period[0], date_to=period[1])
