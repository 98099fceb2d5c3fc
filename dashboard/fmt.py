"""Number and date formatting for people: Russian by default, English on request.

Russian (``ru``) follows the Russian typographic convention:

- money ``1 234 567,89 ₽``: groups of three separated by a no-break space (U+00A0), a decimal
  comma and a no-break space before the ruble sign;
- integers ``1 234 567``; percents ``12,3 %``; signed deltas ``+12,3 %``; dates ``23.11.2026``.

English (``en``) uses the currency-symbol-first style of English money: ``₽1,234,567.89``
(``-₽1,234.00`` when negative), integers ``1,234,567``, percents ``12.3%``, dates ``23 Nov 2026``.

Negative numbers use the ASCII hyphen-minus so that ``st.metric`` recognises a negative delta.
Missing values (``None``, NaN, pandas NA) and ratios with a zero denominator render as an em dash.
All functions are pure. Rounding is half-up on the decimal value (``0.125`` -> ``0,13``), never
binary float rounding.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "MISSING",
    "Lang",
    "date",
    "date_range",
    "date_time",
    "datetime_msk",
    "delta_percent",
    "integer",
    "money",
    "number",
    "percent",
]

Lang = Literal["ru", "en"]

MISSING = "—"
NBSP = "\u00a0"
RUBLE = "₽"
MOSCOW = ZoneInfo("Europe/Moscow")

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _to_decimal(value: object) -> Decimal | None:
    """The value as a Decimal, or None when it is missing (None, NaN, NA, NaT) or not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # numpy's float64 too, whose repr is "np.float64(0.95)"
        return Decimal(repr(float(value))) if math.isfinite(value) else None
    try:  # numpy scalars and the like
        as_float = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(as_float):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(repr(as_float))


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def _plain(value: Decimal, decimals: int, lang: Lang) -> tuple[str, bool]:
    """Unsigned grouped digits of |value| rounded half-up, and whether the rounded value is < 0."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    negative = rounded < 0
    text = f"{abs(rounded):f}"
    whole, _, frac = text.partition(".")
    thousands, point = (NBSP, ",") if lang == "ru" else (",", ".")
    out = _group(whole, thousands)
    if decimals > 0:
        out += point + frac
    return out, negative


def number(value: object, lang: Lang = "ru", decimals: int = 0) -> str:
    """A plain number with grouped thousands: ``1 234 567`` / ``1,234,567``; ``—`` when missing."""
    dec = _to_decimal(value)
    if dec is None:
        return MISSING
    digits, negative = _plain(dec, decimals, lang)
    return ("-" if negative else "") + digits


def integer(value: object, lang: Lang = "ru") -> str:
    """A count: ``1 234 567`` (ru) / ``1,234,567`` (en); ``—`` when missing."""
    return number(value, lang, 0)


def money(value: object, lang: Lang = "ru", decimals: int = 2) -> str:
    """Rubles: ``1 234 567,89 ₽`` (ru) / ``₽1,234,567.89`` (en); ``—`` when missing.

    ``decimals=0`` drops the kopecks (for headline cards).
    """
    dec = _to_decimal(value)
    if dec is None:
        return MISSING
    digits, negative = _plain(dec, decimals, lang)
    sign = "-" if negative else ""
    if lang == "ru":
        return f"{sign}{digits}{NBSP}{RUBLE}"
    return f"{sign}{RUBLE}{digits}"


def percent(ratio: object, lang: Lang = "ru", decimals: int = 1) -> str:
    """A ratio as a percent: ``0.123`` -> ``12,3 %`` (ru) / ``12.3%`` (en); ``—`` when missing."""
    dec = _to_decimal(ratio)
    if dec is None:
        return MISSING
    digits, negative = _plain(dec * 100, decimals, lang)
    sign = "-" if negative else ""
    return f"{sign}{digits}{NBSP}%" if lang == "ru" else f"{sign}{digits}%"


def delta_percent(ratio: object, lang: Lang = "ru", decimals: int = 1) -> str:
    """A signed relative change: ``0.123`` -> ``+12,3 %``, ``-0.05`` -> ``-5,0 %``, zero -> ``0,0 %``."""
    text = percent(ratio, lang, decimals)
    if text == MISSING or text.startswith("-"):
        return text
    dec = _to_decimal(ratio)
    rounded_zero = (
        dec is not None and (dec * 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) == 0
    )
    return text if rounded_zero else "+" + text


def date(value: object, lang: Lang = "ru") -> str:
    """``23.11.2026`` (ru) / ``23 Nov 2026`` (en); ``—`` when missing. Datetimes use their date."""
    if not isinstance(value, dt.date) or value != value:  # None, NaT (which is != itself), non-dates
        return MISSING
    day = value.date() if isinstance(value, dt.datetime) else value
    if lang == "ru":
        return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year:04d}"


def date_range(start: dt.date, end: dt.date, lang: Lang = "ru") -> str:
    """``01.10.2026 – 31.10.2026``; a single day when start == end."""
    if start == end:
        return date(start, lang)
    return f"{date(start, lang)} – {date(end, lang)}"


def date_time(value: object, lang: Lang = "ru") -> str:
    """A local moment as published (no time zone conversion): ``05.11.2026 10:05`` / ``5 Nov 2026 10:05``."""
    if not isinstance(value, dt.datetime) or value != value:  # None, NaT, non-datetimes
        return MISSING
    return f"{date(value, lang)} {value:%H:%M}"


def datetime_msk(value: object, lang: Lang = "ru") -> str:
    """A moment in Moscow time: ``23.11.2026 07:15 МСК`` / ``23 Nov 2026 07:15 MSK``.

    Naive datetimes are taken as UTC (the serving file stores UTC timestamps).
    """
    if not isinstance(value, dt.datetime) or value != value:  # None, NaT, non-datetimes
        return MISSING
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    local = aware.astimezone(MOSCOW)
    zone = "МСК" if lang == "ru" else "MSK"
    return f"{date(local, lang)} {local:%H:%M} {zone}"
