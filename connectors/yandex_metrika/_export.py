"""Parser of a Yandex Metrika report saved from the interface (CSV or Excel) with goal reaches
-> the rows ``parse_goal_report`` gives for the API answer.

::

    Период: 01.03.2026 - 02.03.2026                    <- optional preamble lines
    Атрибуция: Последний значимый переход
    Дата визита;Источник трафика;UTM Source;UTM Medium;UTM Campaign;Заявка (ID 301) (достижения цели)
    Итого и средние;;;;;4                                <- dropped
    01.03.2026;Переходы по рекламе;yandex;cpc;brand;3

What a row needs, and where it is READ from the file: the day (``Дата визита``/``Дата``,
DD.MM.YYYY or YYYY-MM-DD), the traffic source and the UTM source/medium/campaign columns
(each optional) and one goal-reaches column per goal. Metrika numbers its goals; a report
shows them by name. **The goal id must therefore be in the file**, either

- in the reaches column's title: ``Цель 301 (достижения)``, ``Заявка (ID 301) (достижения
  цели)``, ``Достижения цели 301``, ``Заявка (301)...`` or the API name ``ym:s:goal301reaches``;
- or in an ``ID цели`` column next to a single ``Достижения цели`` column (one row per goal).

A reaches column without an id is refused, naming the column and the ways to export it with
one; guessing the id from the goal's name would need the counter's goal list, which a file
does not carry (the pipeline matches ``goal_id`` against the account's allowed goals).

INFERRED, not read anywhere (Metrika's export layout is not documented in what was found):

- the column titles above, the optional preamble lines before the header and the "Итого и
  средние" row; the attribution model from a preamble line mentioning "атрибуция" (or the
  traffic source column's title) by its Russian name (``Последний значимый переход`` ->
  ``lastsign``, ...), else None; the period from a preamble line mentioning "период", else the
  first and last day of the rows;
- the traffic source's id from its Russian (or English) display name (``Переходы по рекламе``
  -> ``ad``); an unknown name is kept as the id too, as the API parser does without an id;
- ``Не определено`` in a UTM column means none;
- the counter id only from an ``ID счётчика`` column (else None); ``sampled`` and
  ``contains_sensitive_data`` are None (an export does not say);
- a fractional number of reaches means a sampled report, which is refused.
"""

from __future__ import annotations

import re
from datetime import date

from connectors._csv import Table, find_table, is_blank, is_totals, match_titles, normalise_header
from connectors._result import ParseResult, date_span
from connectors._text import decode_text, parse_date, parse_ru_decimal, quote
from connectors.errors import FormatError
from connectors.yandex_metrika._report import goal_reach_row

__all__ = ["KIND", "find_goals_export_table", "parse_goals_export"]

KIND = "yandex_metrika_goals_export"

_TITLES: dict[str, tuple[str, ...]] = {
    "date": ("дата визита", "дата", "date", "ym:s:date"),
    "traffic_source": (
        "источник трафика",
        "тип источника трафика",
        "последний источник трафика",
        "последний значимый источник трафика",
        "источник",
        "traffic source",
    ),
    "utm_source": ("utm source", "utm_source", "метка utm source"),
    "utm_medium": ("utm medium", "utm_medium", "метка utm medium"),
    "utm_campaign": ("utm campaign", "utm_campaign", "метка utm campaign"),
    "goal_id": ("id цели", "идентификатор цели", "номер цели", "goal id"),
    "counter_id": ("id счетчика", "номер счетчика", "счетчик", "counter id"),
}
_REACHES = "reaches:"
"""Prefix of the pseudo-fields naming the goal-reaches columns (``reaches:5`` = column 5)."""
_API_METRIC = re.compile(r"ym:s:goal(\d+)reaches")
_GOAL_IN_TITLE = (
    _API_METRIC,
    re.compile(r"(?:\bid\b|№|\bцель\b|\bцели\b|\bgoal\b)\s*(?:цели\s*)?[:#№]?\s*(\d+)"),
    re.compile(r"\((\d+)\)"),
)
_OTHER_EXPORTS = frozenset({"название лида", "название сделки"})

_MODELS = (  # Russian name (normalised: no hyphens) -> model, longest first
    ("последний значимый переход кросс девайс", "cross_device_last_significant"),
    ("последний переход из директа кросс девайс", "cross_device_last_yandex_direct_click"),
    ("последний переход кросс девайс", "cross_device_last"),
    ("первый переход кросс девайс", "cross_device_first"),
    ("последний значимый переход", "lastsign"),
    ("последний переход из директа", "last_yandex_direct_click"),
    ("последний переход", "last"),
    ("первый переход", "first"),
    ("автоматическая", "automatic"),
)
_TRAFFIC_SOURCES = {
    "переходы по рекламе": "ad",
    "переходы из поисковых систем": "organic",
    "прямые заходы": "direct",
    "внутренние переходы": "internal",
    "переходы по ссылкам на сайтах": "referral",
    "переходы из социальных сетей": "social",
    "переходы из рекомендательных систем": "recommend",
    "переходы из мессенджеров": "messenger",
    "переходы из почтовых рассылок": "email",
    "переходы с сохраненных страниц": "saved",
    "не определено": "undefined",
    "ad traffic": "ad",
    "search engine traffic": "organic",
    "direct traffic": "direct",
    "internal traffic": "internal",
    "link traffic": "referral",
    "social network traffic": "social",
}
_NO_VALUE = frozenset({"", "не определено", "не указано", "not specified", "-", "—"})
_DAY = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}")


def _is_reaches(name: str) -> bool:
    return "достижени" in name or bool(_API_METRIC.fullmatch(name))


def _match_header(cells: list[str]) -> dict[str, int] | None:
    names = [normalise_header(cell) for cell in cells]
    if _OTHER_EXPORTS & set(names):
        return None
    reaches = {f"{_REACHES}{i}": i for i, name in enumerate(names) if _is_reaches(name)}
    columns = match_titles(cells, _TITLES)
    if not reaches or "date" not in columns:
        return None
    return {**columns, **reaches}


def find_goals_export_table(text: str) -> Table | None:
    """The goal reaches table of a saved Metrika report, if ``text`` holds one."""
    return find_table(text, _match_header)


def _goal_in_title(title: str) -> int | None:
    name = normalise_header(title)
    ids = {int(m) for pattern in _GOAL_IN_TITLE for m in pattern.findall(name)}
    if len(ids) > 1:
        raise ValueError(f"the title names several goal ids ({', '.join(map(str, sorted(ids)))})")
    return ids.pop() if ids else None


_NO_GOAL_ID = (
    "this column does not say which goal it counts: Metrika numbers its goals, and a report "
    'names them only by name. Export the report with an "ID цели" column, or put the goal id in '
    'the column title (e.g. "Заявка (ID 301) (достижения цели)"), or save the API answer '
    "(stat/v1/data JSON with ym:s:goal<ID>reaches metrics) instead"
)


def _goal_columns(table: Table) -> list[tuple[str, int | None]]:
    """(reaches field, its goal id) per reaches column; the id is None when an ID column gives it."""
    fields = [name for name in table.columns if name.startswith(_REACHES)]
    if "goal_id" in table.columns:
        if len(fields) != 1:
            titles = ", ".join(f'"{table.label(f)}"' for f in fields)
            raise FormatError(
                f'an "ID цели" column goes with one reaches column, not {len(fields)} ({titles})',
                line=table.header_line,
            )
        return [(fields[0], None)]
    found: list[tuple[str, int | None]] = []
    for field in fields:
        try:
            goal_id = _goal_in_title(table.label(field))
        except ValueError as exc:
            raise FormatError(str(exc), line=table.header_line, field=table.label(field)) from None
        if goal_id is None:
            raise FormatError(_NO_GOAL_ID, line=table.header_line, field=table.label(field))
        found.append((field, goal_id))
    return found


def _preamble_facts(text: str, table: Table) -> tuple[str | None, tuple[date | None, date | None]]:
    """The attribution model and the period stated above the header, if stated."""
    lines = text.splitlines()[: table.header_line - 1]
    model: str | None = None
    period: tuple[date | None, date | None] = (None, None)
    traffic = table.label("traffic_source") if "traffic_source" in table.columns else ""
    for line, is_title in [*((line, False) for line in lines), (traffic, True)]:
        lowered = " ".join(line.lower().replace("ё", "е").replace("-", " ").split())
        if model is None and ("атрибуц" in lowered or is_title):
            model = next((code for name, code in _MODELS if name in lowered), None)
        days = _DAY.findall(line)
        if "период" in lowered and len(days) == 2 and period == (None, None):
            period = (parse_date(days[0]), parse_date(days[1]))
    return model, period


def _day(value: str) -> date:
    if not value.strip():
        raise ValueError("the date is empty")
    return parse_date(value)


def _text(value: str) -> str | None:
    text = value.strip()
    return None if text.lower() in _NO_VALUE else text


def _whole(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"{quote(value)} is not an id (a whole number)")
    return int(text)


def _reaches(value: str) -> int:
    text = value.strip()
    if text in ("", "-", "—"):
        return 0
    number = parse_ru_decimal(text)
    if number < 0:
        raise ValueError(f"{quote(value)} is negative")
    if number != number.to_integral_value():
        raise ValueError(
            f"{quote(value)} is not a whole number of reaches: the report is sampled; export it "
            "with 100% accuracy"
        )
    return int(number)


def parse_goals_export(content: bytes) -> ParseResult:
    """A saved Metrika report with goal reaches (CSV; an .xlsx is converted by
    ``connectors.files``) -> one row per (day, goal, source, UTM tags) with reaches > 0.

    The rows have exactly the keys of the API's: date, counter_id, goal_id, attribution,
    traffic_source, traffic_source_name, utm_source, utm_medium, utm_campaign, reaches,
    sampled, contains_sensitive_data and ``_origin_line``; what the file does not say is None.
    A reaches column without a goal id, a bad date or a fractional count raises
    ``FormatError`` naming the line and column.
    """
    text = decode_text(content)
    table = find_goals_export_table(text)
    if table is None:
        raise FormatError(
            'no header with a date ("Дата визита") and a goal reaches ("... (достижения цели)") column: '
            "not a saved Metrika goals report"
        )
    goals = _goal_columns(table)
    attribution, period = _preamble_facts(text, table)
    rows: list[dict[str, object]] = []
    for line, cells in table.records:
        if is_blank(cells) or is_totals(cells):
            continue
        table.check_width(line, cells)
        day = table.value(line, cells, "date", _day)
        source_name = table.value(line, cells, "traffic_source", _text)
        source = None if source_name is None else _TRAFFIC_SOURCES.get(source_name.lower(), source_name)
        utms = {
            name: table.value(line, cells, name, _text)
            for name in ("utm_source", "utm_medium", "utm_campaign")
        }
        counter_id = table.value(line, cells, "counter_id", _whole)
        for field, title_goal in goals:
            goal_id: int | None = title_goal
            if goal_id is None:
                goal_id = table.value(line, cells, "goal_id", _whole)
            reaches = table.value(line, cells, field, _reaches)
            if not reaches:
                continue
            if goal_id is None:
                raise FormatError("the goal id is empty", line=line, field=table.label("goal_id"))
            rows.append(
                goal_reach_row(
                    day=day,
                    counter_id=counter_id,
                    goal_id=goal_id,
                    attribution=attribution,
                    traffic_source=source,
                    traffic_source_name=source_name,
                    utm_source=utms["utm_source"],
                    utm_medium=utms["utm_medium"],
                    utm_campaign=utms["utm_campaign"],
                    reaches=reaches,
                    sampled=None,
                    contains_sensitive_data=None,
                    origin_line=line,
                )
            )
    date_from, date_to = period if period != (None, None) else date_span(row["date"] for row in rows)
    return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)
