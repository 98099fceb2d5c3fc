"""Parser of Bitrix24's leads export (CRM -> Лиды -> "Экспорт в CSV/Excel") -> the API's lead rows.

::

    ID;Название лида;Стадия;Источник;Дата создания;Рабочий телефон;Рабочий e-mail;Рекламная система
    4821;Лид с сайта;Не обработан;Веб-сайт;14.03.2026 18:52:13;+7 926 123-45-67;ivan@example.ru;yandex

READ: the field titles Bitrix24 gives the lead fields (``crm.lead.fields`` as seen in
third-party code and the REST docs): ``ID``, ``Название лида`` (TITLE), ``Дата создания``,
``Дата изменения``, ``Стадия`` (STATUS_ID), ``Источник`` (SOURCE_ID), ``Ответственный``,
``Рекламная система`` (UTM_SOURCE), ``Тип трафика`` (UTM_MEDIUM), ``Обозначение рекламной
кампании`` (UTM_CAMPAIGN), ``Содержание кампании`` (UTM_CONTENT), ``Условие поиска кампании``
(UTM_TERM); the phone and e-mail columns of an import/export file (``Рабочий телефон``,
``Мобильный телефон``, ``Рабочий e-mail``, ``Частный e-mail``...); the default stages NEW "Не
обработан", IN_PROCESS "В работе", PROCESSED "Обработан", JUNK "Некачественный лид", CONVERTED
"Качественный лид" (REST docs, lead fields).

INFERRED, not read anywhere:

- the export writes display names, not codes: a default stage name is turned back into its
  code (so ``status_id`` is ``JUNK`` for junk leads, as the API gives it); another stage name
  (a portal's own stage) and the source are kept as written (``Веб-сайт``, not ``WEB``);
- the times are the portal's local time, ``DD.MM.YYYY HH:MM:SS``; they are turned into naive
  UTC like the API's offset times, in ``tz`` (Europe/Moscow unless told);
- the responsible user, company and contact are names: ``assigned_by_id``, ``company_id`` and
  ``contact_id`` are None;
- ``UTM Source``-style titles (as some portals' grids show them) are read too;
- several values of a phone or e-mail field share a cell separated by commas: the first is
  taken.

The encoding and separator of the CSV are not documented (formats.md: unverified); the usual
ones (UTF-8 with or without BOM, Windows-1251; ``;``, tab or ``,``) are all read.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from zoneinfo import ZoneInfo

from connectors._csv import (
    Table,
    find_table,
    is_blank,
    is_totals,
    local_moment,
    match_titles,
    normalise_header,
    required_local_moment,
)
from connectors._result import ParseResult, created_span_result
from connectors._text import decode_text, record_id, text_or_none
from connectors.errors import FormatError

__all__ = ["KIND", "STAGE_CODES", "find_bitrix24_export_table", "parse_bitrix24_export"]

KIND = "bitrix24_leads_export"

MOSCOW = ZoneInfo("Europe/Moscow")

STAGE_CODES: dict[str, str] = {
    "не обработан": "NEW",
    "в работе": "IN_PROCESS",
    "обработан": "PROCESSED",
    "некачественный лид": "JUNK",
    "качественный лид": "CONVERTED",
}
"""The default lead stages' names (lower case) -> their STATUS_ID."""

_CODE = re.compile(r"[A-Z][A-Z0-9_:]*")
_PHONES = ("phone_work", "phone_mobile", "phone", "phone_home", "phone_other", "phone_mailing")
_EMAILS = ("email_work", "email_private", "email", "email_mailing", "email_other")
_UTMS: dict[str, tuple[str, ...]] = {
    "utm_source": ("рекламная система",),
    "utm_medium": ("тип трафика",),
    "utm_campaign": ("обозначение рекламной кампании",),
    "utm_content": ("содержание кампании",),
    "utm_term": ("условие поиска кампании",),
}

# field -> column titles (normalised), preferred first
_TITLES: dict[str, tuple[str, ...]] = {
    "lead_id": ("id",),
    "title": ("название лида", "название"),
    "created_at": ("дата создания",),
    "updated_at": ("дата изменения", "дата редактирования", "дата последнего изменения"),
    "status_id": ("стадия", "статус", "стадия лида", "статус лида"),
    "source_id": ("источник",),
    "phone_work": ("рабочий телефон",),
    "phone_mobile": ("мобильный телефон",),
    "phone": ("телефон",),
    "phone_home": ("домашний телефон",),
    "phone_other": ("другой телефон",),
    "phone_mailing": ("телефон для рассылок",),
    "email_work": ("рабочий e-mail", "рабочий email"),
    "email_private": ("частный e-mail", "частный email", "личный e-mail"),
    "email": ("e-mail", "email"),
    "email_mailing": ("e-mail для рассылок", "email для рассылок"),
    "email_other": ("другой e-mail", "другой email"),
    **{utm: (*names, utm, utm.replace("_", " ")) for utm, names in _UTMS.items()},
}
_CONTACT_TITLES = frozenset(_TITLES["phone_work"] + _TITLES["phone_mobile"] + _TITLES["email_work"])


def _match_header(cells: list[str]) -> dict[str, int] | None:
    names = {normalise_header(cell) for cell in cells}
    lead_titled = "название лида" in names
    staged = bool(names & {"стадия", "стадия лида", "статус лида"}) and bool(names & _CONTACT_TITLES)
    if not (lead_titled or staged) or "название сделки" in names:
        return None
    return match_titles(cells, _TITLES)


def find_bitrix24_export_table(text: str) -> Table | None:
    """The leads table of a Bitrix24 export, if ``text`` holds one."""
    return find_table(text, _match_header)


def _lead_id(value: str) -> int:
    return record_id(value, "lead ID")


_text = text_or_none


def _stage(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if _CODE.fullmatch(text):
        return text  # already a code (NEW, JUNK, UC_1A2B3C)
    return STAGE_CODES.get(" ".join(text.lower().replace("ё", "е").split()), text)


def _first(value: str | None) -> str | None:
    if value is None:
        return None
    return next((part.strip() for part in value.split(",") if part.strip()), None)


def _required(table: Table, field: str, title: str) -> None:
    if field not in table.columns:
        raise FormatError(
            f'the Bitrix24 export has no "{title}" column: export the leads with the {title} field',
            line=table.header_line,
        )


def parse_bitrix24_export(content: bytes, *, tz: tzinfo = MOSCOW) -> ParseResult:
    """A Bitrix24 leads export (CSV; an .xlsx is converted by ``connectors.files``) -> lead rows.

    The rows have exactly the keys of ``parse_leads`` (the API's): lead_id, title, created_at,
    updated_at (naive UTC from the local times in ``tz``), status_id (a default stage's code,
    else the stage as written), source_id (as written), assigned_by_id, company_id, contact_id
    (None: the export names them), phone and email (the first filled of the phone and e-mail
    columns, as given), utm_source ... utm_term and ``_origin_line``. Requires the ``ID`` and
    ``Дата создания`` columns; a bad value raises ``FormatError`` naming the line and column.
    """
    table = find_bitrix24_export_table(decode_text(content))
    if table is None:
        raise FormatError(
            'no header with "Название лида" (or "Стадия" and phone columns): not a Bitrix24 leads export'
        )
    _required(table, "lead_id", "ID")
    _required(table, "created_at", "Дата создания")

    moment = local_moment(tz)
    required_moment = required_local_moment(tz, "creation date")

    rows: list[dict[str, object]] = []
    for line, cells in table.records:
        if is_blank(cells) or is_totals(cells):
            continue
        table.check_width(line, cells)
        row: dict[str, object] = {
            "lead_id": table.value(line, cells, "lead_id", _lead_id),
            "title": table.value(line, cells, "title", _text),
            "created_at": table.value(line, cells, "created_at", required_moment),
            "updated_at": table.value(line, cells, "updated_at", moment),
            "status_id": table.value(line, cells, "status_id", _stage),
            "source_id": table.value(line, cells, "source_id", _text),
            "assigned_by_id": None,
            "company_id": None,
            "contact_id": None,
            "phone": _first(table.first_filled(cells, _PHONES)),
            "email": _first(table.first_filled(cells, _EMAILS)),
            **{utm: table.value(line, cells, utm, _text) for utm in _UTMS},
            "_origin_line": line,
        }
        rows.append(row)
    return created_span_result(KIND, rows)
