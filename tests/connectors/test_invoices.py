from datetime import date
from decimal import Decimal

import pytest

from connectors.errors import FormatError
from connectors.invoices import parse_invoice_register

HEADER = "Дата;Номер;Контрагент;ИНН;Сумма без НДС;Ставка НДС;НДС;Итого"


def register(*rows: str, encoding: str = "cp1251") -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding)


def test_1c_export_in_cp1251(fixture_bytes):
    result = parse_invoice_register(fixture_bytes("invoices_1c_cp1251.csv"))
    assert result.kind == "invoice_register"
    first, no_vat, leading_zero = result.rows
    assert first == {
        "inn": "7722753969",
        "invoice_number": "147",
        "issued_on": date(2026, 9, 25),
        "due_on": date(2026, 10, 5),
        "counterparty": 'ООО "Тест"',
        "amount_net": Decimal("108196.72"),
        "vat_rate": Decimal("22"),
        "vat_amount": Decimal("23803.28"),
        "amount": Decimal("132000.00"),
        "paid_amount": None,
        "paid_on": date(2026, 9, 30),
        "payment_status": "Оплачен",
        "currency": "RUB",
        "_origin_line": 6,
    }
    assert (no_vat["inn"], no_vat["vat_rate"], no_vat["vat_amount"], no_vat["amount"]) == (
        "500100732259",
        None,
        None,
        Decimal("50000.00"),
    )
    assert (leading_zero["inn"], leading_zero["vat_rate"], leading_zero["currency"]) == (
        "0274062111",
        20,
        "RUB",
    )
    assert (result.date_from, result.date_to) == (date(2026, 9, 25), date(2026, 9, 29))


def test_excel_export_in_utf8_with_bom_and_other_column_titles(fixture_bytes):
    result = parse_invoice_register(fixture_bytes("invoices_excel_utf8sig.csv"))
    first, second = result.rows
    assert first == {
        "inn": "7701234567",
        "invoice_number": "С-101",
        "issued_on": date(2026, 3, 2),
        "due_on": date(2026, 4, 1),
        "counterparty": 'ООО "Север"',
        "amount_net": None,
        "vat_rate": Decimal("22"),
        "vat_amount": Decimal("220000.00"),
        "amount": Decimal("1220000.00"),
        "paid_amount": Decimal("600000.00"),
        "paid_on": date(2026, 3, 15),
        "payment_status": "Частично оплачен",
        "currency": None,
        "_origin_line": 3,
    }
    assert (second["vat_rate"], second["vat_amount"], second["amount"]) == (None, None, Decimal("45000.00"))
    assert len(result.rows) == 2  # the "Всего" footer is dropped


def test_the_total_is_net_plus_vat_when_the_file_has_no_total_column():
    text = "Дата;№;ИНН;Сумма без НДС;Ставка НДС;Сумма НДС\n01.03.2026;7;7722753969;1 000,00;22%;220,00\n"
    row = parse_invoice_register(text.encode()).rows[0]
    assert (row["amount_net"], row["vat_amount"], row["amount"]) == (
        Decimal("1000.00"),
        Decimal("220.00"),
        1220,
    )


@pytest.mark.parametrize(
    ("inn", "message"),
    [
        ("772275396", "has 9 digits, an ИНН has 10 or 12: Excel probably dropped a leading zero"),
        ("50010073225", "has 11 digits"),
        ("7,72275E+09", "Excel converted the column"),
        ("77-22753969", "is not an ИНН"),
        ("", "the ИНН is empty"),
    ],
)
def test_a_bad_inn_names_line_and_field(inn, message):
    content = register(
        "25.09.2026;147;ООО Тест;7722753969;100,00;20%;20,00;120,00", f"26.09.2026;148;ИП;{inn};1;;;1"
    )
    with pytest.raises(FormatError, match=message) as info:
        parse_invoice_register(content)
    assert (info.value.line, info.value.field) == (3, "ИНН")


def test_a_bad_number_names_line_and_field():
    content = register(
        "25.09.2026;147;ООО Тест;7722753969;108 196,72;22%;23 803,28;132 000,00", "Итого;;;;;;;x"
    )
    assert len(parse_invoice_register(content).rows) == 1  # the footer is not parsed at all
    bad = register("25.09.2026;147;ООО Тест;7722753969;108 196,72;22%;23.803.28,5;132 000,00")
    with pytest.raises(FormatError) as info:
        parse_invoice_register(bad)
    assert str(info.value) == 'line 2, field "НДС": "23.803.28,5" is not a number'


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("31.09.2026;147;ООО;7722753969;1;20%;1;1", "Дата", "is not a date"),
        ("25.09.2026; ;ООО;7722753969;1;20%;1;1", "Номер", "the invoice number is empty"),
        ("25.09.2026;147;ООО;7722753969;1;двадцать;1;1", "Ставка НДС", "is not a VAT rate"),
        ("25.09.2026;147;ООО;7722753969;;20%;;", "Итого", "the invoice total is empty"),
    ],
)
def test_other_bad_values_name_line_and_field(row, field, message):
    with pytest.raises(FormatError, match=message) as info:
        parse_invoice_register(register(row))
    assert (info.value.line, info.value.field) == (2, field)


@pytest.mark.parametrize("rate", ["20%", "20 %", "20"])
def test_vat_rate_spellings(rate):
    row = parse_invoice_register(register(f"25.09.2026;147;ООО;7722753969;100;{rate};20;120")).rows[0]
    assert row["vat_rate"] == 20


def test_a_register_without_the_required_columns_is_refused():
    with pytest.raises(FormatError, match="Дата, Номер, ИНН and Итого"):
        parse_invoice_register("Дата;Номер;Контрагент;Итого\n01.03.2026;1;ООО;100\n".encode())


def test_the_most_explicit_total_column_wins():
    text = (
        "Дата;Номер;ИНН;Сумма;НДС;Итого;Статус;Статус оплаты\n"
        "01.03.2026;1;7722753969;100,00;22,00;122,00;Проведён;Оплачен\n"
    )
    row = parse_invoice_register(text.encode()).rows[0]
    assert (row["amount"], row["payment_status"]) == (Decimal("122.00"), "Оплачен")
