"""Parser of 1C bank-statement exchange files (``1CClientBankExchange``).

::

    1CClientBankExchange
    ВерсияФормата=1.03
    Кодировка=Windows                  <- Windows = CP1251, DOS = CP866
    ДатаНачала=01.03.2026
    ДатаКонца=31.03.2026
    РасчСчет=40702810900000012345      <- the agency's account(s)
    СекцияРасчСчет                     <- balances, skipped
    ...
    КонецРасчСчет
    СекцияДокумент=Платежное поручение
    Номер=512
    Дата=05.03.2026
    Сумма=132000.00                    <- dot decimal
    ДатаПоступило=06.03.2026           <- present on incoming payments
    Плательщик1=ООО "Север"
    ПлательщикИНН=7701234567
    ...
    НазначениеПлатежа=Оплата по счету № 147 от 25.02.2026, в т.ч. НДС 22%
    КонецДокумента
    КонецФайла                         <- missing: the file is truncated

UTF-8 (with or without BOM) is accepted whatever ``Кодировка`` says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from connectors._result import ParseResult, convert, date_span
from connectors._text import parse_ru_date, quote
from connectors.errors import FormatError

__all__ = ["KIND", "looks_like_bank_statement", "parse_bank_statement"]

KIND = "bank_statement_1c"

_MARKER = "1CClientBankExchange"
_UTF8_BOM = b"\xef\xbb\xbf"
_ENCODINGS = {"windows": "cp1251", "dos": "cp866"}
_AMOUNT = re.compile(r"\d+(?:[.,]\d{1,2})?")
_INN = re.compile(r"\d{10}|\d{12}")


def looks_like_bank_statement(content: bytes) -> bool:
    """True when ``content`` starts (after an optional BOM and blank lines) with ``1CClientBankExchange``."""
    head = content[:256].removeprefix(_UTF8_BOM).lstrip()
    return head.startswith(_MARKER.encode("ascii"))


def _declared_encoding(content: bytes) -> str:
    """The Python codec named by the ``Кодировка=`` line (looked for in CP1251 and CP866 bytes)."""
    for codec in ("cp1251", "cp866"):
        key = "Кодировка=".encode(codec)
        start = content.find(key)
        if start < 0:
            continue
        end = content.find(b"\n", start)
        value = content[start + len(key) : end if end >= 0 else None].strip()
        return _ENCODINGS.get(value.decode("ascii", "replace").lower(), "cp1251")
    return "cp1251"


def _decode(content: bytes) -> str:
    if content.startswith(_UTF8_BOM):
        codec = "utf-8-sig"
    else:
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            codec = _declared_encoding(content)
    try:
        return content.decode(codec)
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        reason = f"the file is not {codec} text: undecodable byte at offset {exc.start}"
        raise FormatError(reason, line=line) from None


@dataclass
class _Document:
    kind: str
    line: int
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)
    last_key: str | None = None

    def set(self, key: str, value: str, line: int) -> None:
        self.fields[key] = (value, line)
        self.last_key = key

    def text(self, *keys: str) -> str | None:
        """The first non-empty value among ``keys``."""
        for key in keys:
            value = self.fields.get(key, ("", 0))[0]
            if value:
                return value
        return None

    def line_of(self, key: str) -> int:
        return self.fields.get(key, ("", self.line))[1]

    def parsed(self, key: str, parse: Callable[[str], object], *, required: bool = False) -> object:
        value = self.text(key)
        if value is None:
            if required:
                raise FormatError(f"the document has no {key}", line=self.line_of(key), field=key)
            return None
        return convert(parse, value, line=self.line_of(key), field=key)


def _amount(value: str) -> Decimal:
    if not _AMOUNT.fullmatch(value):
        raise ValueError(f"{quote(value)} is not an amount (digits with a dot decimal, e.g. 83.23)")
    return Decimal(value.replace(",", "."))


def _inn(value: str) -> str | None:
    """10 or 12 digits; empty or all zeros (banks write ``0`` for a payer without ИНН) is None."""
    text = value.strip()
    if not text or set(text) == {"0"}:
        return None
    if not _INN.fullmatch(text):
        raise ValueError(f"{quote(value)} is not an ИНН (10 or 12 digits)")
    return text


def _row(doc: _Document, own_accounts: set[str]) -> dict[str, object]:
    number = doc.text("Номер")
    if number is None:
        raise FormatError("the document has no number", line=doc.line_of("Номер"), field="Номер")
    received_on = doc.parsed("ДатаПоступило", parse_ru_date)
    recipient_account = doc.text("ПолучательСчет", "ПолучательРасчСчет")
    incoming = received_on is not None or (
        recipient_account is not None and recipient_account in own_accounts
    )
    return {
        "document_number": number,
        "document_date": doc.parsed("Дата", parse_ru_date, required=True),
        "document_type": doc.kind or None,
        "amount": doc.parsed("Сумма", _amount, required=True),
        "direction": "in" if incoming else "out",
        "received_on": received_on,
        "written_off_on": doc.parsed("ДатаСписано", parse_ru_date),
        "payer_name": doc.text("Плательщик1", "Плательщик"),
        "payer_inn": doc.parsed("ПлательщикИНН", _inn),
        "payer_kpp": doc.text("ПлательщикКПП"),
        "payer_account": doc.text("ПлательщикСчет", "ПлательщикРасчСчет"),
        "recipient_name": doc.text("Получатель1", "Получатель"),
        "recipient_inn": doc.parsed("ПолучательИНН", _inn),
        "recipient_account": recipient_account,
        "purpose": _purpose(doc),
        "_origin_line": doc.line,
    }


def _purpose(doc: _Document) -> str | None:
    """``НазначениеПлатежа``, or the older split form ``НазначениеПлатежа1..6`` joined with spaces."""
    whole = doc.text("НазначениеПлатежа")
    if whole is not None:
        return whole
    parts = [doc.text(f"НазначениеПлатежа{i}") for i in range(1, 7)]
    joined = " ".join(part for part in parts if part)
    return joined or None


def parse_bank_statement(content: bytes) -> ParseResult:
    """A ``1CClientBankExchange`` file -> one row per ``СекцияДокумент`` (kind ``bank_statement_1c``).

    ``direction`` is ``"in"`` when the document has ``ДатаПоступило`` or its recipient account is
    one of the statement's own accounts (``РасчСчет``), else ``"out"``. A line without ``=``
    inside a document continues the previous value (some banks wrap long purposes). The period
    is ``ДатаНачала``/``ДатаКонца`` of the header, else the span of the document dates.
    Raises ``FormatError`` naming the line and field of a bad amount, date or ИНН, and
    "truncated" when ``КонецФайла`` (or a ``КонецДокумента``) is missing.
    """
    lines = _decode(content).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((i for i, text in enumerate(lines) if text.strip()), None)
    if first is None or lines[first].strip() != _MARKER:
        raise FormatError(f"the first line is not {_MARKER}: not a 1C bank statement", line=(first or 0) + 1)
    header: dict[str, tuple[str, int]] = {}
    own_accounts: set[str] = set()
    rows: list[dict[str, object]] = []
    doc: _Document | None = None
    in_balances = False
    ended = False
    for number, raw in enumerate(lines[first + 1 :], start=first + 2):
        text = raw.strip()
        if not text:
            continue
        key, sep, value = (part.strip() for part in text.partition("="))
        if doc is not None:
            if text == "КонецДокумента":
                rows.append(_row(doc, own_accounts))
                doc = None
            elif key == "СекцияДокумент" or text in ("КонецФайла", "СекцияРасчСчет"):
                raise FormatError(
                    f"the document started at line {doc.line} has no КонецДокумента", line=number
                )
            elif sep:
                doc.set(key, value, number)
            elif doc.last_key is not None:
                previous, line = doc.fields[doc.last_key]
                doc.fields[doc.last_key] = (f"{previous} {text}".strip(), line)
            else:
                raise FormatError(f"{quote(text)} is not a key=value line", line=number)
        elif in_balances:
            if text == "КонецРасчСчет":
                in_balances = False
            elif key == "РасчСчет" and value:
                own_accounts.add(value)
        elif key == "СекцияДокумент" and sep:
            doc = _Document(kind=value, line=number)
        elif text == "СекцияРасчСчет":
            in_balances = True
        elif text == "КонецФайла":
            ended = True
            break
        elif sep:
            header.setdefault(key, (value, number))
            if key == "РасчСчет" and value:
                own_accounts.add(value)
        else:
            raise FormatError(f"{quote(text)} is not a key=value line", line=number)
    if not ended:
        opened = f"; the document started at line {doc.line} has no КонецДокумента" if doc else ""
        raise FormatError(f"the file is truncated: no КонецФайла line{opened}", line=len(lines))
    date_from = _header_date(header, "ДатаНачала")
    date_to = _header_date(header, "ДатаКонца")
    if date_from is None or date_to is None:
        span_from, span_to = date_span(row["document_date"] for row in rows)
        date_from, date_to = date_from or span_from, date_to or span_to
    return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)


def _header_date(header: dict[str, tuple[str, int]], key: str) -> date | None:
    value, line = header.get(key, ("", 0))
    if not value:
        return None
    return convert(parse_ru_date, value, line=line, field=key)
