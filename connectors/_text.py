"""Text helpers shared by the file parsers: encodings and Russian notations of numbers and dates.

The ``parse_*`` functions raise ``ValueError`` with a message that quotes the bad value; the
parsers turn it into a ``FormatError`` naming the line and field (see ``_result.convert``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

from connectors.errors import FormatError

__all__ = [
    "decode_text",
    "local_to_utc",
    "parse_date",
    "parse_iso_date",
    "parse_ru_date",
    "parse_ru_datetime",
    "parse_ru_decimal",
    "parse_ru_int",
    "parse_yes_no",
    "quote",
]

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(content: bytes) -> str:
    """Bytes of a text file -> str: a BOM decides (UTF-8 or UTF-16), else strict UTF-8, else cp1251."""
    if content.startswith(_UTF8_BOM):
        return _decode(content, "utf-8-sig", "UTF-8 (it starts with a UTF-8 byte order mark)")
    if content.startswith(_UTF16_BOMS):
        return _decode(content, "utf-16", "UTF-16 (it starts with a UTF-16 byte order mark)")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decode(content, "cp1251", "UTF-8 or Windows-1251 text")


def _decode(content: bytes, encoding: str, what: str) -> str:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        reason = f"the file is not {what}: undecodable byte at offset {exc.start}"
        raise FormatError(reason, line=line) from None


def quote(value: str, limit: int = 60) -> str:
    """A value quoted for an error message, shortened if long."""
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    return f'"{shown}"'


# Spaces used as thousands separators: space, NBSP, narrow NBSP, thin space.
_GROUP_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")
_CURRENCY_SUFFIXES = ("₽", "руб.", "руб", "р.", "rub", "rur")
_MINUS_SIGNS = ("-", "\u2212")  # hyphen-minus, minus sign
_PLAIN_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_GROUPED_NUMBER = re.compile(r"(?P<int>\d{1,3}(?:(?P<sep>[.,])\d{3})+)(?:(?P<dec>[.,])(?P<frac>\d+))?")


def parse_ru_decimal(s: str) -> Decimal:
    """``"1 234,56 ₽"``, ``"-12.5"``, ``"1 234 567"`` (space/NBSP thousands) -> Decimal.

    A single comma or dot is the decimal separator; several of the same kind are thousands
    separators only in groups of three (``"1.234.567,89"``); anything else is not a number.
    """
    text = s.strip()
    lowered = text.lower()
    for suffix in _CURRENCY_SUFFIXES:
        if lowered.endswith(suffix):
            text = text[: -len(suffix)]
            break
    compact = text.translate(_GROUP_SPACES)
    sign = ""
    if compact.startswith(_MINUS_SIGNS):
        sign, compact = "-", compact[1:]
    elif compact.startswith("+"):
        compact = compact[1:]
    if _PLAIN_NUMBER.fullmatch(compact):
        return Decimal(sign + compact.replace(",", "."))
    grouped = _GROUPED_NUMBER.fullmatch(compact)
    if grouped and grouped["dec"] != grouped["sep"]:
        digits = grouped["int"].replace(grouped["sep"], "")
        fraction = f".{grouped['frac']}" if grouped["frac"] else ""
        return Decimal(sign + digits + fraction)
    raise ValueError(f"{quote(s)} is not a number")


def parse_ru_int(s: str) -> int:
    """Like ``parse_ru_decimal`` but the value must be whole (``"1 234"``, ``"12,00"``)."""
    value = parse_ru_decimal(s)
    if value != value.to_integral_value():
        raise ValueError(f"{quote(s)} is not a whole number")
    return int(value)


_RU_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _make_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_ru_date(s: str) -> date:
    """``"05.03.2026"`` or ``"5.03.2026 0:00:00"`` (time dropped) -> date."""
    m = _RU_DATE.fullmatch(s.strip())
    parsed = _make_date(m[3], m[2], m[1]) if m else None
    if parsed is None:
        raise ValueError(f"{quote(s)} is not a date DD.MM.YYYY")
    return parsed


def parse_iso_date(s: str) -> date:
    """``"2026-03-05"`` -> date."""
    m = _ISO_DATE.fullmatch(s.strip())
    parsed = _make_date(m[1], m[2], m[3]) if m else None
    if parsed is None:
        raise ValueError(f"{quote(s)} is not a date YYYY-MM-DD")
    return parsed


def parse_date(s: str) -> date:
    """Either notation: ``DD.MM.YYYY`` (optionally with a time) or ``YYYY-MM-DD``."""
    try:
        return parse_ru_date(s)
    except ValueError:
        pass
    try:
        return parse_iso_date(s)
    except ValueError:
        raise ValueError(f"{quote(s)} is not a date DD.MM.YYYY or YYYY-MM-DD") from None


_RU_DATETIME = re.compile(
    r"(?P<d>\d{1,2})(?P<sep>[./])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
_ISO_DATETIME = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)


def parse_ru_datetime(s: str) -> datetime:
    """``"14.03.2026 18:52"``, ``"14.03.2026 18:52:13"``, ``"14/03/2026 18:52:13"`` (day first),
    ``"14.03.2026"`` (midnight) or ISO ``"2026-03-14 18:52:13"`` -> a naive datetime."""
    text = s.strip()
    m = _RU_DATETIME.fullmatch(text) or _ISO_DATETIME.fullmatch(text)
    if m is not None:
        try:
            return datetime(
                int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0)
            )
        except ValueError:
            pass
    raise ValueError(f"{quote(s)} is not a date and time DD.MM.YYYY HH:MM(:SS)")


def local_to_utc(moment: datetime, zone: tzinfo) -> datetime:
    """A naive local time in ``zone`` -> the naive UTC time (the project's convention)."""
    return moment.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


_YES = frozenset({"да", "yes", "true", "1"})
_NO = frozenset({"нет", "no", "false", "0"})


def parse_yes_no(s: str) -> bool | None:
    """``"Да"``/``"Нет"`` (also yes/no, true/false, 1/0) -> bool; empty or a dash -> None."""
    text = s.strip().lower()
    if text in ("", "-", "—", "–"):
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"{quote(s)} is not Да or Нет")


def record_id(value: str, what: str = "ID") -> int:
    """A CRM record's id in an export cell: a whole number (``what`` names it in the error)."""
    text = value.strip()
    if not text:
        raise ValueError(f"the {what} is empty")
    if not text.isdigit():
        raise ValueError(f"{quote(value)} is not a {what} (a whole number)")
    return int(text)


def text_or_none(value: str) -> str | None:
    """An export cell's text, stripped; None when empty."""
    return value.strip() or None
