from datetime import date
from decimal import Decimal

import pytest

from connectors.bank_statement import looks_like_bank_statement, parse_bank_statement
from connectors.errors import FormatError
from tests.connectors.fixtures.make_bank_statement_fixtures import statement_text

AGENCY_ACCOUNT = "40702810900000012345"


def statement(*documents: list[str], header: tuple[str, ...] = (), encoding: str = "cp1251") -> bytes:
    lines = ["1CClientBankExchange", "ВерсияФормата=1.03", "Кодировка=Windows", f"РасчСчет={AGENCY_ACCOUNT}"]
    lines += header
    for doc in documents:
        lines += ["СекцияДокумент=Платежное поручение", *doc, "КонецДокумента"]
    lines.append("КонецФайла")
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def doc(**fields: str) -> list[str]:
    base = {"Номер": "1", "Дата": "05.03.2026", "Сумма": "100.00", "ПлательщикИНН": "7701234567"}
    base.update(fields)
    return [f"{key}={value}" for key, value in base.items()]


# --- parser -------------------------------------------------------------------------------


def test_cp1251_statement_with_crlf(fixture_bytes):
    content = fixture_bytes("bank_statement_cp1251.txt")
    assert b"\r\n" in content and content.decode("cp1251").startswith("1CClientBankExchange")
    result = parse_bank_statement(content)
    assert result.kind == "bank_statement_1c"
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 31))
    assert [(r["document_number"], r["direction"], r["amount"]) for r in result.rows] == [
        ("512", "in", Decimal("132000.00")),
        ("88", "out", Decimal("150000.00")),
        ("17", "in", Decimal("58000.00")),
        ("89", "out", Decimal("500.50")),
        ("601", "in", Decimal("50000.00")),
    ]
    assert result.rows[0] == {
        "document_number": "512",
        "document_date": date(2026, 3, 5),
        "document_type": "Платежное поручение",
        "amount": Decimal("132000.00"),
        "direction": "in",
        "received_on": date(2026, 3, 5),
        "written_off_on": None,
        "payer_name": 'ООО "Север"',
        "payer_inn": "7701234567",
        "payer_kpp": "770101001",
        "payer_account": "40702810400000000111",
        "recipient_name": 'ООО "Агентство"',
        "recipient_inn": "7705123456",
        "recipient_account": AGENCY_ACCOUNT,
        "purpose": "Оплата по счету № 147 от 25.02.2026 за рекламные услуги. В т.ч. НДС 22% - 23803.28 руб.",
        "_origin_line": 20,
    }
    outgoing = result.rows[1]
    assert (outgoing["written_off_on"], outgoing["received_on"], outgoing["recipient_inn"]) == (
        date(2026, 3, 10),
        None,
        "7736207543",
    )
    individual = result.rows[2]
    assert (individual["payer_name"], individual["payer_inn"], individual["payer_kpp"]) == (
        "ИП Петров Пётр Петрович",
        "500100732259",
        None,
    )


def test_dos_variant_in_cp866_reads_the_same(fixture_bytes):
    dos = parse_bank_statement(fixture_bytes("bank_statement_dos_cp866.txt"))
    windows = parse_bank_statement(fixture_bytes("bank_statement_cp1251.txt"))
    assert dos.rows == windows.rows
    assert dos.rows[2]["payer_name"] == "ИП Петров Пётр Петрович"


def test_utf8_with_bom_is_tolerated():
    content = b"\xef\xbb\xbf" + statement_text("Windows").encode("utf-8")
    assert parse_bank_statement(content).rows[0]["payer_name"] == 'ООО "Север"'


def test_truncated_file_is_refused(fixture_bytes):
    with pytest.raises(FormatError, match="truncated") as exc:
        parse_bank_statement(fixture_bytes("bank_statement_truncated.txt"))
    assert "the document started at line 70 has no КонецДокумента" in str(exc.value)


def test_missing_end_of_file_after_a_complete_document_is_truncated():
    content = statement(doc()).replace(b"\r\n\xca\xee\xed\xe5\xf6\xd4\xe0\xe9\xeb\xe0\r\n", b"\r\n")
    assert "КонецФайла".encode("cp1251") not in content
    with pytest.raises(FormatError, match="truncated: no КонецФайла"):
        parse_bank_statement(content)


def test_direction_from_own_account_when_no_receipt_date():
    rows = parse_bank_statement(
        statement(
            doc(ПолучательСчет=AGENCY_ACCOUNT),
            doc(Номер="2", ПолучательСчет="40702810000000099999", ДатаСписано="06.03.2026"),
        )
    ).rows
    assert [row["direction"] for row in rows] == ["in", "out"]


def test_period_falls_back_to_document_dates_and_wrapped_purpose_is_joined():
    rows = statement(
        doc(Дата="03.03.2026", НазначениеПлатежа="Оплата по счету"),
        doc(Номер="2", Дата="09.03.2026"),
    ).replace("по счету".encode("cp1251"), "по счету\r\n№ 5 от 01.03.2026".encode("cp1251"))
    result = parse_bank_statement(rows)
    assert (result.date_from, result.date_to) == (date(2026, 3, 3), date(2026, 3, 9))
    assert result.rows[0]["purpose"] == "Оплата по счету № 5 от 01.03.2026"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("Сумма", "1 000,00", 'line 8, field "Сумма": "1 000,00" is not an amount'),
        ("Дата", "2026-03-05", 'line 7, field "Дата": "2026-03-05" is not a date'),
        ("ПлательщикИНН", "770123456", 'line 9, field "ПлательщикИНН": "770123456" is not an ИНН'),
        ("ДатаПоступило", "31.02.2026", 'line 10, field "ДатаПоступило": "31.02.2026" is not a date'),
    ],
)
def test_bad_values_name_line_and_field(field, value, message):
    fields = {"ДатаПоступило": "05.03.2026", field: value}
    with pytest.raises(FormatError) as exc:
        parse_bank_statement(statement(doc(**fields)))
    assert str(exc.value).startswith(message)


def test_missing_amount_is_an_error_and_zero_inn_means_none():
    with pytest.raises(FormatError, match='field "Сумма": the document has no Сумма'):
        parse_bank_statement(statement(["Номер=1", "Дата=05.03.2026"]))
    assert parse_bank_statement(statement(doc(ПлательщикИНН="0"))).rows[0]["payer_inn"] is None


def test_not_a_statement():
    with pytest.raises(FormatError, match="not a 1C bank statement"):
        parse_bank_statement("Дата;Номер;ИНН\r\n".encode("cp1251"))


def test_looks_like_bank_statement(fixture_bytes):
    assert looks_like_bank_statement(fixture_bytes("bank_statement_cp1251.txt"))
    assert looks_like_bank_statement(b"\xef\xbb\xbf\r\n1CClientBankExchange\r\n")
    assert not looks_like_bank_statement(fixture_bytes("invoices_1c_cp1251.csv"))
    assert not looks_like_bank_statement(b"")
