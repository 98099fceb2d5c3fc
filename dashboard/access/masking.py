"""Masked personal data: callers' phone numbers and contacts' e-mails as shown to whoever lacks
the right to see them whole (``Scope.contacts``).

A Russian number, however written (``+7 (999) 123-45-12``, ``8 999 123 45 12``,
``79991234512``, ``9991234512``), becomes ``+7 999 ***-**-12``: the operator's code and the last
two digits, enough to tell two callers apart in a list, not enough to call them. Another
country's number keeps only its last two digits; anything that is not a phone number (letters,
too few or too many digits) becomes ``***``, never the text itself. An e-mail keeps its first
letter and its domain (``i***@example.ru``).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["MASK", "mask_email", "mask_phone", "show_email", "show_phone"]

MASK: Final = "***"
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-]+$")


def mask_phone(value: str | None) -> str:
    """``+79991234512`` -> ``+7 999 ***-**-12``; empty stays empty; anything else ``***``."""
    text = (value or "").strip()
    if not text:
        return ""
    if not _PHONE_CHARS.match(text):
        return MASK
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78" and not (text.startswith("+") and digits[0] == "8"):
        return f"+7 {digits[1:4]} ***-**-{digits[-2:]}"
    if len(digits) == 10 and not text.startswith("+"):
        return f"+7 {digits[:3]} ***-**-{digits[-2:]}"
    if 8 <= len(digits) <= 15:
        return f"+*** ***-**-{digits[-2:]}"
    return MASK


def mask_email(value: str | None) -> str:
    """``ivan.petrov@example.ru`` -> ``i***@example.ru``; empty stays empty; anything else ``***``."""
    text = (value or "").strip()
    if not text:
        return ""
    local, at, domain = text.rpartition("@")
    if not at or not local or "@" in local or "." not in domain or any(c.isspace() for c in text):
        return MASK
    shown = local[0] if len(local) > 1 else ""
    return f"{shown}{MASK}@{domain.lower()}"


def show_phone(value: str | None, *, contacts: bool) -> str:
    """The number whole when ``contacts`` (the viewer's right), masked otherwise."""
    return (value or "") if contacts else mask_phone(value)


def show_email(value: str | None, *, contacts: bool) -> str:
    """The address whole when ``contacts`` (the viewer's right), masked otherwise."""
    return (value or "") if contacts else mask_email(value)
