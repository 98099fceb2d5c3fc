"""Parser of the Calltouch requests journal ("Журнал заявок") saved from the cabinet as CSV or
Excel -> the API's request rows (``_requests.COLUMNS``).

::

    ID заявки;Дата;Название формы;Источник;utm_source;Телефон;Email;Уникальная;Целевая
    41872215;14.03.2026 18:52:13;Расчёт стоимости;yandex;yandex;79261234567;ivan@example.ru;Да;Да

READ (calltouch.ru/support, "Отправка заявок с сайта по API"): the journal has a column for the
form name (``subject``, "отображается в одноименном столбце журнала заявок") and a "Номер
заявки" column (the site's ``requestNumber``); the API's fields (see ``_requests``).

INFERRED, not read anywhere (the journal's column list is shown only in screenshots):

- the column titles: the request's Calltouch id as ``ID заявки`` (or ``ID`` next to other
  "заявк..." columns), the time as ``Дата``/``Дата заявки``/``Дата и время``, the type, form,
  status, page, source, channel (medium), keyword, city, ``utm_*``, phone, e-mail, the flags
  ``Уникальная``/``Целевая``/``Уникально-целевая`` (``Да``/``Нет``), ``ID звонка``,
  ``ID сессии``; matched case-insensitively, in any order;
- the time is the cabinet's local time, like the API's ``dateStr``: it fills
  ``request_date_local`` (``DD.MM.YYYY HH:MM(:SS)`` or ``DD/MM/YYYY HH:MM:SS``);
  ``request_timestamp_utc`` is None (the export has no Unix time);
- ``<не указано>`` means "none", as in the API;
- the export has no site id and no orders: ``site_id``, ``order_count`` and ``order_*`` are None.
"""

from __future__ import annotations

from datetime import datetime

from connectors._csv import Table, find_table, is_blank, is_totals, match_titles, normalise_header, optional
from connectors._result import ParseResult, date_span
from connectors._text import decode_text, parse_ru_datetime, parse_yes_no, quote
from connectors.calltouch._calls import NOT_SPECIFIED
from connectors.calltouch._requests import COLUMNS
from connectors.errors import FormatError

__all__ = ["KIND", "find_requests_export_table", "parse_requests_export"]

KIND = "calltouch_requests_export"

_TEXTS = (
    "request_number",
    "request_type",
    "subject",
    "status",
    "request_url",
    "source",
    "medium",
    "keyword",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "city",
    "client_phone",
    "client_email",
)
_FLAGS = ("target_request", "unique_request", "uniq_target_request")
_IDS = ("session_id", "call_id")

# field -> column titles (normalised), preferred first
_TITLES: dict[str, tuple[str, ...]] = {
    "request_id": ("id заявки", "идентификатор заявки", "requestid", "id"),
    "request_number": ("номер заявки", "requestnumber"),
    "request_date_local": ("дата", "дата заявки", "дата и время", "дата и время заявки", "дата создания"),
    "request_type": ("тип заявки", "тип"),
    "subject": ("название формы", "форма", "тема", "тема заявки", "subject"),
    "status": ("статус", "статус заявки"),
    "request_url": ("url", "url страницы", "страница", "страница заявки", "адрес страницы"),
    "target_request": ("целевая", "целевая заявка"),
    "unique_request": ("уникальная", "уникальная заявка"),
    "uniq_target_request": (
        "уникально-целевая",
        "уникально-целевая заявка",
        "уникальная целевая",
        "уникальная и целевая",
    ),
    "session_id": ("id сессии", "сессия"),
    "source": ("источник",),
    "medium": ("канал", "medium"),
    "keyword": ("ключевое слово", "ключевые слова", "ключевой запрос", "поисковый запрос"),
    **{
        f"utm_{tag}": (f"utm_{tag}", f"utm {tag}")
        for tag in ("source", "medium", "campaign", "content", "term")
    },
    "city": ("город",),
    "client_phone": ("телефон", "номер телефона", "телефон клиента"),
    "client_email": ("email", "e-mail", "почта", "электронная почта"),
    "call_id": ("id звонка",),
}
_REQUEST_ID_TITLES = frozenset({"id заявки", "идентификатор заявки", "requestid"})
_OTHER_EXPORTS = frozenset({"название лида", "название сделки"})


def _match_header(cells: list[str]) -> dict[str, int] | None:
    names = [normalise_header(cell) for cell in cells]
    if _OTHER_EXPORTS & set(names):
        return None
    specific = bool(_REQUEST_ID_TITLES & set(names))
    generic = "id" in names and any("заявк" in name for name in names)
    if not (specific or generic):
        return None
    columns = match_titles(cells, _TITLES)
    return columns if "request_date_local" in columns else None


def find_requests_export_table(text: str) -> Table | None:
    """The requests table of a saved Calltouch requests journal, if ``text`` holds one."""
    return find_table(text, _match_header)


def _whole(value: str, what: str) -> int:
    text = value.strip()
    if not text.isdigit():
        raise ValueError(f"{quote(value)} is not {what} (a whole number)")
    return int(text)


def _id(value: str) -> int:
    return _whole(value, "an id")


def _request_id(value: str) -> int:
    if not value.strip():
        raise ValueError("the request id is empty")
    return _whole(value, "a request id")


def _text(value: str) -> str | None:
    text = value.strip()
    return None if text in ("", NOT_SPECIFIED) else text


def _local_time(value: str) -> datetime:
    if not value.strip():
        raise ValueError("the request time is empty")
    return parse_ru_datetime(value)


def parse_requests_export(content: bytes) -> ParseResult:
    """A saved requests journal (CSV; an .xlsx is converted by ``connectors.files``) -> rows.

    The rows have exactly the keys of ``parse_requests`` (``COLUMNS`` plus ``_origin_line``);
    what the export does not carry is None. Requires the request id and time columns; a bad
    value raises ``FormatError`` naming the line and column. The period is the first and last
    local day.
    """
    table = find_requests_export_table(decode_text(content))
    if table is None:
        raise FormatError(
            'no header with "ID заявки" and "Дата" columns: not a saved Calltouch requests journal'
        )
    rows: list[dict[str, object]] = []
    for line, cells in table.records:
        if is_blank(cells) or is_totals(cells):
            continue
        table.check_width(line, cells)
        found: dict[str, object] = {
            "request_id": table.value(line, cells, "request_id", _request_id),
            "request_date_local": table.value(line, cells, "request_date_local", _local_time),
        }
        for name in _TEXTS:
            found[name] = table.value(line, cells, name, _text)
        for name in _FLAGS:
            found[name] = table.value(line, cells, name, parse_yes_no)
        for name in _IDS:
            found[name] = table.value(line, cells, name, optional(_id))
        row: dict[str, object] = {column: found.get(column) for column in COLUMNS}
        row["_origin_line"] = line
        rows.append(row)
    date_from, date_to = date_span(
        row["request_date_local"].date() for row in rows if isinstance(row["request_date_local"], datetime)
    )
    return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)
