"""Sign-in, the session cookie and client links in a real browser: a Streamlit server with
``AGENCY_AUTH=local`` and headless Chromium (Debian's /usr/bin/chromium).

What AppTest cannot show: the form typed into, the cookie that keeps a person signed in across a
reload and a deep link, and a link opened from its URL.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dashboard.access import AccessStore
from tests.dashboard.browser import CHROMIUM, Browser, running_browser, running_dashboard

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
        f"{CHROMIUM} not found (run scripts/ensure_chromium.sh); required when CI is set",
        allow_module_level=True,
    )

PASSWORD = "correct horse battery staple"
SECRET = "test-link-secret-0123456789abcdefghij"


def _check(page: Browser, *needles: str) -> str:
    text = page.wait_for_text(*needles)
    assert not text.startswith("TIMEOUT"), f"page never showed {needles}:\n{text[:3000]}"
    assert page.evaluate("document.querySelectorAll('[data-testid=\"stException\"]').length") == 0
    return text


def _type(page: Browser, label: str, value: str) -> None:
    page.evaluate(f"document.querySelector('input[aria-label={json.dumps(label)}]').focus()")
    page.send("Input.insertText", {"text": value})


def _click(page: Browser, label: str) -> None:
    find = f"(b) => b.innerText.includes({json.dumps(label)})"
    page.evaluate(f"[...document.querySelectorAll('button')].find({find}).click()")


def test_sign_in_survives_a_reload_and_a_link_opens_one_client(
    serving_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CHROMIUM.exists(), f"{CHROMIUM} is required in CI: run scripts/ensure_chromium.sh"
    users = tmp_path / "access" / "users.sqlite3"
    monkeypatch.setenv("AGENCY_LINK_SECRET", SECRET)  # the command line's, to make a link
    store = AccessStore(users)
    store.users.add("petrov", PASSWORD, "manager", by="test", manager_id="m_petrov", name="Пётр Петров")
    env = {"AGENCY_AUTH": "local", "AGENCY_USERS": str(users), "AGENCY_LINK_SECRET": SECRET}
    with running_dashboard(serving_file, env) as base, running_browser() as page:
        deep = f"{base}/client_report?client=gamma&period=last_month"
        page.navigate(deep)
        form = _check(page, "Вход в отчётность агентства", "Логин", "Пароль")
        assert "Гамма" not in form

        _type(page, "Логин", "petrov")
        _type(page, "Пароль", PASSWORD)
        _click(page, "Войти")
        # The deep link survives the sign-in: gamma's October report.
        report = _check(page, "Гамма Мебель", "Период: 01.10.2026 – 31.10.2026", "Пётр Петров")
        assert "Альфа Строй" not in report
        cookie = page.evaluate("document.cookie")
        assert "agency_session=" in cookie

        # A reload (a new Streamlit session) keeps the person signed in through the cookie.
        page.navigate(deep)
        again = _check(page, "Гамма Мебель", "Период: 01.10.2026 – 31.10.2026")
        assert "Вход в отчётность агентства" not in again

        # Another manager's client in the URL: nothing of it.
        page.navigate(f"{base}/client_report?client=alfa&period=last_month")
        other = _check(page, "Гамма Мебель")
        assert "Альфа Строй" not in other

        # Sign out: the cookie goes, a reload asks for the password again.
        _click(page, "Выйти")
        _check(page, "Вход в отчётность агентства")
        page.navigate(deep)
        _check(page, "Вход в отчётность агентства")

        # A client link: beta's report, no sidebar, nothing else; a damaged one is refused.
        token = store.links.create("beta", by="petrov").token
        page.navigate(f"{base}/?link={token}&client=gamma")
        linked = _check(page, "Бета Клиник", "Результаты по каналам")
        assert "Гамма Мебель" not in linked and "Выйти" not in linked
        page.navigate(f"{base}/?link={token[:-2]}xx")
        _check(page, "Ссылка повреждена")
    events = [e.event for e in store.audit.recent(20)]
    assert {"sign_in", "sign_out", "link_used", "link_refused"} <= set(events)
