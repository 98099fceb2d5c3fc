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
    "calltouch_requests.json": "calltouch_requests_json",
    "yandex_metrika_goal_reaches.json": "yandex_metrika_goal_reaches",
    "amocrm_leads_page.json": "amocrm_leads_json",
    "bitrix24_leads_page.json": "bitrix24_leads_json",
}


# Saved API replies of the lead systems (also in SAMPLES).
LEAD_SAMPLES = {
    "calltouch_requests.json": "calltouch_requests_json",
    "yandex_metrika_goal_reaches.json": "yandex_metrika_goal_reaches",
    "amocrm_leads_page.json": "amocrm_leads_json",
    "bitrix24_leads_page.json": "bitrix24_leads_json",
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


@pytest.mark.parametrize(("name", "kind"), LEAD_SAMPLES.items())
def test_saved_lead_replies_are_detected_from_content_and_parsed(fixture_bytes, name, kind):
    content = fixture_bytes(name)
    assert detect_kind(content, name) == kind
    assert detect_kind(content, "export (1).json") == kind
    result = parse_file(content, "export (1).json")
    assert result.kind == kind and result.rows


def test_a_saved_metrika_reply_takes_counter_goals_and_attribution_from_its_query(fixture_bytes):
    result = parse_file(fixture_bytes("yandex_metrika_goal_reaches.json"), "report.json")
    assert {(r["counter_id"], r["goal_id"], r["attribution"]) for r in result.rows} == {
        (44147844, 300001, "cross_device_last_significant"),
        (44147844, 300002, "cross_device_last_significant"),
    }
    body = json.loads(fixture_bytes("yandex_metrika_goal_reaches.json"))
    del body["query"]["attribution"]
    body["query"]["dimensions"] = [
        d.replace("<attribution>", "lastsign") for d in body["query"]["dimensions"]
    ]
    inlined = parse_file(json.dumps(body).encode(), "report.json")
    assert {r["attribution"] for r in inlined.rows} == {"lastsign"}
    body["query"]["dimensions"] = ["ym:s:date", "ym:s:<attribution>TrafficSource"]
    with pytest.raises(FormatError, match="cannot tell the attribution model") as info:
        parse_file(json.dumps(body).encode(), "report.json")
    assert info.value.field == "query.attribution"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("\n".join(DIRECT_ROWS) + "\n", "yandex_direct_tsv"),  # no title, no header, no summary
        ("Total rows: 0\n", "yandex_direct_tsv"),
        (json.dumps(CALLTOUCH_RECORDS), "calltouch_calls_json"),  # bare array
        ("[]", "calltouch_calls_json"),  # a day without calls
        ('{"items": []}', "vk_ads_stats_json"),
        ('{"jsonrpc": "2.0", "id": 1, "error": {"code": -32001, "message": "x"}}', "comagic_calls_json"),
        ('[{"requestId": 1, "callId": 7}]', "calltouch_requests_json"),  # a request that became a call
        ('{"_page": 1, "_links": {}, "_embedded": {"leads": []}}', "amocrm_leads_json"),
        ('[{"id": 1, "created_at": 1772359200, "pipeline_id": 5}]', "amocrm_leads_json"),
        ('[{"ID": "1", "TITLE": "Лид"}]', "bitrix24_leads_json"),
        (
            '{"result": [{"ID": "1", "DATE_CREATE": "2026-03-01T10:00:00+03:00"}], "total": 1}',
            "bitrix24_leads_json",
        ),
        (
            '{"query": {"metrics": ["ym:s:goal5reaches"]}, "data": [], "total_rows": 0}',
            "yandex_metrika_goal_reaches",
        ),
    ],
)
def test_shapes_without_headers(content, kind):
    assert detect_kind(content.encode(), "file") == kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("day.json", "calltouch_calls_json"),
        ("calltouch_2026-03-01.json", "calltouch_calls_json"),
        ("calltouch_requests_2026-03-01.json", "calltouch_requests_json"),
        ("заявки март.json", "calltouch_requests_json"),
        ("ct_leads.json", "calltouch_requests_json"),
        ("звонки.json", "calltouch_calls_json"),
    ],
)
def test_an_empty_array_is_told_by_the_file_name(name, kind):
    assert detect_kind(b"[]", name) == kind
    assert parse_file(b"[]", name).rows == []


def test_an_empty_array_named_for_both_calls_and_requests_is_refused():
    with pytest.raises(UnknownFormatError, match="put either 'calls' or 'requests'"):
        detect_kind(b"[]", "calls_and_requests.json")


def test_an_empty_bitrix24_result_needs_the_name():
    content = b'{"result": [], "total": 0, "time": {"start": 1.0}}'
    assert detect_kind(content, "bitrix_leads_march.json") == "bitrix24_leads_json"
    assert parse_file(content, "Битрикс лиды.json").rows == []
    with pytest.raises(UnknownFormatError, match="put 'bitrix' in the file name"):
        detect_kind(content, "march.json")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("metrika_goals.json", "Metrika returned an error instead of a report: .*Invalid token"),
        ("bitrix_leads.json", "Bitrix24 returned an error instead of leads: .*Invalid token"),
        ("requests.json", "Calltouch returned an error instead of requests: .*Invalid token"),
    ],
)
def test_a_lead_systems_error_reply_is_reported_by_its_parser_when_the_name_says_whose(name, message):
    content = b'{"errors": [{"error_type": "invalid_token", "message": "Invalid token"}], "code": 403}'
    with pytest.raises(FormatError, match=message):
        parse_file(content, name)


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
        (b"PK\x03\x04\x14\x00\x06\x00", r"a zip archive but not an Excel workbook \(.xlsx\).*as CSV"),
        (b"%PDF-1.7\n", "a PDF document"),
        (
            "Имя;Телефон\r\nИван;79260000000\r\n".encode("cp1251"),
            'cannot tell what this file is \\(first line "Имя;Телефон"\\)',
        ),
        (b'{"data": [1, 2]}', "a JSON object with keys data, not a known report"),
        (b'[{"id": 1}]', "a JSON array of objects with keys id, but not of Calltouch calls"),
        (b"[1, 2]", "a JSON array of values that are not objects"),
        (
            b'{"query": {"metrics": ["ym:s:visits"]}, "data": []}',
            r"a Yandex Metrika report, but its metrics \(ym:s:visits\) are not goal reaches",
        ),
        (b'{"result": [{"id": 3, "title": "x"}]}', "not of Bitrix24 leads"),
        (
            b'{"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Bad token"}',
            '"401 Unauthorized: Bad token"',
        ),
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


# Issue 18: three errors made sharper.


@pytest.mark.parametrize("filename", ["vk_ads_2026-03.json", "calltouch.json"])
def test_a_truncated_json_file_names_the_line_and_column_where_it_ends(filename):
    whole = (
        b'{\n  "items": [\n    {"id": 1, "rows": [{"date": "2026-03-01", "base": {"shows": "7"}}]}\n  ]\n}\n'
    )
    cut = whole[: whole.index(b'"base"') + 6]
    with pytest.raises(UnknownFormatError, match=r"not valid JSON, cut short.*download it again") as info:
        parse_file(cut, filename)
    assert info.value.line == 3
    assert "column 53" in info.value.reason


def test_broken_json_names_the_line_and_column_where_it_breaks():
    with pytest.raises(UnknownFormatError, match="not valid JSON: it breaks at column 15") as info:
        parse_file(b'\n\n[{"callId": 1},\n {"callId": 2}}]', "calltouch.json")
    assert info.value.line == 4  # counted in the file, leading blank lines included


def test_the_json_parsers_name_where_a_body_breaks_too():
    from connectors.vk_ads import parse_campaign_day_stats

    with pytest.raises(FormatError, match="not valid JSON, cut short") as info:
        parse_campaign_day_stats(b'{"items": [\n{"id": 1, "rows": [')
    assert info.value.line == 2


GATEWAY_ERROR = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@pytest.mark.parametrize(
    ("content", "title"),
    [
        (GATEWAY_ERROR, "502 Bad Gateway"),
        (
            "\n<!DOCTYPE html>\n<html lang=ru><head><title>\n  Вход &amp; пароль</title>".encode(),
            "Вход & пароль",
        ),
        (b"<!-- cached -->\n<body><h1>Service <b>Unavailable</b></h1></body>", "Service Unavailable"),
    ],
)
@pytest.mark.parametrize("filename", ["client42/direct_2026-03.tsv", "vk_ads.json", "google_ads.csv"])
def test_a_web_page_saved_under_a_reports_name_is_named_as_such(content, title, filename):
    with pytest.raises(UnknownFormatError) as info:
        parse_file(content, filename)
    assert info.value.reason.startswith(f'a web page ("{title}"), not a report')
    assert info.value.reason.endswith("download it again")


@pytest.mark.parametrize(
    ("header", "line", "missing"),
    [
        ("Дата;Кампания;Показы;Клики", 1, "Расход (or Стоимость/Затраты/Cost)"),
        ("Дата\tПоказы\tКлики\tРасход, руб", 1, "Кампания"),
        ("Campaign,Impressions,Clicks,Cost", 1, "Дата"),
    ],
)
def test_a_cabinet_csv_missing_a_required_column_names_it(header, line, missing):
    delimiter = header[4] if header[4] in ";\t," else ","
    content = f"Отчёт по кампаниям\r\n{header}\r\n" + delimiter.join(["1"] * 4) + "\r\n"
    with pytest.raises(UnknownFormatError) as info:
        parse_file(content.encode("cp1251"), "google_ads_2026-03.csv")
    assert info.value.line == line + 1
    assert f"a campaign statistics CSV without the {missing} column" in info.value.reason
    assert "cannot tell" not in info.value.reason
