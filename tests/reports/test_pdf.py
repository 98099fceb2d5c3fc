"""Real PDFs from the serving fixture: the text says what the marts say, the Russian way; A4
pages, numbered, branded, nothing cut across pages; pdftoppm turns them into PNG pages."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pypdf import PdfReader

from dashboard import fmt
from reports import parse_period, read_agency, render_report
from tests.reports.conftest import pdf_pages, plain

PDFTOPPM = shutil.which("pdftoppm")
A4_POINTS = (595.2756, 841.8898)


@pytest.fixture(scope="module")
def october(serving_file: Path, config_file: Path) -> bytes:
    branding = read_agency(config_file).branding
    return render_report(
        serving_file, "alfa", parse_period("2026-10"), formats=("pdf",), branding=branding
    ).files["pdf"]


def mart_sums(serving_file: Path, client_id: str, start: str, end: str) -> tuple[Any, ...]:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        row = con.execute(
            "select sum(spend), sum(leads), sum(calls), sum(clicks), sum(impressions) "
            "from client_channel_daily where client_id = ? and date between ? and ?",
            [client_id, start, end],
        ).fetchone()
    assert row is not None
    return row


def test_headline_figures_are_the_marts_formatted_the_russian_way(october, serving_file):
    spend, leads, calls, clicks, impressions = mart_sums(serving_file, "alfa", "2026-10-01", "2026-10-31")
    first = pdf_pages(october)[0]
    for figure in (
        fmt.money(spend, "ru", 0),  # 803 207 ₽
        fmt.integer(leads, "ru"),
        fmt.money(float(spend) / leads, "ru"),  # CPL from the sums: 7 437,10 ₽
        fmt.integer(calls, "ru"),
        fmt.percent(clicks / impressions, "ru", 2),
        fmt.integer(clicks, "ru"),
    ):
        assert plain(figure) in first, figure
    assert "803 207 ₽" in first and "7 437,10 ₽" in first and "1,76 %" in first
    assert "Лиды: 108, на 50,0 % больше, чем в сентябре (72)." in first
    assert "Альфа Строй" in first and "Октябрь 2026 (01.10.2026 – 31.10.2026)" in first


def test_channel_table_totals_and_a_dash_for_cost_ratios_without_spend(october, serving_file):
    spend, *_ = mart_sums(serving_file, "alfa", "2026-10-01", "2026-10-31")
    text = "\n".join(pdf_pages(october))
    assert f"Итого\n{plain(fmt.money(spend, 'ru'))}\n100,0 %" in text  # 803 207,00 ₽
    seo = text.split("Поиск (SEO)\n", 1)[1].split("\n")[:8]
    assert seo == ["0,00 ₽", "0,0 %", "0", "0", "—", "—", "20", "—"]  # CPC and CPL: "—", not "0,00 ₽"


def test_a4_pages_numbered_and_branded_on_every_page(october):
    reader = PdfReader(io.BytesIO(october))
    pages = pdf_pages(october)
    assert len(pages) == 3
    for number, (page, text) in enumerate(zip(reader.pages, pages, strict=True), start=1):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS)
        assert f"стр. {number} из 3" in text
        assert "Агентство «Пример»" in text and "+7 495 123-45-67 · hello@primer.example" in text
        assert len(page.images) >= 1  # the logo
    assert reader.metadata is not None
    assert str(reader.metadata.title).startswith("Отчёт о рекламе: Альфа Строй")
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert any("DejaVuSans-Bold" in f for f in fonts) and any(f.endswith("DejaVuSans") for f in fonts), fonts


def test_no_section_is_cut_across_pages(october):
    pages = pdf_pages(october)

    def page_of(text: str) -> int:
        found = [n for n, page in enumerate(pages) if text in page]
        assert len(found) == 1, (text, found)
        return found[0]

    # each heading is on the page of its table's last row, the chart on the page of its heading
    assert page_of("Результаты по каналам") == page_of("Итого\n803 207,00 ₽")
    assert page_of("Звонки и лиды по типам") == page_of("Итого\n367")
    assert page_of("Топ кампаний по расходу") == page_of("Поиск | Общие\nVK Реклама")
    assert page_of("Приложение. Паспорт показателей") == page_of("CPL / плановый CPL")
    assert page_of("Свежесть данных") == page_of("Приложение. Паспорт показателей") == len(pages) - 1
    assert "Данные по 22.11.2026 включительно, опубликованы 23.11.2026 07:05 МСК." in pages[0]
    reader = PdfReader(io.BytesIO(october))
    chart_page = page_of("Динамика по дням")
    assert len(reader.pages[chart_page].images) == 2  # the logo and the chart


def test_the_same_serving_file_gives_the_same_bytes(serving_file, october, config_file):
    again = render_report(
        serving_file,
        "alfa",
        parse_period("2026-10"),
        formats=("pdf",),
        branding=read_agency(config_file).branding,
    )
    assert again.files["pdf"] == october


def test_english_report_and_a_report_that_says_there_is_no_data(serving_file):
    english = pdf_pages(
        render_report(serving_file, "beta", parse_period("2026-10"), lang="en", formats=("pdf",)).files["pdf"]
    )
    assert "October 2026 (1 Oct 2026 – 31 Oct 2026)" in english[0]
    assert "₽395,752" in english[0] and "page 1 of" in english[0]
    churned = render_report(serving_file, "delta", parse_period("2026-11"), formats=("pdf",))
    assert not churned.has_data
    text = pdf_pages(churned.files["pdf"])[0]
    assert "За этот период у клиента нет ни расхода, ни звонков, ни лидов." in text
    assert "Дельта Авто" in text


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_pages_turn_into_a4_pngs(october, tmp_path):
    assert PDFTOPPM is not None, "pdftoppm is missing: run scripts/ensure_poppler.sh (make test does)"
    pdf = tmp_path / "alfa.pdf"
    pdf.write_bytes(october)
    subprocess.run([str(PDFTOPPM), "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert [p.name for p in pngs] == ["page-1.png", "page-2.png", "page-3.png"]
    for png in pngs:
        width, height = _png_size(png)
        assert abs(width - 413.4) <= 1 and abs(height - 584.6) <= 1  # A4 (210 x 297 mm) at 50 dpi
        assert png.stat().st_size > 10_000  # drawn, not blank
