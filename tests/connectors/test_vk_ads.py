import copy
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from connectors.errors import FormatError
from connectors.vk_ads import parse_campaign_day_stats
from tests.connectors.fixtures.make_fixtures import VK_ADS


def encode(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def as_numbers(value: Any) -> Any:
    """The same body with every numeric string turned into a JSON number (as some exports have it)."""
    if isinstance(value, dict):
        return {k: as_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_numbers(v) for v in value]
    if isinstance(value, str) and value.replace(".", "", 1).isdigit():
        return float(value) if "." in value else int(value)
    return value


EXPECTED = [
    {"date": date(2026, 3, 1), "campaign_id": "12345", "shows": 7143, "clicks": 37, "goals": 2,
     "spent": Decimal("500.00"), "_origin_line": 1},
    {"date": date(2026, 3, 2), "campaign_id": "12345", "shows": 0, "clicks": 0, "goals": 0,
     "spent": Decimal("0"), "_origin_line": 2},
    {"date": date(2026, 3, 2), "campaign_id": "67890", "shows": 1200, "clicks": 15, "goals": 0,
     "spent": Decimal("1234.56"), "_origin_line": 3},
]  # fmt: skip


def test_numbers_as_strings(fixture_bytes):
    result = parse_campaign_day_stats(fixture_bytes("vk_ads_campaigns_day.json"))
    assert result.kind == "vk_ads_stats_json"
    assert result.rows == EXPECTED
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 2))


def test_numbers_as_json_numbers_give_the_same_rows():
    numeric = as_numbers(VK_ADS)
    assert numeric["items"][1]["rows"][0]["base"]["spent"] == 1234.56
    assert parse_campaign_day_stats(encode(numeric)).rows == EXPECTED


def test_float_spend_keeps_its_decimal_value():
    body = {"items": [{"id": 1, "rows": [{"date": "2026-03-01", "base": {"spent": 0.1}}]}]}
    assert parse_campaign_day_stats(encode(body)).rows[0]["spent"] == Decimal("0.1")


def test_a_row_without_base_or_metrics_counts_as_zero():
    body = {
        "items": [{"id": "7", "rows": [{"date": "2026-03-01"}, {"date": "2026-03-02", "base": {"shows": 5}}]}]
    }
    rows = parse_campaign_day_stats(encode(body)).rows
    assert [(r["shows"], r["clicks"], r["goals"], r["spent"]) for r in rows] == [(0, 0, 0, 0), (5, 0, 0, 0)]
    assert rows[0]["campaign_id"] == "7"


def test_no_items_means_no_rows_and_no_period():
    result = parse_campaign_day_stats(b'{"items": [], "total": {"base": {}}}')
    assert (result.rows, result.date_from, result.date_to) == ([], None, None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"error": {"code": "invalid_token", "message": "Token is expired"}},
            r"\[invalid_token\] Token is expired",
        ),
        ({"errors": [{"code": 429, "message": "Too many requests"}]}, r"\[429\] Too many requests"),
        (
            {"error": "invalid_client", "error_description": "Unknown client"},
            "invalid_client; Unknown client",
        ),
    ],
)
def test_an_error_reply_carries_the_vendor_message(body, message):
    with pytest.raises(FormatError, match="VK Ads returned an error instead of statistics: " + message):
        parse_campaign_day_stats(encode(body))


def test_a_bad_value_is_named_by_its_json_path():
    body = copy.deepcopy(VK_ADS)
    body["items"][1]["rows"][0]["base"]["spent"] = "12,5"
    with pytest.raises(FormatError, match='"12,5" is not a number') as info:
        parse_campaign_day_stats(encode(body))
    assert info.value.field == "items[1].rows[0].base.spent"


@pytest.mark.parametrize("content", [b"[]", b'{"data": []}', b"{not json"])
def test_other_json_is_refused(content):
    with pytest.raises(FormatError):
        parse_campaign_day_stats(content)
