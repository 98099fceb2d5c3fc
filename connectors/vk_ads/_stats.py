"""Parser of ``GET /api/v2/statistics/campaigns/day.json`` bodies.

::

    {"items": [{"id": 12345,
                "rows": [{"date": "2024-02-22",
                          "base": {"shows": 7143, "clicks": 37, "goals": 0, "spent": "500.00", ...}}],
                "total": {...}}],
     "total": {...}}

Numbers arrive as strings or as numbers depending on the API version; both are accepted.
A row without ``base`` (or with a metric missing) counts as zero.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from connectors._json import json_decimal, json_int, json_text, load_json, shown, vendor_error_message
from connectors._result import ParseResult, convert, date_span
from connectors._text import parse_iso_date
from connectors.errors import FormatError

__all__ = ["KIND", "parse_campaign_day_stats"]

KIND = "vk_ads_stats_json"


def _day(value: object) -> date:
    if value is None:
        raise ValueError("the date is missing")
    if not isinstance(value, str):
        raise ValueError(f"{shown(value)} is not a date YYYY-MM-DD")
    return parse_iso_date(value)


def _campaign_id(value: object) -> str:
    text = json_text(value)
    if text is None or not text.strip():
        raise ValueError("the campaign id is missing")
    return text


def _count(value: object) -> int:
    number = json_int(value)
    return 0 if number is None else number


def _money(value: object) -> Decimal:
    number = json_decimal(value)
    return Decimal(0) if number is None else number


def parse_campaign_day_stats(content: bytes) -> ParseResult:
    """A campaigns/day.json body -> rows of ``vk_ads_campaign_stats`` (one per campaign and day).

    An error reply (``{"error": ...}`` / ``{"errors": [...]}``) raises ``FormatError`` carrying
    VK's message.
    """
    body = load_json(content)
    if not isinstance(body, dict):
        raise FormatError('expected a JSON object with "items" (VK Ads statistics), found an array or value')
    items = body.get("items")
    if not isinstance(items, list):
        message = vendor_error_message(body)
        if message is not None:
            raise FormatError(f"VK Ads returned an error instead of statistics: {message}")
        raise FormatError('no "items" list: not a VK Ads statistics response', field="items")

    rows: list[dict[str, object]] = []
    for i, item in enumerate(items):
        path = f"items[{i}]"
        if not isinstance(item, dict):
            raise FormatError("expected an object", field=path)
        campaign_id = convert(_campaign_id, item.get("id"), field=f"{path}.id")
        day_rows = item.get("rows") or []
        if not isinstance(day_rows, list):
            raise FormatError("expected a list of daily rows", field=f"{path}.rows")
        for j, day_row in enumerate(day_rows):
            row_path = f"{path}.rows[{j}]"
            if not isinstance(day_row, dict):
                raise FormatError("expected an object", field=row_path)
            base = day_row.get("base") or {}
            if not isinstance(base, dict):
                raise FormatError("expected an object of metrics", field=f"{row_path}.base")
            rows.append(
                {
                    "date": convert(_day, day_row.get("date"), field=f"{row_path}.date"),
                    "campaign_id": campaign_id,
                    "shows": convert(_count, base.get("shows"), field=f"{row_path}.base.shows"),
                    "clicks": convert(_count, base.get("clicks"), field=f"{row_path}.base.clicks"),
                    "goals": convert(_count, base.get("goals"), field=f"{row_path}.base.goals"),
                    "spent": convert(_money, base.get("spent"), field=f"{row_path}.base.spent"),
                    "_origin_line": len(rows) + 1,
                }
            )
    date_from, date_to = date_span(row["date"] for row in rows)
    return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)
