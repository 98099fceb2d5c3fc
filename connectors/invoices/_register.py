"""Parser of invoice registers exported from 1C or Excel as CSV.

::

    Реестр счетов за март 2026;;;;;;;              <- optional preamble lines
    Дата;Номер;Контрагент;ИНН;Сумма без НДС;Ставка НДС;НДС;Итого
    25.03.2026;147;ООО "Тест";7722753969;108 196,72;22%;23 803,28;132 000,00
    Итого;;;;108 196,72;;23 803,28;132 000,00       <- optional footer, dropped

Windows-1251 or UTF-8 (with or without BOM), ``;`` separated (tab and ``,`` are accepted too),
``\\r\\n``, decimal comma, space or NBSP thousands, ``DD.MM.YYYY``. Column titles vary by 1C
configuration, so each field has synonyms (matched case-insensitively, trimmed).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from connectors._csv import Table, find_table, is_blank, is_totals, normalise_header, optional
from connectors._result import ParseResult, date_span
from connectors._text import decode_text, parse_date, parse_ru_decimal, quote
from connectors.errors import FormatError

__all__ = ["KIND", "find_invoice_table", "parse_invoice_register"]

KIND = "invoice_register"

# field -> column titles, preferred first (a register with both "Итого" and "Сумма" takes "Итого").
_COLUMNS: dict[str, tuple[str, ...]] = {
    "issued_on": ("дата счета", "дата"),
    "invoice_number": ("номер счета", "№ счета", "номер", "№"),
    "counterparty": ("контрагент", "покупатель", "клиент"),
    "inn": ("инн", "инн контрагента", "инн покупателя"),
    "amount_net": ("сумма без ндс",),
    "vat_rate": ("ставка ндс",),
    "vat_amount": ("сумма ндс", "ндс"),
    "amount": ("сумма с ндс", "итого", "всего", "сумма"),
    "due_on": ("срок оплаты", "оплатить до"),
    "paid_amount": ("оплачено", "сумма оплаты"),
    "paid_on": ("дата оплаты",),
    "payment_status": ("статус оплаты", "статус"),
    "currency": ("валюта",),
}
_REQUIRED = ("issued_on", "invoice_number", "inn")
_NO_VAT = frozenset({"без ндс", "без налога", "не облагается", "ндс не облагается", "без налога (ндс)"})
_RATE = re.compile(r"(\d{1,2}(?:[.,]\d+)?)\s*%?")
_ROUBLES = frozenset({"rub", "rur", "руб", "руб.", "рубль", "рубли", "₽", "российский рубль"})


def _match_header(cells: list[str]) -> dict[str, int] | None:
    names = [normalise_header(cell) for cell in cells]
    columns: dict[str, int] = {}
    for field, titles in _COLUMNS.items():
        found = next((title for title in titles if title in names), None)
        if found is not None:
            columns[field] = names.index(found)
    if any(field not in columns for field in _REQUIRED):
        return None
    if "amount" not in columns and not {"amount_net", "vat_amount"} <= columns.keys():
        return None
    return columns


def find_invoice_table(text: str) -> Table | None:
    """The invoice table of a register export, if ``text`` holds one."""
    return find_table(text, _match_header)


_EXCEL_NUMBER = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+|\d+[.,]0+")


def _inn(value: str) -> str:
    text = "".join(value.split()).removeprefix("'")  # Excel's "this is text" mark
    if re.fullmatch(r"\d{10}|\d{12}", text):
        return text
    if not text:
        raise ValueError("the ИНН is empty")
    if re.fullmatch(r"\d{9}|\d{11}", text):
        raise ValueError(
            f"{quote(value)} has {len(text)} digits, an ИНН has 10 or 12: Excel probably dropped a "
            "leading zero; format the column as text and export again"
        )
    if _EXCEL_NUMBER.fullmatch(text):
        raise ValueError(
            f"{quote(value)} is a number, not an ИНН: Excel converted the column; "
            "format it as text and export again"
        )
    raise ValueError(f"{quote(value)} is not an ИНН (10 or 12 digits)")


def _invoice_number(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("the invoice number is empty")
    return text


def _issued_on(value: str) -> date:
    if not value.strip():
        raise ValueError("the invoice date is empty")
    return parse_date(value)


def _vat_rate(value: str) -> Decimal | None:
    text = " ".join(value.lower().split())
    if text in _NO_VAT or text in ("", "-", "—", "–"):
        return None
    m = _RATE.fullmatch(text)
    if m is None:
        raise ValueError(f'{quote(value)} is not a VAT rate (20%, 22%, 10%, 0% or "Без НДС")')
    return Decimal(m[1].replace(",", "."))


def _vat_amount(value: str) -> Decimal | None:
    if " ".join(value.lower().split()) in _NO_VAT:
        return None
    return optional(parse_ru_decimal)(value)


def _text(value: str) -> str | None:
    return value.strip() or None


def _currency(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    return "RUB" if text.lower() in _ROUBLES else text.upper()


def _row(table: Table, line: int, cells: list[str]) -> dict[str, object]:
    inn = table.value(line, cells, "inn", _inn)
    invoice_number = table.value(line, cells, "invoice_number", _invoice_number)
    issued_on = table.value(line, cells, "issued_on", _issued_on)
    money = optional(parse_ru_decimal)
    amount_net = table.value(line, cells, "amount_net", money)
    vat_amount = table.value(line, cells, "vat_amount", _vat_amount)
    amount = table.value(line, cells, "amount", money)
    if amount is None and amount_net is not None:
        amount = amount_net + (vat_amount or Decimal(0))
    if amount is None:
        field = table.label("amount" if "amount" in table.columns else "amount_net")
        raise FormatError("the invoice total is empty", line=line, field=field)
    return {
        "inn": inn,
        "invoice_number": invoice_number,
        "issued_on": issued_on,
        "due_on": table.value(line, cells, "due_on", optional(parse_date)),
        "counterparty": table.value(line, cells, "counterparty", _text),
        "amount_net": amount_net,
        "vat_rate": table.value(line, cells, "vat_rate", _vat_rate),
        "vat_amount": vat_amount,
        "amount": amount,
        "paid_amount": table.value(line, cells, "paid_amount", money),
        "paid_on": table.value(line, cells, "paid_on", optional(parse_date)),
        "payment_status": table.value(line, cells, "payment_status", _text),
        "currency": table.value(line, cells, "currency", _currency),
        "_origin_line": line,
    }


def parse_invoice_register(content: bytes) -> ParseResult:
    """An invoice register export -> rows of ``invoice_register_rows`` (without ``client_id``).

    Requires the columns date, number, ИНН and a total (or net + VAT, the total is then their
    sum). ИНН is kept as text and must have 10 or 12 digits. ``vat_rate`` is a percent
    (``22%`` -> 22) and None for "Без НДС". Blank rows and "Итого"/"Всего" rows are dropped.
    """
    table = find_invoice_table(decode_text(content))
    if table is None:
        raise FormatError(
            "no header with the columns Дата, Номер, ИНН and Итого (or Сумма) found: not an invoice register"
        )
    rows: list[dict[str, object]] = []
    for line, cells in table.records:
        if is_blank(cells) or is_totals(cells):
            continue
        table.check_width(line, cells)
        rows.append(_row(table, line, cells))
    date_from, date_to = date_span(row["issued_on"] for row in rows)
    return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)
