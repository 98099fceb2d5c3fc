"""Parser of campaign statistics CSV files exported from an ad cabinet by hand.

::

    Отчёт по кампаниям;;;;                      <- optional preamble lines
    Дата;Кампания;Показы;Клики;Расход (с НДС)
    01.03.2026;Бренд | поиск;1 520;37;1 234,56
    Итого;;1 520;37;1 234,56                    <- optional footer, dropped

Windows-1251 or UTF-8 (with or without BOM); ``;``, tab or ``,`` separated; decimal comma;
dates ``DD.MM.YYYY`` or ``YYYY-MM-DD``. The file does not say which platform it came from: the
caller reads that from the file name (``platform_from_filename``).
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath

from connectors._csv import Table, find_table, is_blank, is_totals, normalise_header, optional
from connectors._result import ParseResult, date_span
from connectors._text import decode_text, parse_date, parse_ru_decimal, parse_ru_int
from connectors.errors import FormatError

__all__ = [
    "KIND",
    "find_cabinet_table",
    "missing_cabinet_columns",
    "parse_cabinet_csv",
    "platform_from_filename",
]

KIND = "cabinet_csv"

_COLUMNS: dict[str, frozenset[str]] = {
    "date": frozenset({"дата", "день", "date", "day"}),
    "campaign_name": frozenset({"кампания", "название кампании", "campaign", "campaign name"}),
    "impressions": frozenset({"показы", "impressions", "impr."}),
    "clicks": frozenset({"клики", "clicks"}),
}
_COST_NAMES = frozenset({"расход", "расходы", "стоимость", "затраты", "cost", "spend", "amount spent"})
_VAT_INCLUDED = re.compile(r"(?<!\w)(?:с|вкл\.?|включая)\s*ндс")
_VAT_EXCLUDED = re.compile(r"(?<!\w)без\s*ндс")
_RATE = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")
_PARENTHESISED = re.compile(r"\([^)]*\)")


def _cost_header(cell: str) -> tuple[bool, Decimal | None] | None:
    """``"Расход (с НДС 22%)"`` -> (True, 22); ``"Расход, ₽"`` -> (False, None); other -> None."""
    name = normalise_header(cell)
    stem = _PARENTHESISED.sub(" ", name).split(",")[0]
    for pattern in (_VAT_INCLUDED, _VAT_EXCLUDED, _RATE):
        stem = pattern.sub(" ", stem)
    if " ".join(stem.split()) not in _COST_NAMES:
        return None
    includes_vat = _VAT_INCLUDED.search(name) is not None
    rate = _RATE.search(name) if includes_vat else None
    return includes_vat, (Decimal(rate[1].replace(",", ".")) if rate else None)


def _match_header(cells: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    costs: list[tuple[bool, int]] = []
    for index, cell in enumerate(cells):
        name = normalise_header(cell)
        for field, names in _COLUMNS.items():
            if name in names:
                columns.setdefault(field, index)
        cost = _cost_header(cell)
        if cost is not None:
            costs.append((cost[0], index))
    if "date" not in columns or "campaign_name" not in columns or not costs:
        return None
    columns["cost"] = min(costs)[1]  # a net-of-VAT column wins over a with-VAT one
    return columns


def find_cabinet_table(text: str) -> Table | None:
    """The campaign table of a cabinet export, if ``text`` holds one."""
    return find_table(text, _match_header)


_REQUIRED_TITLES = {"date": "Дата", "campaign_name": "Кампания", "cost": "Расход (or Стоимость/Затраты/Cost)"}
_NEAR_MISS_LINES = 20


def _known_columns(cells: list[str]) -> set[str]:
    names = {normalise_header(cell) for cell in cells}
    known = {field for field, titles in _COLUMNS.items() if names & titles}
    if any(_cost_header(cell) is not None for cell in cells):
        known.add("cost")
    return known


def missing_cabinet_columns(text: str) -> tuple[int, str] | None:
    """A header among the first lines that is a campaign-statistics header but for a required
    column: its line and what is missing (``"Расход (or Стоимость/Затраты/Cost)"``), else None.

    A header "looks like" one when it has three of Дата, Кампания, Показы, Клики and Расход.
    """
    for delimiter in (";", "\t", ","):
        for number, line in enumerate(text.split("\n", _NEAR_MISS_LINES)[:_NEAR_MISS_LINES], start=1):
            known = _known_columns(line.split(delimiter))
            missing = [title for field, title in _REQUIRED_TITLES.items() if field not in known]
            if missing and len(known) >= 3:
                return number, " and ".join(missing)
    return None


def _campaign(value: str) -> str:
    name = value.strip()
    if not name:
        raise ValueError("the campaign name is empty")
    return name


def _required_date(value: str) -> date:
    if not value.strip():
        raise ValueError("the date is empty")
    return parse_date(value)


def parse_cabinet_csv(content: bytes) -> ParseResult:
    """A cabinet export -> rows of ``cabinet_campaign_stats`` (without ``platform``).

    ``cost_includes_vat`` is True when the cost header says so ("Расход (с НДС)"), and
    ``vat_rate`` is the rate the header states ("с НДС 22%"), else None. Totals rows
    ("Итого", "Всего") and blank rows are dropped; campaign names are trimmed.
    """
    text = decode_text(content)
    table = find_cabinet_table(text)
    near_miss = missing_cabinet_columns(text) if table is None else None
    if near_miss is not None:
        raise FormatError(f"the campaign statistics header has no {near_miss[1]} column", line=near_miss[0])
    if table is None:
        raise FormatError(
            "no header with the columns Дата, Кампания and Расход (or Стоимость/Затраты) found: "
            "not a campaign statistics export"
        )
    includes_vat, vat_rate = _cost_header(table.header[table.columns["cost"]]) or (False, None)
    rows: list[dict[str, object]] = []
    for line, cells in table.records:
        if is_blank(cells) or is_totals(cells):
            continue
        table.check_width(line, cells)
        rows.append(
            {
                "date": table.value(line, cells, "date", _required_date),
                "campaign_name": table.value(line, cells, "campaign_name", _campaign),
                "impressions": table.value(line, cells, "impressions", optional(parse_ru_int)),
                "clicks": table.value(line, cells, "clicks", optional(parse_ru_int)),
                "cost": table.value(line, cells, "cost", optional(parse_ru_decimal)),
                "cost_includes_vat": includes_vat,
                "vat_rate": vat_rate,
                "_origin_line": line,
            }
        )
    date_from, date_to = date_span(row["date"] for row in rows)
    return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)


_PLATFORM_TOKENS: dict[str, str] = {
    "google": "google_ads",
    "adwords": "google_ads",
    "гугл": "google_ads",
    "meta": "meta_ads",
    "facebook": "meta_ads",
    "fb": "meta_ads",
    "instagram": "meta_ads",
    "vk": "vk_ads",
    "vkontakte": "vk_ads",
    "mytarget": "vk_ads",
    "вк": "vk_ads",
    "вконтакте": "vk_ads",
    "yandex": "yandex_direct",
    "direct": "yandex_direct",
    "яндекс": "yandex_direct",
    "директ": "yandex_direct",
}
_WORD = re.compile(r"[a-zа-яё]+")


def platform_from_filename(name: str) -> str | None:
    """The canonical channel named in a file name (``google_ads_2026-03.csv`` -> ``google_ads``).

    Tokens: google/google_ads/adwords -> google_ads; meta/facebook/fb/instagram -> meta_ads;
    vk/vk_ads/mytarget -> vk_ads; yandex/direct/yandex_direct -> yandex_direct. None when the
    name names no platform, or several different ones.
    """
    stem = PurePosixPath(name.replace("\\", "/")).stem.lower()
    words = _WORD.findall(stem)
    found = {_PLATFORM_TOKENS[w] for w in words if w in _PLATFORM_TOKENS}
    found |= {"vk_ads" for pair in itertools.pairwise(words) if pair == ("my", "target")}
    return found.pop() if len(found) == 1 else None
