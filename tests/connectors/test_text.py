import pickle
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from connectors._text import (
    decode_text,
    local_to_utc,
    parse_date,
    parse_iso_date,
    parse_ru_date,
    parse_ru_datetime,
    parse_ru_decimal,
    parse_ru_int,
    parse_yes_no,
)
from connectors.errors import ConnectorError, FormatError, UnknownFormatError

TEXT = "Дата;Расход\r\n01.03.2026;1 234,56\r\n"


@pytest.mark.parametrize(
    "content",
    [
        TEXT.encode("utf-8"),
        TEXT.encode("utf-8-sig"),
        TEXT.encode("cp1251"),
        TEXT.encode("utf-16"),  # Excel "Unicode text"
    ],
    ids=["utf-8", "utf-8-sig", "cp1251", "utf-16"],
)
def test_decode_text_reads_every_encoding_russian_exports_use(content):
    assert decode_text(content) == TEXT


def test_decode_text_rejects_bytes_that_are_no_text_with_the_line():
    # 0x98 is the one byte Windows-1251 leaves undefined
    with pytest.raises(FormatError) as info:
        decode_text(b"ok\nalso ok\n\x98\xff")
    assert info.value.line == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234\u00a0567,89", "1234567.89"),  # NBSP thousands
        ("1\u202f234,5", "1234.5"),  # narrow NBSP
        ("12 500,00 ₽", "12500.00"),
        ("12 500 руб.", "12500"),
        ("-1 234,56", "-1234.56"),
        ("\u2212" + "15,5", "-15.5"),  # minus sign
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("  0  ", "0"),
    ],
)
def test_parse_ru_decimal_accepts_russian_and_export_notations(text, expected):
    assert parse_ru_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["12,3,4", "1,234,56", "abc", "", "-", "1e5", "12,5%", "1.23.4"])
def test_parse_ru_decimal_rejects_what_is_not_a_number(text):
    with pytest.raises(ValueError, match="is not a number"):
        parse_ru_decimal(text)


def test_parse_ru_int_refuses_fractions():
    assert parse_ru_int("1 520") == 1520
    assert parse_ru_int("37,00") == 37
    with pytest.raises(ValueError, match="not a whole number"):
        parse_ru_int("37,5")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05.03.2026", date(2026, 3, 5)),
        ("5.3.2026", date(2026, 3, 5)),
        ("16.03.2026 0:00:00", date(2026, 3, 16)),
    ],
)
def test_parse_ru_date(text, expected):
    assert parse_ru_date(text) == expected


@pytest.mark.parametrize("text", ["31.02.2026", "2026-03-05", "05/03/2026", "05.03.26", ""])
def test_parse_ru_date_rejects_other_notations_and_impossible_days(text):
    with pytest.raises(ValueError, match=r"is not a date DD\.MM\.YYYY"):
        parse_ru_date(text)


def test_parse_iso_date_and_either_notation():
    assert parse_iso_date("2026-03-05") == date(2026, 3, 5)
    assert parse_date("2026-03-05") == parse_date("05.03.2026") == date(2026, 3, 5)
    with pytest.raises(ValueError, match="is not a date YYYY-MM-DD"):
        parse_iso_date("2026-13-01")
    with pytest.raises(ValueError, match=r"DD\.MM\.YYYY or YYYY-MM-DD"):
        parse_date("March 5")


def test_format_error_says_line_field_and_reason():
    error = FormatError('"12,3,4" is not a number', line=14, field="Расход")
    assert str(error) == 'line 14, field "Расход": "12,3,4" is not a number'
    assert str(FormatError("the file is empty")) == "the file is empty"
    assert str(FormatError("bad", field="items[0].id")) == 'field "items[0].id": bad'
    assert isinstance(UnknownFormatError("x"), FormatError)
    assert isinstance(error, ConnectorError)


def test_format_error_survives_pickling_with_its_location():
    copy = pickle.loads(pickle.dumps(UnknownFormatError("bad", line=3, field="ИНН")))
    assert (type(copy), copy.line, copy.field, copy.reason) == (UnknownFormatError, 3, "ИНН", "bad")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.03.2026 18:52:13", datetime(2026, 3, 14, 18, 52, 13)),
        ("14.03.2026 18:52", datetime(2026, 3, 14, 18, 52)),
        (" 4.3.2026 8:05 ", datetime(2026, 3, 4, 8, 5)),
        ("14/03/2026 18:52:13", datetime(2026, 3, 14, 18, 52, 13)),
        ("14.03.2026", datetime(2026, 3, 14)),
        ("2026-03-14 18:52:13", datetime(2026, 3, 14, 18, 52, 13)),
    ],
)
def test_parse_ru_datetime(text, expected):
    assert parse_ru_datetime(text) == expected


@pytest.mark.parametrize("text", ["32.03.2026 10:00", "14.03.2026 25:00", "14.03.26 10:00", "14-03/2026", ""])
def test_parse_ru_datetime_rejects_quoting_the_value(text):
    with pytest.raises(ValueError, match=r"is not a date and time DD\.MM\.YYYY HH:MM"):
        parse_ru_datetime(text)


def test_local_to_utc():
    moscow = ZoneInfo("Europe/Moscow")
    assert local_to_utc(datetime(2026, 3, 1, 1, 30), moscow) == datetime(2026, 2, 28, 22, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Да", True), ("нет", False), ("TRUE", True), ("0", False), ("", None), ("—", None)],
)
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) is expected


def test_parse_yes_no_rejects_other_words():
    with pytest.raises(ValueError, match='"возможно" is not Да or Нет'):
        parse_yes_no("возможно")
