"""Smoke test in a real browser: a Streamlit server and headless Chromium (Debian's /usr/bin/chromium).

Skipped only when Chromium is missing outside CI; in CI (``CI`` set) a missing Chromium is a
failure: install it with ``scripts/ensure_chromium.sh``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.dashboard.browser import CHROMIUM, Browser, running_browser, running_dashboard

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
        f"{CHROMIUM} not found (run scripts/ensure_chromium.sh); required when CI is set",
        allow_module_level=True,
    )

_ERRORS = """
[document.querySelectorAll('[data-testid="stException"]').length,
 document.body.innerText.includes('Page not found')]
"""


def _check(page: Browser, *needles: str) -> str:
    text = page.wait_for_text(*needles)
    assert not text.startswith("TIMEOUT"), f"page never showed {needles}:\n{text[:3000]}"
    assert page.evaluate(_ERRORS) == [0, False], text[:3000]
    return text


def test_dashboard_renders_in_a_real_browser(serving_file: Path, tmp_path: Path) -> None:
    assert CHROMIUM.exists(), f"{CHROMIUM} is required in CI: run scripts/ensure_chromium.sh"
    with running_dashboard(serving_file) as base, running_browser() as page:
        # A shared link as the server's very first request (the riskiest path, see dashboard/shell.py).
        page.navigate(f"{base}/client_report?client=beta&period=last_month")
        report = _check(page, "Бета Клиник", "Результаты по каналам", "₽")  # tables are canvas
        assert "Период: 01.10.2026 – 31.10.2026" in report
        # The first click after that keeps the linked choices (client, language) and applies the new one.
        page.evaluate(
            "[...document.querySelectorAll('button')].find((b) => b.innerText.trim() === '7 дней').click()"
        )
        _check(page, "Бета Клиник", "Период: 16.11.2026 – 22.11.2026")
        assert page.evaluate("location.search") == "?client=beta&period=last_7"
        page.screenshot(tmp_path / "client_report.png")

        # The PDF button downloads the report of the period on screen, rendered on the click.
        downloads = tmp_path / "downloads"
        downloads.mkdir()
        page.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        page.evaluate("document.querySelectorAll('[data-testid=stDownloadButton] button')[0].click()")
        pdf = downloads / "beta_2026-W47_ru.pdf"  # 16.11-22.11.2026 is ISO week 47
        deadline = time.monotonic() + 60
        while not pdf.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert pdf.exists(), sorted(p.name for p in downloads.iterdir())
        assert pdf.read_bytes().startswith(b"%PDF-")

        # Leads by type and the reconciliation of a client with calls, forms, a chat and a CRM.
        page.navigate(f"{base}/client_report?client=alfa&period=this_month")
        leads = _check(page, "Альфа Строй", "Сверка лидов", "Откуда каждый лид за период (90)")
        assert "Лиды по типам: звонки — 81 · заявки — 4 · чаты — 1 · CRM — 4" in leads
        assert "Системы насчитали лидов: 94" in leads

        # The agency head's page: managers side by side, the trend, who left and came.
        page.navigate(f"{base}/agency?month=2026-09-01")
        agency = _check(page, "Менеджеры рядом", "12 месяцев", "Ушли и пришли за месяц")
        assert "Месяц: сен 2026" in agency or "месяц: сен 2026" in agency
        page.screenshot(tmp_path / "agency.png")

        page.navigate(f"{base}/")
        portfolio = _check(page, "Портфель", "Альфа Строй", "Гамма Мебель", "₽")
        assert "Показатели агентства за ноя 2026" in portfolio
        assert "Данные по 22.11.2026, опубликовано 23.11.2026 07:05 МСК" in portfolio
        shot = page.screenshot(tmp_path / "portfolio.png")

    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
