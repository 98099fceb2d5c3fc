"""Parser of amoCRM's deals export ("Сделки" -> "Экспорт", CSV or Excel) -> the API's lead rows.

::

    ID;Название сделки;Бюджет;Дата создания;Этап сделки;Рабочий телефон (контакт);utm_source
    19619;Заявка с сайта;46 333;01.03.2026 13:00:00;Первичный контакт;+7 999 123-45-67;yandex

READ (third-party code that imports these exports, not amoCRM's own docs): the column titles
``ID``, ``Название сделки``, ``Бюджет``, ``Ответственный``, ``Дата создания``, ``Дата
закрытия``, ``Теги``/``Теги сделки``, ``Этап сделки``, ``Воронка``, ``Основной контакт``, the
contact's phones and e-mails as ``Рабочий телефон (контакт)``, ``Мобильный телефон (контакт)``,
``Рабочий email (контакт)``, ``Личный email (контакт)``..., custom fields under their own names
(the tracking fields as ``utm_source``...); ``;`` separated CSV; dates ``DD.MM.YYYY HH:MM:SS``
(also ``DD.MM.YYYY HH:MM``).

INFERRED, not read anywhere:

- the times are the account's local time; they are turned into naive UTC like the API's Unix
  times, in ``tz`` (Europe/Moscow unless told, amoCRM's zone for Russian accounts);
- the export lists only deals that exist: ``is_deleted`` is False;
- the stage, pipeline and responsible user are names, not the API's ids: ``status_id``,
  ``pipeline_id`` and ``responsible_user_id`` are None, and so is ``contact_id`` (the export
  names the contact, it does not number it);
- several values of one field share a cell separated by commas: the first is taken, and the
  tags become the same JSON list of names as the API path's;
- ``Дата редактирования``/``Дата изменения`` is the update time if the export has it.
"""

from __future__ import annotations

import json
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
    optional,
    required_local_moment,
)
from connectors._result import ParseResult, created_span_result
from connectors._text import (
    decode_text,
    parse_ru_decimal,
    record_id,
    text_or_none,
)
from connectors.errors import FormatError

__all__ = ["KIND", "find_amocrm_export_table", "parse_amocrm_export"]

KIND = "amocrm_leads_export"

MOSCOW = ZoneInfo("Europe/Moscow")

_PHONES = ("phone_work", "phone_mobile", "phone_direct", "phone_home", "phone_other", "phone")
_EMAILS = ("email_work", "email_personal", "email_other", "email")
_UTMS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")

# field -> column titles (normalised), preferred first
_TITLES: dict[str, tuple[str, ...]] = {
    "lead_id": ("id", "id сделки"),
    "name": ("название сделки", "название", "сделка"),
    "price": ("бюджет", "бюджет сделки"),
    "created_at": ("дата создания", "дата создания сделки", "дата создания (сделка)"),
    "updated_at": ("дата редактирования", "дата изменения", "дата изменения сделки"),
    "closed_at": ("дата закрытия", "дата закрытия сделки"),
    "stage": ("этап сделки", "статус сделки", "этап", "статус"),
    "tags": ("теги сделки", "теги", "тег сделки", "теги (сделка)"),
    "phone_work": ("рабочий телефон (контакт)",),
    "phone_mobile": ("мобильный телефон (контакт)",),
    "phone_direct": ("рабочий прямой телефон (контакт)",),
    "phone_home": ("домашний телефон (контакт)",),
    "phone_other": ("другой телефон (контакт)",),
    "phone": ("телефон (контакт)", "телефон"),
    "email_work": ("рабочий email (контакт)", "рабочий e-mail (контакт)"),
    "email_personal": ("личный email (контакт)", "личный e-mail (контакт)"),
    "email_other": ("другой email (контакт)", "другой e-mail (контакт)"),
    "email": ("email (контакт)", "e-mail (контакт)", "email", "e-mail"),
    **{utm: (utm, utm.replace("_", " ")) for utm in _UTMS},
}
# Titles only a deals export has: one of them tells this export from other lead exports.
_DEAL_TITLES = frozenset({"название сделки", "этап сделки", "бюджет сделки", "id сделки", "теги сделки"})
_SEPARATORS = re.compile(r"[,;]")


def _match_header(cells: list[str]) -> dict[str, int] | None:
    if not _DEAL_TITLES & {normalise_header(cell) for cell in cells}:
        return None
    return match_titles(cells, _TITLES)


def find_amocrm_export_table(text: str) -> Table | None:
    """The deals table of an amoCRM export, if ``text`` holds one."""
    return find_table(text, _match_header)


def _lead_id(value: str) -> int:
    return record_id(value, "deal ID")


_text = text_or_none


def _first(value: str | None) -> str | None:
    if value is None:
        return None
    return next((part.strip() for part in _SEPARATORS.split(value) if part.strip()), None)


def _tags(value: str) -> str | None:
    names = [part.strip() for part in value.split(",") if part.strip()]
    return json.dumps(names, ensure_ascii=False) if names else None


def _required(table: Table, field: str, title: str) -> None:
    if field not in table.columns:
        raise FormatError(
            f'the amoCRM export has no "{title}" column: export the deals with the {title} field',
            line=table.header_line,
        )


def parse_amocrm_export(content: bytes, *, tz: tzinfo = MOSCOW) -> ParseResult:
    """An amoCRM deals export (CSV; an .xlsx is converted by ``connectors.files``) -> lead rows.

    The rows have exactly the keys of ``parse_leads`` plus ``contact_phone``/``contact_email``
    (what the API path gives): lead_id, name, status_id, pipeline_id, price, created_at,
    updated_at, closed_at (naive UTC from the local times in ``tz``), responsible_user_id,
    is_deleted, utm_source ... utm_term, contact_id, contact_phone, contact_email (the first
    of the contact's phone and e-mail columns, as given), tags and ``_origin_line``. Requires
    the ``ID`` and ``Дата создания`` columns; a bad value raises ``FormatError`` naming the line
    and column. Blank and "Итого" rows are dropped.
    """
    table = find_amocrm_export_table(decode_text(content))
    if table is None:
        raise FormatError('no header with "Название сделки" or "Этап сделки": not an amoCRM deals export')
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
            "name": table.value(line, cells, "name", _text),
            "status_id": None,
            "pipeline_id": None,
            "price": table.value(line, cells, "price", optional(parse_ru_decimal)),
            "created_at": table.value(line, cells, "created_at", required_moment),
            "updated_at": table.value(line, cells, "updated_at", moment),
            "closed_at": table.value(line, cells, "closed_at", moment),
            "responsible_user_id": None,
            "is_deleted": False,
            **{utm: table.value(line, cells, utm, _text) for utm in _UTMS},
            "contact_id": None,
            "contact_phone": _first(table.first_filled(cells, _PHONES)),
            "contact_email": _first(table.first_filled(cells, _EMAILS)),
            "tags": table.value(line, cells, "tags", _tags),
            "_origin_line": line,
        }
        rows.append(row)
    return created_span_result(KIND, rows)
