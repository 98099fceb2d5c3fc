"""Lead exports saved from the vendors' interfaces (CSV or .xlsx) -> the API parsers' rows.

The CSV fixtures are synthetic (``make_fixtures.py``); their layout follows each parser's
docstring, where what is only inferred about the real exports is marked. The .xlsx workbooks
are built here with openpyxl, with the cell types Excel stores (numbers, dates).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from connectors.amocrm import parse_leads as parse_amocrm_leads
from connectors.bitrix24 import parse_leads as parse_bitrix24_leads
from connectors.calltouch import parse_requests
from connectors.errors import FormatError, UnknownFormatError
from connectors.files import FILE_KINDS, detect_kind, parse_file
from connectors.yandex_metrika._report import parse_saved_goal_report
from tests.connectors.conftest import FIXTURES
from tests.connectors.fixtures.make_fixtures import (
    AMOCRM_DEALS_UTF8,
    BITRIX24_LEADS_CP1251,
    CALLTOUCH_JOURNAL_CP1251,
    METRIKA_GOALS_UTF8,
)

EXPORTS = {
    "calltouch_requests_journal_cp1251.csv": "calltouch_requests_export",
    "metrika_goals_utf8sig.csv": "yandex_metrika_goals_export",
    "amocrm_deals_utf8sig.csv": "amocrm_leads_export",
    "bitrix24_leads_cp1251.csv": "bitrix24_leads_export",
}


def api_keys(kind: str) -> list[str]:
    """The keys of a row the same source's API parser gives (from the saved API replies)."""

    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    rows = {
        "calltouch_requests_export": lambda: parse_requests(read("calltouch_requests.json")).rows,
        "yandex_metrika_goals_export": lambda: (
            parse_saved_goal_report(read("yandex_metrika_goal_reaches.json")).rows
        ),
        "amocrm_leads_export": lambda: parse_amocrm_leads(read("amocrm_leads_page.json")).rows,
        "bitrix24_leads_export": lambda: parse_bitrix24_leads(read("bitrix24_leads_page.json")).rows,
    }
    return list(rows[kind]()[0])


def csv_text(lines: list[str], newline: str = "\r\n") -> str:
    return newline.join(lines) + newline


def workbook(rows: Sequence[Sequence[object]], title: str = "Лист1") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    book.create_sheet("Второй лист").append(["ID", "не читается"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- detection and keys ----


def test_the_export_kinds_are_file_kinds():
    assert set(EXPORTS.values()) <= set(FILE_KINDS)


@pytest.mark.parametrize(("name", "kind"), EXPORTS.items())
def test_each_export_is_detected_from_its_content_whatever_the_file_is_called(fixture_bytes, name, kind):
    content = fixture_bytes(name)
    assert detect_kind(content, name) == kind
    assert detect_kind(content, "export (1).csv") == kind
    assert detect_kind(content, "invoices_march.csv") == kind  # a misleading name changes nothing


@pytest.mark.parametrize(("name", "kind"), EXPORTS.items())
def test_an_export_row_has_exactly_the_api_parsers_keys(fixture_bytes, name, kind):
    result = parse_file(fixture_bytes(name), name)
    assert result.kind == kind and result.rows
    for row in result.rows:
        assert list(row) == api_keys(kind)


# ---- what each export gives ----


def test_amocrm_deals_export(fixture_bytes):
    result = parse_file(fixture_bytes("amocrm_deals_utf8sig.csv"), "deals.csv")
    first, second = result.rows
    api = parse_amocrm_leads((FIXTURES / "amocrm_leads_page.json").read_bytes()).rows[0]
    assert first == {
        **api,  # the same deal through the API: the Moscow times are the API's UTC ones
        "status_id": None,  # the export names the stage, the pipeline, the user: no ids
        "pipeline_id": None,
        "responsible_user_id": None,
        "contact_id": None,
        "contact_phone": "+7 999 123-45-67",  # the first of the cell's phones, as given
        "contact_email": "ivan@example.ru",  # the first filled e-mail column
        "_origin_line": 2,
    }
    assert second["created_at"] == datetime(2026, 3, 1, 16, 0)  # 19:00 in Moscow, no seconds
    assert (second["contact_phone"], second["contact_email"], second["tags"]) == ("89097654321", None, None)
    assert (second["price"], second["closed_at"], second["utm_source"]) == (Decimal(0), None, None)
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 1))


def test_bitrix24_leads_export(fixture_bytes):
    result = parse_file(fixture_bytes("bitrix24_leads_cp1251.csv"), "leads.csv")
    first, junk = result.rows
    assert first == {
        "lead_id": 4821,
        "title": "Лид с сайта okna-example.ru",
        "created_at": datetime(2026, 3, 14, 15, 52, 13),
        "updated_at": datetime(2026, 3, 15, 7, 2, 41),
        "status_id": "IN_PROCESS",  # the default stage's code, as the API gives it
        "source_id": "Веб-сайт",  # kept as written
        "assigned_by_id": None,
        "company_id": None,
        "contact_id": None,
        "phone": "+7 926 123-45-67",
        "email": "ivan.p@example.ru",
        "utm_source": "yandex",
        "utm_medium": "cpc",
        "utm_campaign": "brand_msk",
        "utm_content": "ad_15",
        "utm_term": "окна пвх",
        "_origin_line": 2,
    }
    assert (junk["status_id"], junk["phone"], junk["email"], junk["updated_at"]) == (
        "JUNK",
        "89097654321",  # the mobile phone when the work phone is empty
        None,
        None,
    )


@pytest.mark.parametrize(
    ("stage", "status_id"),
    [("Некачественный лид", "JUNK"), ("не обработан", "NEW"), ("JUNK", "JUNK"), ("Думает", "Думает")],
)
def test_bitrix24_stage_names_become_codes_and_other_stages_stay(stage, status_id):
    text = f"ID;Название лида;Стадия;Дата создания\n1;Лид;{stage};01.03.2026 10:00\n"
    (row,) = parse_file(text.encode(), "x.csv").rows
    assert row["status_id"] == status_id


def test_calltouch_requests_journal(fixture_bytes):
    result = parse_file(fixture_bytes("calltouch_requests_journal_cp1251.csv"), "journal.csv")
    first, second = result.rows
    api = parse_requests((FIXTURES / "calltouch_requests.json").read_bytes()).rows[0]
    same = (
        "request_id",
        "request_number",
        "request_date_local",
        "request_type",
        "subject",
        "status",
        "request_url",
        "source",
        "medium",
        "keyword",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_content",
        "utm_term",
        "city",
        "client_phone",
        "client_email",
        "target_request",
        "unique_request",
        "uniq_target_request",
        "call_id",
    )
    assert {k: first[k] for k in same} == {k: api[k] for k in same}
    assert {k for k, v in first.items() if v is None} == {
        "utm_content",  # "<не указано>", as in the API
        "utm_term",
        "request_timestamp_utc",
        "site_id",
        "session_id",
        "order_count",
        "order_id",
        "order_number",
        "order_status",
        "order_sum",
    }
    assert second["request_date_local"] == datetime(2026, 3, 15, 0, 5)
    assert (second["utm_source"], second["keyword"], second["request_number"]) == (None, None, None)
    assert (second["target_request"], second["uniq_target_request"], second["call_id"]) == (
        False,
        False,
        None,
    )
    assert (result.date_from, result.date_to) == (date(2026, 3, 14), date(2026, 3, 15))


def test_a_calltouch_journal_with_a_plain_id_column_next_to_request_columns():
    text = "ID;Номер заявки;Дата заявки;Тип заявки\n7;a-1;14/03/2026 18:52:13;form\n"
    assert detect_kind(text.encode(), "x.csv") == "calltouch_requests_export"
    (row,) = parse_file(text.encode(), "x.csv").rows
    assert (row["request_id"], row["request_date_local"]) == (7, datetime(2026, 3, 14, 18, 52, 13))


def test_metrika_goals_report(fixture_bytes):
    result = parse_file(fixture_bytes("metrika_goals_utf8sig.csv"), "report.csv")
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 2))  # the stated period
    got = [(r["date"], r["goal_id"], r["traffic_source"], r["utm_source"], r["reaches"]) for r in result.rows]
    assert got == [
        (date(2026, 3, 1), 300001, "ad", "yandex", 3),
        (date(2026, 3, 1), 300002, "ad", "yandex", 1),
        (date(2026, 3, 1), 300002, "organic", None, 2),  # "Не определено" is none; zeros dropped
    ]
    first = result.rows[0]
    assert first == {
        "date": date(2026, 3, 1),
        "counter_id": None,
        "goal_id": 300001,
        "goal_name": None,
        "goal_type": None,
        "is_automatic": None,
        "attribution": "cross_device_last_significant",  # from the preamble
        "traffic_source": "ad",
        "traffic_source_name": "Переходы по рекламе",
        "utm_source": "yandex",
        "utm_medium": "cpc",
        "utm_campaign": "spring_sale",
        "reaches": 3,
        "sampled": None,
        "contains_sensitive_data": None,
        "_origin_line": 7,
    }
    # the same numbers as the API answer in yandex_metrika_goal_reaches.json
    api = parse_saved_goal_report((FIXTURES / "yandex_metrika_goal_reaches.json").read_bytes())
    facts = ("date", "goal_id", "traffic_source", "utm_source", "utm_medium", "utm_campaign", "reaches")
    assert [[r[k] for k in facts] for r in api.rows] == [[r[k] for k in facts] for r in result.rows]


def test_a_metrika_report_with_a_goal_id_column_one_row_per_goal():
    text = (
        "Дата;ID цели;ID счётчика;Источник трафика;Достижения цели\n"
        "2026-03-01;301;44147844;Неизвестный источник;2\n"
        "2026-03-01;302;44147844;Переходы по рекламе;0\n"
    )
    (row,) = parse_file(text.encode(), "x.csv").rows
    assert (row["goal_id"], row["counter_id"], row["reaches"], row["attribution"]) == (301, 44147844, 2, None)
    assert row["traffic_source"] == row["traffic_source_name"] == "Неизвестный источник"


def test_a_metrika_goal_named_without_its_id_is_refused_saying_how_to_export_it():
    text = "Дата визита;Источник трафика;Заявка с сайта (достижения цели)\n01.03.2026;Прямые заходы;1\n"
    assert detect_kind(text.encode(), "x.csv") == "yandex_metrika_goals_export"
    with pytest.raises(FormatError) as info:
        parse_file(text.encode(), "x.csv")
    assert info.value.line == 1 and info.value.field == "Заявка с сайта (достижения цели)"
    assert '"ID цели" column' in info.value.reason and "(ID 301)" in info.value.reason
    assert "stat/v1/data" in info.value.reason


def test_a_sampled_metrika_report_is_refused():
    text = "Дата визита;Цель 301 (достижения)\n01.03.2026;2,5\n"
    with pytest.raises(FormatError, match="100% accuracy") as info:
        parse_file(text.encode(), "x.csv")
    assert (info.value.line, info.value.field) == (2, "Цель 301 (достижения)")


# ---- bad values, encodings, separators, header spelling ----


@pytest.mark.parametrize(
    ("lines", "row", "old", "field"),
    [
        (CALLTOUCH_JOURNAL_CP1251, 1, "14.03.2026 18:52:13", "Дата"),
        (METRIKA_GOALS_UTF8, 6, '"01.03.2026"', "Дата визита"),
        (AMOCRM_DEALS_UTF8, 1, "01.03.2026 13:00:00", "Дата создания"),
        (BITRIX24_LEADS_CP1251, 2, "15.03.2026 09:05", f"Дата{chr(0xA0)}создания"),
    ],
    ids=["calltouch", "metrika", "amocrm", "bitrix24"],
)
def test_a_bad_date_names_its_line_and_column(lines, row, old, field):
    broken = list(lines)
    broken[row] = broken[row].replace(old, "32.03.2026 10:00" if '"' not in old else '"32.03.2026"', 1)
    with pytest.raises(FormatError, match=r'"32\.03\.2026') as info:
        parse_file(csv_text(broken).encode("utf-8"), "x.csv")
    assert info.value.line == row + 1
    assert info.value.field == field
    assert str(info.value).startswith(f'line {row + 1}, field "{field}": ')


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_any_encoding_and_separator_gives_the_same_rows(encoding, delimiter):
    lines = [line.replace(f"46{chr(0xA0)}333", "46333") for line in AMOCRM_DEALS_UTF8]
    text = csv_text([delimiter.join(f'"{c}"' for c in line.split(";")) for line in lines])
    expected = parse_file(csv_text(lines).encode("utf-8"), "x.csv").rows
    assert parse_file(text.encode(encoding), "x.csv").rows == expected


def test_headers_match_in_any_order_and_case_with_e_for_yo_and_nbsp():
    text = (
        "  ЭТАП СДЕЛКИ ;бюджет, руб.;Дата\u00a0создания;id;Личный email (контакт);Теги\n"
        "Новая;1 000,50;01.03.2026 00:30;5;Olga@Example.ru;\n"
    )
    (row,) = parse_file(text.encode(), "x.csv").rows
    assert (row["lead_id"], row["price"], row["created_at"]) == (
        5,
        Decimal("1000.50"),
        datetime(2026, 2, 28, 21, 30),
    )
    assert (row["contact_email"], row["tags"], row["name"]) == ("Olga@Example.ru", None, None)


def test_an_export_without_its_id_column_says_which_column_to_add():
    text = "Название сделки;Дата создания\nЗаявка;01.03.2026 10:00\n"
    with pytest.raises(FormatError, match='no "ID" column: export the deals with the ID field') as info:
        parse_file(text.encode(), "x.csv")
    assert info.value.line == 1


# ---- Excel workbooks ----


AMOCRM_SHEET: list[list[object]] = [
    ["Сделки за март"],  # a title row above the header
    [],
    [
        "ID",
        "Название сделки",
        "Бюджет",
        "Дата создания",
        "Этап сделки",
        "Рабочий телефон (контакт)",
        "utm_source",
    ],
    [19619, "Заявка\nс сайта", 46333, datetime(2026, 3, 1, 13, 0), "Новая", 79991234567, "yandex"],
    [19620, "Звонок", 1250.5, datetime(2026, 3, 2, 0, 15, 30), "Новая", None, None],
]


def test_an_xlsx_export_is_read_from_its_first_sheet():
    content = workbook(AMOCRM_SHEET)
    assert content.startswith(b"PK\x03\x04")
    assert detect_kind(content, "deals.xlsx") == "amocrm_leads_export"
    result = parse_file(content, "export.bin")
    assert result.kind == "amocrm_leads_export"
    first, second = result.rows
    assert list(first) == api_keys("amocrm_leads_export")
    assert (first["lead_id"], first["name"], first["price"]) == (19619, "Заявка с сайта", Decimal(46333))
    assert (first["created_at"], first["contact_phone"], first["_origin_line"]) == (
        datetime(2026, 3, 1, 10, 0),
        "79991234567",  # a phone Excel stored as a number, without ".0"
        4,  # the sheet's row
    )
    assert (second["price"], second["created_at"]) == (Decimal("1250.5"), datetime(2026, 3, 1, 21, 15, 30))


@pytest.mark.parametrize(
    ("sheet", "kind"),
    [
        (
            [["Дата визита", "Цель 301 (достижения)"], [datetime(2026, 3, 1), 2]],
            "yandex_metrika_goals_export",
        ),
        ([["ID", "Название лида", "Дата создания"], [1, "Лид", "01.03.2026 10:00"]], "bitrix24_leads_export"),
        ([["ID заявки", "Дата"], [41872215, datetime(2026, 3, 14, 18, 52, 13)]], "calltouch_requests_export"),
    ],
)
def test_every_lead_export_kind_is_read_from_a_workbook(sheet, kind):
    result = parse_file(workbook(sheet), "x.xlsx")
    assert result.kind == kind and len(result.rows) == 1
    assert list(result.rows[0]) == api_keys(kind)


def test_a_bad_date_in_a_workbook_names_the_sheet_row_and_column():
    sheet = [list(row) for row in AMOCRM_SHEET]
    sheet[4][3] = "вчера"
    with pytest.raises(FormatError, match='"вчера" is not a date and time') as info:
        parse_file(workbook(sheet), "deals.xlsx")
    assert (info.value.line, info.value.field) == (5, "Дата создания")


def test_a_workbook_of_another_kind_is_refused_as_csv_only():
    sheet = [["Дата", "Номер", "ИНН", "Итого"], ["01.03.2026", "1", "7722753969", "100"]]
    with pytest.raises(UnknownFormatError, match="invoice-register columns: this kind is read from CSV only"):
        detect_kind(workbook(sheet), "invoices.xlsx")


def test_a_workbook_that_is_no_lead_export_says_what_it_starts_with():
    with pytest.raises(UnknownFormatError, match=r'its first sheet starts "Имя \| Телефон"'):
        detect_kind(workbook([["Имя", "Телефон"], ["Иван", "79260000000"]]), "book.xlsx")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "a zip archive but not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", r"old Excel workbook \(.xls\): save it as .xlsx"),
        (b"%PDF-1.7\n", "a PDF document"),
    ],
    ids=["broken zip", "xls", "pdf"],
)
def test_other_binary_files_are_refused_clearly(content, message):
    with pytest.raises(UnknownFormatError, match=message):
        detect_kind(content, "export.xlsx")


def test_a_zip_archive_of_something_else_is_not_taken_for_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("report.csv", "ID;Название лида;Дата создания\n")
    with pytest.raises(UnknownFormatError, match="unpack it"):
        detect_kind(out.getvalue(), "report.zip")


def test_a_damaged_workbook_is_refused_with_the_reason():
    content = workbook(AMOCRM_SHEET)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = b"<not xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(UnknownFormatError, match="Excel workbook that cannot be read"):
        detect_kind(out.getvalue(), "deals.xlsx")


def test_json_samples_stay_json(fixture_bytes):
    body = json.loads(fixture_bytes("amocrm_leads_page.json"))
    assert detect_kind(json.dumps(body).encode(), "x.csv") == "amocrm_leads_json"
