"""JSON helpers shared by the parsers of vendor JSON bodies.

Floats are read as ``Decimal`` (``parse_float=Decimal``) so ``"spent": 500.1`` keeps its exact
value. The ``json_*`` converters accept the spellings vendors really send (numbers as strings,
booleans as ``"True"``) and raise ``ValueError`` quoting the value otherwise.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal

from connectors._text import decode_text, quote
from connectors.errors import FormatError

__all__ = [
    "json_bool",
    "json_call_id",
    "json_datetime",
    "json_decimal",
    "json_int",
    "json_syntax_error",
    "json_text",
    "load_json",
    "shown",
    "vendor_error_message",
]


def json_syntax_error(exc: json.JSONDecodeError, text: str, offset: int = 0) -> FormatError:
    """Where JSON ``text`` breaks (``exc`` from parsing ``text[offset:]``), by line and column.

    A document that breaks with nothing but white space after the break was cut short (an
    interrupted download), and the message says so.
    """
    position = offset + exc.pos
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    if not text[position:].strip():
        reason = (
            f"not valid JSON, cut short: it ends at column {column} in the middle of the data "
            f"({exc.msg}): an interrupted download or a truncated file; download it again"
        )
    else:
        reason = f"not valid JSON: it breaks at column {column}: {exc.msg}"
    return FormatError(reason, line=line)


def load_json(content: bytes) -> object:
    text = decode_text(content)
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise json_syntax_error(exc, text) from None
    except RecursionError:
        raise FormatError("not valid JSON: nested too deeply") from None


def shown(value: object) -> str:
    """A JSON value quoted for an error message."""
    if isinstance(value, str):
        return quote(value)
    return quote(json.dumps(value, default=str, ensure_ascii=False))


_INT = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def json_int(value: object) -> int | None:
    """``12``, ``"12"``, ``12.0`` -> 12; ``null``/``""`` -> None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{shown(value)} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _INT.fullmatch(text):
            return int(text)
        if _DECIMAL.fullmatch(text) and Decimal(text) == Decimal(text).to_integral_value():
            return int(Decimal(text))
    raise ValueError(f"{shown(value)} is not a whole number")


def json_decimal(value: object) -> Decimal | None:
    """``"500.00"``, ``500.0``, ``500`` -> Decimal; ``null``/``""`` -> None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{shown(value)} is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _DECIMAL.fullmatch(text):
            return Decimal(text)
    raise ValueError(f"{shown(value)} is not a number")


_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def json_bool(value: object) -> bool | None:
    """``true``, ``"true"``, ``"True"``, ``1`` -> True; ``null``/``""`` -> None."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueError(f"{shown(value)} is not true or false")


def json_text(value: object) -> str | None:
    """A string as is; a number as its text (ids, phone numbers); ``null`` -> None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{shown(value)} is not text")


def _describe(error: object) -> str:
    if isinstance(error, dict):
        code = next((error[k] for k in ("code", "error_code") if error.get(k) not in (None, "")), None)
        texts = [
            str(error[k])
            for k in ("message", "error_string", "error_detail", "error_description", "description")
            if error.get(k) not in (None, "")
        ]
        if code is not None:
            texts.insert(0, f"[{code}]")
        return " ".join(texts) if texts else json.dumps(error, ensure_ascii=False, default=str)
    return str(error)


def vendor_error_message(body: object) -> str | None:
    """The message of an API error reply (``{"error": ...}`` or ``{"errors": [...]}``), else None."""
    if not isinstance(body, dict):
        return None
    parts: list[str] = []
    error = body.get("error")
    if error not in (None, "", {}):
        parts.append(_describe(error))
        if isinstance(error, str) and body.get("error_description"):
            parts.append(str(body["error_description"]))
    errors = body.get("errors")
    if isinstance(errors, list):
        parts.extend(_describe(e) for e in errors)
    elif isinstance(errors, dict) and errors:
        parts.extend(f"{key}: {_describe(val)}" for key, val in errors.items())
    return "; ".join(parts) if parts else None


def json_call_id(value: object) -> int:
    """A call's id: required, an integer (number or numeric string)."""
    number = json_int(value)
    if number is None:
        raise ValueError("the call id is missing")
    return number


def json_datetime(value: object, fmt: str, described: str) -> datetime | None:
    """A local date-time string in ``fmt`` (``described`` names it in errors); ``null``/``""`` -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), fmt)
        except ValueError:
            pass
    raise ValueError(f"{shown(value)} is not a time {described}")
