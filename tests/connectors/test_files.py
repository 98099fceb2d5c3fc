import json

import pytest

from connectors.comagic import ComagicApiError
from connectors.errors import FormatError, UnknownFormatError
from connectors.files import detect_kind, parse_file
from tests.connectors.conftest import FIXTURES
from tests.connectors.fixtures.make_fixtures import CALLTOUCH_RECORDS, DIRECT_ROWS, fixtures

SAMPLES = {
    "yandex_direct_report.tsv": "yandex_direct_tsv",
    "vk_ads_campaigns_day.json": "vk_ads_stats_json",
    "calltouch_calls_paged.json": "calltouch_calls_json",
    "comagic_calls_report.json": "comagic_calls_json",
    "google_ads_cabinet_cp1251.csv": "cabinet_csv",
    "invoices_1c_cp1251.csv": "invoice_register",
    "invoices_excel_utf8sig.csv": "invoice_register",
}


def test_fixtures_are_up_to_date():
    for name, content in fixtures().items():
        assert (FIXTURES / name).read_bytes() == content, (
            f"run tests/connectors/fixtures/make_fixtures.py ({name})"
        )


@pytest.mark.parametrize(("name", "kind"), SAMPLES.items())
def test_every_kind_is_detected_from_content_whatever_the_file_is_called(fixture_bytes, name, kind):
    content = fixture_bytes(name)
    assert detect_kind(content, name) == kind
    assert detect_kind(content, "export (1).txt") == kind


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("\n".join(DIRECT_ROWS) + "\n", "yandex_direct_tsv"),  # no title, no header, no summary
        ("Total rows: 0\n", "yandex_direct_tsv"),
        (json.dumps(CALLTOUCH_RECORDS), "calltouch_calls_json"),  # bare array
        ("[]", "calltouch_calls_json"),  # a day without calls
        ('{"items": []}', "vk_ads_stats_json"),
        ('{"jsonrpc": "2.0", "id": 1, "error": {"code": -32001, "message": "x"}}', "comagic_calls_json"),
    ],
)
def test_shapes_without_headers(content, kind):
    assert detect_kind(content.encode(), "file") == kind


def test_an_api_error_reply_is_unknown_unless_the_name_says_whose():
    content = b'{"error": {"code": "invalid_token", "message": "Token is expired"}}'
    with pytest.raises(UnknownFormatError, match=r"API error reply, not data: .*Token is expired"):
        detect_kind(content, "stats.json")
    assert detect_kind(content, "vk_ads_2026-03.json") == "vk_ads_stats_json"
    with pytest.raises(FormatError, match="VK Ads returned an error instead of statistics"):
        parse_file(content, "vk_ads_2026-03.json")


def test_a_comagic_error_reply_reaches_the_caller_with_its_mnemonic():
    error = {"code": -32001, "message": "Bad key", "data": {"mnemonic": "auth_error"}}
    content = json.dumps({"jsonrpc": "2.0", "id": None, "error": error}).encode()
    with pytest.raises(ComagicApiError) as info:
        parse_file(content, "comagic.json")
    assert info.value.mnemonic == "auth_error"


def test_a_csv_with_both_headers_is_decided_by_the_file_name():
    text = "Дата;Номер;ИНН;Итого;Кампания;Расход\n01.03.2026;1;7722753969;100;Бренд;100\n"
    assert detect_kind(text.encode(), "invoices_march.csv") == "invoice_register"
    assert detect_kind(text.encode(), "google_ads_stats.csv") == "cabinet_csv"
    with pytest.raises(UnknownFormatError, match="both invoice-register and campaign-statistics"):
        detect_kind(text.encode(), "march.csv")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b" \r\n\r\n", "the file is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", r"Excel workbook \(.xlsx\).*save it as CSV"),
        (b"%PDF-1.7\n", "a PDF document"),
        (
            "Имя;Телефон\r\nИван;79260000000\r\n".encode("cp1251"),
            'cannot tell what this file is \\(first line "Имя;Телефон"\\)',
        ),
        (b'{"data": [1, 2]}', "a JSON object with keys data, not a known report"),
        (b'[{"id": 1}]', "not of Calltouch calls"),
        (b"{broken", "looks like JSON but is not valid JSON"),
        (b"a\x00b\x00c\x00", "binary file"),
    ],
)
def test_unknown_files_say_why(content, message):
    with pytest.raises(UnknownFormatError, match=message):
        detect_kind(content, "upload.csv")


def test_the_unknown_reason_lists_what_is_expected():
    with pytest.raises(UnknownFormatError) as info:
        parse_file(b"hello\nworld\n", "notes.txt")
    assert "Дата;Кампания;Показы;Клики;Расход" in str(info.value)
    assert "Yandex Direct TSV" in str(info.value)
