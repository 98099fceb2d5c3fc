import copy
import json
import pickle
from datetime import date, datetime

import pytest

from connectors.comagic import ComagicApiError, parse_calls_report
from connectors.errors import ConnectorError, FormatError
from tests.connectors.fixtures.make_fixtures import COMAGIC


def encode(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def test_calls_report(fixture_bytes):
    result = parse_calls_report(fixture_bytes("comagic_calls_report.json"))
    assert result.kind == "comagic_calls_json"
    first, second = result.rows
    assert first == {
        "call_id": 3104852911,
        "start_time": datetime(2026, 3, 1, 9, 15, 2),
        "finish_time": datetime(2026, 3, 1, 9, 19, 47),
        "direction": "in",
        "is_lost": False,
        "finish_reason": "subscriber_disconnects",
        "talk_duration": 261,
        "wait_duration": 24,
        "total_duration": 285,
        "contact_phone_number": "79261112233",
        "virtual_phone_number": "74951234567",
        "campaign_name": "Яндекс.Директ | бренд",
        "utm_source": "yandex",
        "utm_medium": "cpc",
        "utm_campaign": "brand_search",
        "tags": first["tags"],
        "_origin_line": 1,
    }
    assert "Целевой" in str(first["tags"])  # readable Cyrillic, not \u escapes
    assert json.loads(str(first["tags"]))[0]["tag_id"] == 501
    assert (second["is_lost"], second["tags"], second["campaign_name"], second["utm_medium"]) == (
        True,
        None,
        None,
        None,
    )
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 2))


def test_a_json_rpc_error_carries_mnemonic_and_code():
    body = {
        "jsonrpc": "2.0",
        "id": None,
        "error": {
            "code": -32029,
            "message": "Limit per minute has been exceeded.",
            "data": {
                "mnemonic": "limit_exceeded",
                "field": None,
                "value": None,
                "params": {},
                "metadata": {},
            },
        },
    }
    with pytest.raises(ComagicApiError) as info:
        parse_calls_report(encode(body))
    error = info.value
    assert (error.mnemonic, error.code, error.message) == (
        "limit_exceeded",
        -32029,
        "Limit per minute has been exceeded.",
    )
    assert str(error) == "CoMagic API error limit_exceeded (-32029): Limit per minute has been exceeded."
    assert isinstance(error, ConnectorError)
    assert pickle.loads(pickle.dumps(error)).mnemonic == "limit_exceeded"


def test_a_bad_time_is_named_by_its_path():
    body = copy.deepcopy(COMAGIC)
    body["result"]["data"][1]["start_time"] = "02.03.2026 21:40"
    with pytest.raises(FormatError, match="is not a time YYYY-MM-DD hh:mm:ss") as info:
        parse_calls_report(encode(body))
    assert info.value.field == "result.data[1].start_time"


def test_a_response_without_data_is_refused():
    with pytest.raises(FormatError, match=r"not a get\.calls_report response"):
        parse_calls_report(b'{"jsonrpc": "2.0", "id": 1, "result": {"metadata": {}}}')
