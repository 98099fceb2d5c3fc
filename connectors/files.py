"""Dropped export files: tell their kind from the content, then parse them.

The kind is decided by the content; the file name only breaks ties (an empty JSON array, an
empty Bitrix24 ``result``, an API error reply, a CSV carrying both kinds of header).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import PurePosixPath

from connectors._result import ParseResult
from connectors._text import decode_text, quote
from connectors.amocrm._leads import KIND as AMOCRM_LEADS
from connectors.amocrm._leads import parse_leads as parse_amocrm_leads
from connectors.bank_statement._statement import KIND as BANK_STATEMENT
from connectors.bank_statement._statement import looks_like_bank_statement, parse_bank_statement
from connectors.bitrix24._leads import KIND as BITRIX24_LEADS
from connectors.bitrix24._leads import parse_leads as parse_bitrix24_leads
from connectors.cabinet_csv._parse import KIND as CABINET_CSV
from connectors.cabinet_csv._parse import find_cabinet_table, parse_cabinet_csv
from connectors.calltouch._calls import KIND as CALLTOUCH_CALLS
from connectors.calltouch._calls import parse_calls
from connectors.calltouch._requests import KIND as CALLTOUCH_REQUESTS
from connectors.calltouch._requests import parse_requests
from connectors.comagic._calls import KIND as COMAGIC_CALLS
from connectors.comagic._calls import parse_calls_report
from connectors.errors import FormatError, UnknownFormatError
from connectors.invoices._register import KIND as INVOICE_REGISTER
from connectors.invoices._register import find_invoice_table, parse_invoice_register
from connectors.vk_ads._stats import KIND as VK_ADS_STATS
from connectors.vk_ads._stats import parse_campaign_day_stats
from connectors.yandex_direct._report import KIND as YANDEX_DIRECT_TSV
from connectors.yandex_direct._report import looks_like_report, parse_report_tsv
from connectors.yandex_metrika._report import KIND as METRIKA_GOAL_REACHES
from connectors.yandex_metrika._report import is_goal_report, parse_saved_goal_report

__all__ = ["FILE_KINDS", "detect_kind", "parse_file"]

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
# An empty JSON array is a Calltouch day without records: of requests if its name says requests
# (or leads) and not calls, else of calls. "leads" is too vague to route anything else.
_REQUESTS_WORDS = _NAME_HINTS[CALLTOUCH_REQUESTS] | {"leads", "лиды", "лидов"}
_CALLS_WORDS = frozenset({"calls", "call", "звонки", "звонков"})
_WORD = re.compile(r"[a-zа-яё]+")

_EXPECTED = (
    "expected one of: a Yandex Direct TSV report (Date, CampaignId, ... columns), a VK Ads statistics "
    "JSON, a Calltouch calls JSON, a Calltouch requests JSON, a Metrika goal reaches JSON (stat/v1/data), "
    "an amoCRM /api/v4/leads JSON, a Bitrix24 crm.lead.list JSON, a CoMagic get.calls_report JSON, "
    "a cabinet CSV (Дата;Кампания;Показы;Клики;Расход) or an invoice register CSV (Дата;Номер;ИНН;Итого)"
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


def _binary_kind(content: bytes) -> str | None:
    if content.startswith(b"PK\x03\x04"):
        return "an Excel workbook (.xlsx) or another zip archive"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel workbook (.xls)"
    if content.startswith(b"%PDF"):
        return "a PDF document"
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


def detect_kind(content: bytes, filename: str) -> str:
    """The kind of an export file (a key of ``FILE_KINDS``), told from its content.

    Raises ``UnknownFormatError`` saying what the file looks like and what was expected.
    """
    if not content.strip():
        raise UnknownFormatError("the file is empty")
    if looks_like_bank_statement(content):  # before decoding: it may be CP866
        return BANK_STATEMENT
    binary = _binary_kind(content)
    if binary is not None:
        raise UnknownFormatError(
            f"this is {binary}, not a text export: save it as CSV (UTF-8 or Windows-1251, ';' separated) "
            "and drop that instead"
        )
    try:
        text = decode_text(content)
    except FormatError as exc:
        raise UnknownFormatError(exc.reason, line=exc.line) from None
    if "\x00" in text:
        raise UnknownFormatError("a binary file (it contains NUL bytes), not a text export")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            body = json.loads(stripped, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise UnknownFormatError(f"looks like JSON but is not valid JSON: {exc.msg}") from None
        return _json_kind(body, filename)
    if looks_like_report(text):
        return YANDEX_DIRECT_TSV
    candidates = [
        kind
        for kind, find in ((INVOICE_REGISTER, find_invoice_table), (CABINET_CSV, find_cabinet_table))
        if find(text) is not None
    ]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        kind = _hinted(filename, candidates)
        if kind is None:
            raise UnknownFormatError(
                "the file has both invoice-register and campaign-statistics columns; put 'invoices' or "
                "the ad platform in the file name"
            )
        return kind
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    raise UnknownFormatError(f"cannot tell what this file is (first line {quote(first)}); {_EXPECTED}")


def parse_file(content: bytes, filename: str) -> ParseResult:
    """Detect the kind of an export file and parse it with that vendor's parser."""
    return _PARSERS[detect_kind(content, filename)](content)
