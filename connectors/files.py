"""Dropped export files: tell their kind from the content, then parse them.

The kind is decided by the content; the file name only breaks ties (an empty JSON array, an
empty Bitrix24 ``result``, an API error reply, a CSV carrying two kinds of header).

An Excel workbook (.xlsx: a zip archive with ``xl/workbook.xml``) is read too: its first sheet
becomes CSV text (``connectors._xlsx``) that goes through the same header detection and the
same parser as a CSV, its line numbers being the sheet's rows. Only the lead systems' exports
are taken from a workbook; the other kinds stay CSV/JSON only. Other zip archives, old .xls
workbooks and PDF documents are refused, saying how to save them instead.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

import numpy as np
import pyarrow as pa

from connectors._csv import Table
from connectors._json import json_syntax_error
from connectors._result import ParseResult, TableResult
from connectors._text import decode_text, quote
from connectors._xlsx import is_xlsx, xlsx_to_text
from connectors.amocrm._export import KIND as AMOCRM_LEADS_EXPORT
from connectors.amocrm._export import find_amocrm_export_table, parse_amocrm_export
from connectors.amocrm._leads import KIND as AMOCRM_LEADS
from connectors.amocrm._leads import parse_leads as parse_amocrm_leads
from connectors.bank_statement._statement import KIND as BANK_STATEMENT
from connectors.bank_statement._statement import looks_like_bank_statement, parse_bank_statement
from connectors.bitrix24._export import KIND as BITRIX24_LEADS_EXPORT
from connectors.bitrix24._export import find_bitrix24_export_table, parse_bitrix24_export
from connectors.bitrix24._leads import KIND as BITRIX24_LEADS
from connectors.bitrix24._leads import parse_leads as parse_bitrix24_leads
from connectors.cabinet_csv._parse import KIND as CABINET_CSV
from connectors.cabinet_csv._parse import find_cabinet_table, missing_cabinet_columns, parse_cabinet_csv
from connectors.calltouch._calls import KIND as CALLTOUCH_CALLS
from connectors.calltouch._calls import parse_calls
from connectors.calltouch._requests import KIND as CALLTOUCH_REQUESTS
from connectors.calltouch._requests import parse_requests
from connectors.calltouch._requests_export import KIND as CALLTOUCH_REQUESTS_EXPORT
from connectors.calltouch._requests_export import find_requests_export_table, parse_requests_export
from connectors.comagic._calls import KIND as COMAGIC_CALLS
from connectors.comagic._calls import parse_calls_report
from connectors.errors import FormatError, UnknownFormatError
from connectors.invoices._register import KIND as INVOICE_REGISTER
from connectors.invoices._register import find_invoice_table, parse_invoice_register
from connectors.vk_ads._stats import KIND as VK_ADS_STATS
from connectors.vk_ads._stats import parse_campaign_day_stats
from connectors.yandex_direct._fast import parse_report_table
from connectors.yandex_direct._report import KIND as YANDEX_DIRECT_TSV
from connectors.yandex_direct._report import looks_like_report, parse_report_tsv
from connectors.yandex_metrika._export import KIND as METRIKA_GOALS_EXPORT
from connectors.yandex_metrika._export import find_goals_export_table, parse_goals_export
from connectors.yandex_metrika._report import KIND as METRIKA_GOAL_REACHES
from connectors.yandex_metrika._report import is_goal_report, parse_saved_goal_report

__all__ = ["FILE_KINDS", "DetectedFile", "detect_file", "detect_kind", "parse_file"]

_PARSERS: dict[str, Callable[[bytes], ParseResult]] = {
    YANDEX_DIRECT_TSV: parse_report_tsv,
    VK_ADS_STATS: parse_campaign_day_stats,
    CALLTOUCH_CALLS: parse_calls,
    COMAGIC_CALLS: parse_calls_report,
    CABINET_CSV: parse_cabinet_csv,
    INVOICE_REGISTER: parse_invoice_register,
    BANK_STATEMENT: parse_bank_statement,
    CALLTOUCH_REQUESTS: parse_requests,
    METRIKA_GOAL_REACHES: parse_saved_goal_report,
    AMOCRM_LEADS: parse_amocrm_leads,
    BITRIX24_LEADS: parse_bitrix24_leads,
    CALLTOUCH_REQUESTS_EXPORT: parse_requests_export,
    METRIKA_GOALS_EXPORT: parse_goals_export,
    AMOCRM_LEADS_EXPORT: parse_amocrm_export,
    BITRIX24_LEADS_EXPORT: parse_bitrix24_export,
}

# Kinds with a fast column-wise reader (see DetectedFile.parse_table).
_TABLE_PARSERS: dict[str, Callable[[bytes], TableResult | None]] = {
    YANDEX_DIRECT_TSV: parse_report_table,
}

FILE_KINDS: tuple[str, ...] = tuple(_PARSERS)
"""Every kind of export file :func:`detect_kind` can tell (which source takes its rows is the
pipeline's business, not the connector's)."""

# Words in a file name that hint at a kind; used only when the content fits several kinds.
_NAME_HINTS: dict[str, frozenset[str]] = {
    YANDEX_DIRECT_TSV: frozenset({"yandex", "direct", "яндекс", "директ"}),
    VK_ADS_STATS: frozenset({"vk", "vkads", "mytarget", "вк"}),
    CALLTOUCH_CALLS: frozenset({"calltouch", "ct", "calls", "звонки"}),
    COMAGIC_CALLS: frozenset({"comagic", "uis"}),
    CABINET_CSV: frozenset({"cabinet", "stats", "кабинет", "статистика"}),
    INVOICE_REGISTER: frozenset({"invoice", "invoices", "register", "счета", "счет", "счёт", "реестр"}),
    CALLTOUCH_REQUESTS: frozenset({"requests", "request", "заявки", "заявок"}),
    METRIKA_GOAL_REACHES: frozenset({"metrika", "metrica", "метрика", "метрики", "goals", "цели", "целей"}),
    AMOCRM_LEADS: frozenset({"amocrm", "amo", "kommo", "амо", "амосрм"}),
    BITRIX24_LEADS: frozenset({"bitrix", "битрикс"}),
}
_NAME_HINTS |= {
    CALLTOUCH_REQUESTS_EXPORT: _NAME_HINTS[CALLTOUCH_REQUESTS],
    METRIKA_GOALS_EXPORT: _NAME_HINTS[METRIKA_GOAL_REACHES],
    AMOCRM_LEADS_EXPORT: _NAME_HINTS[AMOCRM_LEADS],
    BITRIX24_LEADS_EXPORT: _NAME_HINTS[BITRIX24_LEADS],
}

# Tables found by their header (CSV, or a workbook's first sheet): kind -> finder, what the
# columns are called in a message, and the file-name word that picks the kind.
_TABLES: dict[str, tuple[Callable[[str], Table | None], str, str]] = {
    INVOICE_REGISTER: (find_invoice_table, "invoice-register", "'invoices'"),
    CABINET_CSV: (find_cabinet_table, "campaign-statistics", "the ad platform"),
    CALLTOUCH_REQUESTS_EXPORT: (find_requests_export_table, "Calltouch requests", "'requests'"),
    METRIKA_GOALS_EXPORT: (find_goals_export_table, "Metrika goal reaches", "'metrika'"),
    AMOCRM_LEADS_EXPORT: (find_amocrm_export_table, "amoCRM deals", "'amocrm'"),
    BITRIX24_LEADS_EXPORT: (find_bitrix24_export_table, "Bitrix24 leads", "'bitrix'"),
}
_WORKBOOK_KINDS = (
    CALLTOUCH_REQUESTS_EXPORT,
    METRIKA_GOALS_EXPORT,
    AMOCRM_LEADS_EXPORT,
    BITRIX24_LEADS_EXPORT,
)
"""The kinds read from an Excel workbook as well as from CSV."""

# An empty JSON array is a Calltouch day without records: of requests if its name says requests
# (or leads) and not calls, else of calls. "leads" is too vague to route anything else.
_REQUESTS_WORDS = _NAME_HINTS[CALLTOUCH_REQUESTS] | {"leads", "лиды", "лидов"}
_CALLS_WORDS = frozenset({"calls", "call", "звонки", "звонков"})
_WORD = re.compile(r"[a-zа-яё]+")

_EXPECTED = (
    "expected one of: a Yandex Direct TSV report (Date, CampaignId, ... columns), a VK Ads statistics "
    "JSON, a Calltouch calls JSON, a Calltouch requests JSON, a Metrika goal reaches JSON (stat/v1/data), "
    "an amoCRM /api/v4/leads JSON, a Bitrix24 crm.lead.list JSON, a CoMagic get.calls_report JSON, "
    "a cabinet CSV (Дата;Кампания;Показы;Клики;Расход), an invoice register CSV (Дата;Номер;ИНН;Итого) "
    "or a lead export, CSV or .xlsx: the Calltouch requests journal (ID заявки;Дата;...), a Metrika "
    "report with goal reaches (Дата визита;...;Цель 301 (достижения)), amoCRM deals (ID;Название "
    "сделки;Дата создания;...) or Bitrix24 leads (ID;Название лида;Дата создания;...)"
)


def _words(filename: str) -> set[str]:
    return set(_WORD.findall(PurePosixPath(filename.replace("\\", "/")).name.lower()))


def _hinted(filename: str, kinds: list[str]) -> str | None:
    words = _words(filename)
    hinted = [kind for kind in kinds if words & _NAME_HINTS[kind]]
    return hinted[0] if len(hinted) == 1 else None


def _all_records(items: list[object], *keys: str) -> bool:
    """Every item is an object having all of ``keys`` (false for no items)."""
    return bool(items) and all(isinstance(item, dict) and all(k in item for k in keys) for item in items)


def _is_amocrm_lead(item: object) -> bool:
    return isinstance(item, dict) and "id" in item and "created_at" in item and "pipeline_id" in item


def _is_bitrix24_lead(item: object) -> bool:
    return isinstance(item, dict) and "ID" in item and ("DATE_CREATE" in item or "TITLE" in item)


def _array_kind(body: list[object], filename: str) -> str:
    if not body:
        words = _words(filename)
        requests, calls = bool(words & _REQUESTS_WORDS), bool(words & _CALLS_WORDS)
        if requests and calls:
            raise UnknownFormatError(
                "an empty JSON array whose name speaks of both calls and requests: put either "
                "'calls' or 'requests' in the file name"
            )
        return CALLTOUCH_REQUESTS if requests else CALLTOUCH_CALLS
    if _all_records(body, "requestId"):
        return CALLTOUCH_REQUESTS  # before calls: a request may carry the callId it turned into
    if _all_records(body, "callId"):
        return CALLTOUCH_CALLS
    if all(_is_amocrm_lead(item) for item in body):
        return AMOCRM_LEADS  # a saved list of amoCRM lead objects
    if all(_is_bitrix24_lead(item) for item in body):
        return BITRIX24_LEADS  # a saved list of Bitrix24 lead objects
    first = body[0]
    shape = f"objects with keys {_keys(first)}" if isinstance(first, dict) else "values that are not objects"
    raise UnknownFormatError(
        f"a JSON array of {shape}, but not of Calltouch calls (callId) nor requests (requestId) "
        f"nor amoCRM/Bitrix24 leads; {_EXPECTED}"
    )


def _keys(body: dict[object, object]) -> str:
    return ", ".join(sorted(str(k) for k in body)[:8])


def _metrika_kind(body: dict[str, object]) -> str:
    query = body["query"]
    metrics = query.get("metrics") if isinstance(query, dict) else None
    names = [str(m) for m in metrics] if isinstance(metrics, list) else []
    if names and all(re.fullmatch(r"ym:s:goal\d+reaches", name) for name in names):
        return METRIKA_GOAL_REACHES
    shown = ", ".join(names[:5]) or "none"
    raise UnknownFormatError(
        f"a Yandex Metrika report, but its metrics ({shown}) are not goal reaches: expected only "
        "ym:s:goal<ID>reaches metrics (one per goal) by date, traffic source and UTM tags"
    )


def _bitrix24_kind(result: list[object], filename: str) -> str:
    if not result:
        if _hinted(filename, [BITRIX24_LEADS]) is not None:
            return BITRIX24_LEADS
        raise UnknownFormatError(
            "an empty \"result\" list (a Bitrix24 reply without records?): put 'bitrix' in the file "
            "name if it is a crm.lead.list reply"
        )
    if all(_is_bitrix24_lead(item) for item in result):
        return BITRIX24_LEADS
    first = result[0]
    shape = f"objects with keys {_keys(first)}" if isinstance(first, dict) else "values that are not objects"
    raise UnknownFormatError(
        f'a "result" list of {shape}, not of Bitrix24 leads (ID with DATE_CREATE or TITLE); {_EXPECTED}'
    )


_SAVE_AS = "(UTF-8 or Windows-1251, ';' separated)"


def _binary_refusal(content: bytes) -> str | None:
    """Why a binary file (other than an .xlsx workbook) cannot be read, if it is one."""
    if content.startswith(b"PK\x03\x04"):
        return (
            "this is a zip archive but not an Excel workbook (.xlsx) that can be opened: unpack it, or "
            f"save the export as .xlsx or as CSV {_SAVE_AS}, and drop that instead"
        )
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return (
            "this is an old Excel workbook (.xls): save it as .xlsx (a lead export) or as CSV "
            f"{_SAVE_AS} and drop that instead"
        )
    if content.startswith(b"%PDF"):
        return f"this is a PDF document, not a data export: export the data as CSV {_SAVE_AS} instead"
    return None


def _json_kind(body: object, filename: str) -> str:
    if isinstance(body, list):
        return _array_kind(body, filename)
    if not isinstance(body, dict):
        raise UnknownFormatError(f"a single JSON value, not a report; {_EXPECTED}")
    if "jsonrpc" in body and ("result" in body or "error" in body):
        return COMAGIC_CALLS
    items = body.get("items")
    if isinstance(items, list) and all(isinstance(item, dict) and "rows" in item for item in items):
        return VK_ADS_STATS
    if isinstance(body.get("records"), list):
        return CALLTOUCH_CALLS
    embedded = body.get("_embedded")
    if isinstance(embedded, dict) and isinstance(embedded.get("leads"), list):
        return AMOCRM_LEADS
    if is_goal_report(body):
        return _metrika_kind(body)
    result = body.get("result")
    if isinstance(result, list):
        return _bitrix24_kind(result, filename)
    if "error" in body or "errors" in body:
        kind = _hinted(
            filename,
            [VK_ADS_STATS, CALLTOUCH_CALLS, CALLTOUCH_REQUESTS, METRIKA_GOAL_REACHES, BITRIX24_LEADS],
        )
        if kind is not None:
            return kind  # its parser reports the vendor's message
        detail = json.dumps(body.get("error") or body.get("errors"), ensure_ascii=False, default=str)
        raise UnknownFormatError(f"the file holds an API error reply, not data: {quote(detail, 200)}")
    if {"title", "status", "detail"} <= body.keys():  # RFC 7807, as amoCRM answers errors
        detail = f"{body['status']} {body['title']}: {body['detail']}"
        raise UnknownFormatError(f"the file holds an API error reply, not data: {quote(detail, 200)}")
    raise UnknownFormatError(f"a JSON object with keys {_keys(body)}, not a known report; {_EXPECTED}")


def _table_kind(text: str, filename: str, kinds: tuple[str, ...]) -> str | None:
    """The one of ``kinds`` whose header ``text`` holds (the file name breaks a tie), else None."""
    candidates = [kind for kind in kinds if _TABLES[kind][0](text) is not None]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    kind = _hinted(filename, candidates)
    if kind is None:
        what = " and ".join(_TABLES[kind][1] for kind in candidates)
        words = " or ".join(_TABLES[kind][2] for kind in candidates)
        raise UnknownFormatError(f"the file has both {what} columns; put {words} in the file name")
    return kind


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _workbook_kind(content: bytes, filename: str) -> tuple[str, bytes]:
    try:
        text = xlsx_to_text(content)
    except FormatError as exc:
        raise UnknownFormatError(exc.reason) from None
    kind = _table_kind(text, filename, _WORKBOOK_KINDS)
    if kind is not None:
        return kind, text.encode("utf-8")
    other = _table_kind(text, filename, tuple(k for k in _TABLES if k not in _WORKBOOK_KINDS))
    if other is not None:
        raise UnknownFormatError(
            f"an Excel workbook with {_TABLES[other][1]} columns: this kind is read from CSV only; save "
            f"the sheet as CSV {_SAVE_AS} and drop that instead"
        )
    first = _first_line(text).replace(";", " | ")
    raise UnknownFormatError(
        f"cannot tell what this Excel workbook is (its first sheet starts {quote(first)}); a workbook "
        "must be a lead export: the Calltouch requests journal, a Metrika report with goal reaches, "
        "amoCRM deals or Bitrix24 leads"
    )


_HTML = re.compile(
    r"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_HTML_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def _web_page(text: str) -> str | None:
    """Why an HTML page (a gateway error, a sign-in page) saved under a report's name is not one."""
    if not _HTML.match(text[:4096]):
        return None
    head = text[:65536]
    found = _HTML_TITLE.search(head) or _HTML_HEADING.search(head)
    title = " ".join(html.unescape(_TAG.sub(" ", found[1])).split()) if found else ""
    said = f" ({quote(title, 80)})" if title else ""
    return (
        f"a web page{said}, not a report: the site sent an error or sign-in page instead of the "
        "file; download it again"
    )


_HEAD_BYTES = 1 << 16


def _utf8_head(content: bytes) -> str | None:
    """The whole lines of the first 64 KB of a file that is UTF-8 throughout, with no byte order
    mark and no NUL byte (what :func:`decode_text` decodes as UTF-8), else None. Arrow checks the
    encoding of the rest without making a Python string of it (a 100 MB report: 0.05 s, not 0.5)."""
    if content.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content:
        return None
    offsets = pa.py_buffer(np.array([0, len(content)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(content)]).validate(
            full=True
        )
    except pa.ArrowInvalid:
        return None
    cut = content.rfind(b"\n", 0, _HEAD_BYTES)
    return content[: cut + 1].decode("utf-8") if cut >= 0 else None


def _is_direct_report(head: str) -> bool:
    """Whether the first checks of :func:`_detect` find a Direct TSV report in ``head`` (whole
    lines of the text): not a web page, not JSON, and its first lines are a report's. Only a yes
    is final: those lines decide it for the whole file too."""
    stripped = head.lstrip()
    return _web_page(stripped) is None and not stripped.startswith(("{", "[")) and looks_like_report(head)


def _detect(content: bytes, filename: str) -> tuple[str, bytes]:
    """The kind of a file and the bytes its parser reads (a workbook's first sheet as CSV)."""
    if not content or content.isspace():  # (strip() would copy a large file)
        raise UnknownFormatError("the file is empty")
    if looks_like_bank_statement(content):  # before decoding: it may be CP866
        return BANK_STATEMENT, content
    if is_xlsx(content):
        return _workbook_kind(content, filename)
    refusal = _binary_refusal(content)
    if refusal is not None:
        raise UnknownFormatError(refusal)
    head = _utf8_head(content)
    if head is not None and _is_direct_report(head):
        return YANDEX_DIRECT_TSV, content  # what the checks below would say, without decoding it all
    try:
        text = decode_text(content)
    except FormatError as exc:
        raise UnknownFormatError(exc.reason, line=exc.line) from None
    if "\x00" in text:
        raise UnknownFormatError("a binary file (it contains NUL bytes), not a text export")
    stripped = text.lstrip()
    page = _web_page(stripped)
    if page is not None:
        raise UnknownFormatError(page)
    if stripped.startswith(("{", "[")):
        try:
            body = json.loads(stripped, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            error = json_syntax_error(exc, text, len(text) - len(stripped))
            cut_short = error.reason.startswith("not valid JSON, cut short")
            reason = error.reason if cut_short else f"looks like JSON but is {error.reason}"
            raise UnknownFormatError(reason, line=error.line) from None
        return _json_kind(body, filename), content
    if looks_like_report(text):
        return YANDEX_DIRECT_TSV, content
    kind = _table_kind(text, filename, tuple(_TABLES))
    if kind is not None:
        return kind, content
    near_miss = missing_cabinet_columns(text)
    if near_miss is not None:
        line, missing = near_miss
        raise UnknownFormatError(
            f"a campaign statistics CSV without the {missing} column: export it again with that column "
            "(Дата;Кампания;Показы;Клики;Расход)",
            line=line,
        )
    raise UnknownFormatError(
        f"cannot tell what this file is (first line {quote(_first_line(text))}); {_EXPECTED}"
    )


def detect_kind(content: bytes, filename: str) -> str:
    """The kind of an export file (a key of ``FILE_KINDS``), told from its content.

    Raises ``UnknownFormatError`` saying what the file looks like and what was expected.
    """
    return _detect(content, filename)[0]


def parse_file(content: bytes, filename: str) -> ParseResult:
    """Detect the kind of an export file and parse it with that vendor's parser.

    For an .xlsx workbook the parser reads its first sheet as CSV text; a ``FormatError``'s
    line is then the sheet's row.
    """
    kind, readable = _detect(content, filename)
    return _PARSERS[kind](readable)


@dataclass(frozen=True)
class DetectedFile:
    """An export file whose kind is known; parse it once, either way."""

    kind: str
    readable: bytes
    """What its parser reads (a workbook's first sheet as CSV text, else the file itself)."""

    def parse(self) -> ParseResult:
        return _PARSERS[self.kind](self.readable)

    def parse_table(self) -> ParseResult | TableResult:
        """The rows as an Arrow table where the kind has a fast reader and the file passes its
        checks; otherwise (and for every bad file) :meth:`parse`, whose errors name line and field."""
        fast = _TABLE_PARSERS.get(self.kind)
        result = fast(self.readable) if fast is not None else None
        return result if result is not None else self.parse()


def detect_file(content: bytes, filename: str) -> DetectedFile:
    """:func:`detect_kind`, keeping what the parser needs, so a loader detects each file once."""
    return DetectedFile(*_detect(content, filename))
