import copy
import json
from datetime import date, datetime

import pytest

from connectors.calltouch import format_calltouch_date, parse_calls
from connectors.errors import FormatError
from tests.connectors.fixtures.make_fixtures import CALLTOUCH_RECORDS


def encode(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def test_paged_response(fixture_bytes):
    result = parse_calls(fixture_bytes("calltouch_calls_paged.json"))
    assert result.kind == "calltouch_calls_json"
    assert result.rows[0] == {
        "call_id": 22746722,
        "call_date_local": datetime(2026, 3, 14, 18, 52, 13),
        "call_timestamp_utc": datetime(2026, 3, 14, 15, 52, 13),  # MSK = UTC+3
        "duration": 554,
        "waiting_connect": None,
        "successful": True,
        "unique_call": True,
        "target_call": True,
        "uniq_target_call": True,
        "caller_number": "79261735579",
        "phone_number": "74995888486",
        "source": "google",
        "medium": "organic",
        "utm_source": None,  # "<не указано>"
        "utm_medium": None,
        "utm_campaign": None,
        "utm_content": None,
        "utm_term": None,
        "city": "yekaterinburg",
        "_origin_line": 1,
    }
    assert (result.date_from, result.date_to) == (date(2026, 3, 14), date(2026, 3, 16))


def test_bare_array_gives_the_same_rows_as_the_paged_object(fixture_bytes):
    paged = parse_calls(fixture_bytes("calltouch_calls_paged.json"))
    bare = parse_calls(encode(CALLTOUCH_RECORDS))
    assert bare.rows == paged.rows
    assert len(bare.rows) == 3


def test_string_booleans_negative_duration_and_utm():
    row = parse_calls(encode(CALLTOUCH_RECORDS)).rows[1]
    assert (row["successful"], row["unique_call"], row["target_call"], row["uniq_target_call"]) == (
        False,
        True,
        False,
        False,
    )
    assert row["duration"] == -30
    assert (row["utm_source"], row["utm_medium"], row["utm_campaign"], row["utm_term"]) == (
        "yandex",
        "cpc",
        "brand_search",
        "купить диван",
    )


def test_empty_strings_and_missing_fields_are_none():
    row = parse_calls(encode(CALLTOUCH_RECORDS)).rows[2]
    assert (row["utm_source"], row["utm_medium"], row["utm_content"], row["city"]) == (None, None, None, None)
    assert row["source"] == "(direct)"


def test_caller_number_is_text_even_when_sent_as_a_number():
    record = {**CALLTOUCH_RECORDS[0], "callerNumber": 79261735579}
    assert parse_calls(encode([record])).rows[0]["caller_number"] == "79261735579"


def test_an_empty_day():
    result = parse_calls(b'{"page":1,"pageTotal":0,"pageSize":1000,"recordsTotal":0,"records":[]}')
    assert (result.rows, result.date_from) == ([], None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "2026-03-14 18:52:13", "is not a time dd/mm/yyyy HH:MM:SS"),
        ("successful", "yes please", "is not true or false"),
        ("duration", "long", "is not a whole number"),
        ("callId", None, "the call id is missing"),
    ],
)
def test_a_bad_value_is_named_by_record_and_field(field, value, message):
    records = copy.deepcopy(CALLTOUCH_RECORDS)
    records[1][field] = value
    with pytest.raises(FormatError, match=message) as info:
        parse_calls(encode({"page": 1, "pageTotal": 1, "records": records}))
    assert info.value.field == f"records[1].{field}"


def test_an_error_reply_is_refused_with_its_message():
    with pytest.raises(FormatError, match=r"Calltouch returned an error instead of calls: .*token"):
        parse_calls(b'{"error": {"message": "Invalid clientApiId token"}}')


def test_request_dates_are_day_first():
    assert format_calltouch_date(date(2026, 3, 5)) == "05/03/2026"
