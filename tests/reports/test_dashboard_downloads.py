"""The client page's PDF and Excel buttons: shown for the chosen client and period, and what they
download is that client's report rendered by ``reports``."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from dashboard import downloads
from dashboard.periods import Period
from reports import parse_period
from tests.dashboard.conftest import APP
from tests.reports.conftest import pdf_pages

REPORT = "views/client_report.py"


def _buttons(at: AppTest) -> dict[str, Any]:
    return {str(e.proto.label): e.proto for e in at.get("download_button")}


def test_the_client_page_offers_the_report_of_the_period_on_screen(serving_file, monkeypatch):
    monkeypatch.setenv("AGENCY_SERVING_DB", str(serving_file))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"client": "gamma", "period": "last_month"})
    at.switch_page(REPORT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = _buttons(at)
    assert list(buttons) == ["PDF", "Excel"]
    assert buttons["PDF"].help == "Отчёт клиента за 01.10.2026 – 31.10.2026: gamma_2026-10_ru.pdf"
    assert buttons["Excel"].help.endswith("gamma_2026-10_ru.xlsx")
    assert buttons["PDF"].ignore_rerun  # a click downloads without rerunning the page

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(
        {"client": "alfa", "lang": "en", "period": "custom", "from": "2026-11-03", "to": "2026-11-09"}
    )
    at.switch_page(REPORT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    help_text = _buttons(at)["PDF"].help
    assert help_text == "The client's report for 3 Nov 2026 – 9 Nov 2026: alfa_2026-11-03_2026-11-09_en.pdf"


def test_the_buttons_download_the_clients_report_with_the_agencys_branding(
    serving_file, config_file, monkeypatch
):
    monkeypatch.setenv("AGENCY_CONFIG", str(config_file))
    october = parse_period("2026-10")
    pdf = downloads.report_bytes(serving_file, "gamma", october, "ru", "pdf")
    first = pdf_pages(pdf)[0]
    assert pdf.startswith(b"%PDF-") and "Гамма Мебель" in first and "Агентство «Пример»" in first
    workbook = load_workbook(io.BytesIO(downloads.report_bytes(serving_file, "gamma", october, "en", "xlsx")))
    assert workbook.sheetnames[0] == "Summary"
    assert (
        downloads.file_name("gamma", Period(october.start, october.end), "en", "xlsx")
        == "gamma_2026-10_en.xlsx"
    )


def test_without_a_readable_configuration_the_report_is_plain(serving_file, tmp_path, monkeypatch):
    broken = tmp_path / "agency.yaml"
    broken.write_text("agency: [", encoding="utf-8")
    monkeypatch.setenv("AGENCY_CONFIG", str(broken))
    first = pdf_pages(downloads.report_bytes(serving_file, "alfa", parse_period("2026-10"), "ru", "pdf"))[0]
    assert "Альфа Строй" in first and "Агентство «Пример»" not in first
