"""The workbook read back with openpyxl: one sheet per section, numbers as numbers with number
formats, frozen headers, widths, and the same figures as the PDF."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from reports import parse_period, render_report
from reports.xlsx import NUMBER_FORMATS
from tests.reports.conftest import pdf_pages

RU = NUMBER_FORMATS["ru"]


@pytest.fixture(scope="module")
def report(serving_file: Path):
    return render_report(serving_file, "alfa", parse_period("2026-10"))


@pytest.fixture(scope="module")
def workbook(report):
    return load_workbook(io.BytesIO(report.files["xlsx"]))


def rows(sheet: Worksheet) -> list[list[object]]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_one_sheet_per_section(workbook):
    assert workbook.sheetnames == [
        "Сводка",
        "Каналы",
        "Лиды по типам",
        "По дням",
        "План и факт",
        "Кампании",
        "Паспорт показателей",
    ]


def test_summary_holds_the_headline_numbers_with_formats(workbook, serving_file):
    sheet = workbook["Сводка"]
    assert sheet["A1"].value == "Альфа Строй: Октябрь 2026 (01.10.2026 – 31.10.2026)"
    assert [c.value for c in sheet[4]] == [
        "Показатель",
        "Значение",
        "Пред. период",
        "Изменение",
        "Год назад",
        "Изменение к году",
    ]
    cards = {
        sheet.cell(row=r, column=1).value: [sheet.cell(row=r, column=c) for c in range(2, 7)]
        for r in range(5, 11)
    }
    with duckdb.connect(str(serving_file), read_only=True) as con:
        row = con.execute(
            "select sum(spend), sum(leads) from client_channel_daily "
            "where client_id = 'alfa' and date between '2026-10-01' and '2026-10-31'"
        ).fetchone()
    assert row is not None
    spend, leads = row
    value, previous, change, year_ago, _ = cards["Расход"]
    assert isinstance(value.value, int | float) and value.value == pytest.approx(float(spend))
    assert previous.value == pytest.approx(437992.81) and previous.number_format == RU["money0"]
    assert value.number_format == RU["money0"] and change.number_format == RU["delta"]
    assert change.value == pytest.approx(803207 / 437992.81 - 1)
    assert year_ago.value == "—"  # no data a year earlier: the text dash, not a zero
    assert cards["Лиды"][0].value == leads and isinstance(cards["Лиды"][0].value, int)
    assert (
        cards["CPL"][0].value == pytest.approx(float(spend) / leads)
        and cards["CPL"][0].number_format == RU["money"]
    )
    assert cards["CTR"][0].number_format == RU["pct2"]
    assert sheet.freeze_panes == "B5"
    text = "\n".join(str(c) for row in rows(sheet) for c in row if c)
    assert "Лиды: 108, на 50,0\u00a0% больше, чем в сентябре (72)." in text


def test_channel_sheet_numbers_equal_the_pdf(workbook, report):
    sheet = workbook["Каналы"]
    header, *body = rows(sheet)
    assert header == ["Канал", "Расход", "Доля расхода", "Показы", "Клики", "CTR", "CPC", "Лиды", "CPL"]
    total = dict(zip(header, body[-1], strict=True))
    assert total["Канал"] == "Итого" and total["Расход"] == pytest.approx(803207.0)
    assert sheet.cell(row=len(body) + 1, column=1).font.b  # the totals row is bold
    seo = dict(zip(header, next(r for r in body if r[0] == "Поиск (SEO)"), strict=True))
    assert (seo["CPC"], seo["CPL"], seo["Лиды"]) == ("—", "—", 20)
    assert sheet["B2"].number_format == RU["money"] and sheet["C2"].number_format == RU["pct"]
    assert sheet["D2"].number_format == RU["int"] and sheet["F2"].number_format == RU["pct2"]
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["A"].width >= len("Яндекс Директ")
    pdf = "\n".join(pdf_pages(report.files["pdf"]))
    for row in body:
        spend = f"{row[1]:,.2f}".replace(",", " ").replace(".", ",") + " ₽"
        assert f"{row[0]}\n{spend}" in pdf  # the same figure in the PDF


def test_daily_plan_campaigns_and_passport_sheets(workbook):
    daily = workbook["По дням"]
    header, *days = rows(daily)
    assert header[0] == "Дата" and len(days) == 31
    assert days[0][0] == dt.datetime(2026, 10, 1) and daily["A2"].number_format == RU["date"]
    assert sum(int(str(d[7])) for d in days) == 108  # leads per day add up to the period's
    plan = dict(zip(*rows(workbook["План и факт"]), strict=True))
    assert plan["План бюджета"] == 780000 and plan["Бюджет, % плана"] == pytest.approx(803207 / 780000)
    assert workbook["План и факт"]["D2"].number_format == RU["pct0"]
    campaigns = rows(workbook["Кампании"])
    assert campaigns[0] == ["Кампания", "Канал", "Расход", "Показы", "Клики", "CTR", "CPC"]
    assert all(isinstance(r[2], float) for r in campaigns[1:])
    passport = rows(workbook["Паспорт показателей"])
    assert passport[0] == ["Показатель", "Как считается", "НДС", "Валюта"]
    assert ["Расход", "Сумма расходов в рекламных кабинетах за период", "без НДС", "RUB"] in passport
    # VAT and currency as the published metric passport (dbt seed `metrics`) states them: a plan
    # ratio is net of VAT but has no currency
    assert ["Бюджет, % плана", "Расход за месяц / план бюджета", "без НДС", "—"] in passport
    for name in workbook.sheetnames[1:]:
        assert workbook[name].freeze_panes in ("A2", "B2"), name


def test_english_workbook_formats(serving_file):
    english = render_report(serving_file, "beta", parse_period("2026-10"), lang="en", formats=("xlsx",))
    book = load_workbook(io.BytesIO(english.files["xlsx"]))
    assert book.sheetnames[0] == "Summary" and book["Channels"]["B2"].number_format == '"₽"#,##0.00'
