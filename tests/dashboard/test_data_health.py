"""The data-health page: each account's state from the serving file, problems first."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.health import health_rows
from tests.dashboard.conftest import APP

PAGE = "views/data_health.py"


def _run(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query or {})
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_states_by_rule() -> None:
    as_of = dt.date(2026, 11, 23)
    rows = pd.DataFrame(
        [
            # client, source, feed, account, last_data_date, covered_to, last_status
            ("a", "yandex_direct", "ad_stats", "1", "2026-11-22", "2026-11-22", "covered"),
            ("a", "calltouch", "calls", "2", "2026-11-19", "2026-11-19", "covered"),  # 3 days short
            ("a", "vk_ads", "ad_stats", "3", "2026-11-20", "2026-11-20", "covered"),  # 2 days: in time
            ("b", "yandex_direct", "ad_stats", "4", "2026-11-22", "2026-11-20", "failed"),
            ("b", "comagic", "calls", "5", None, None, None),
            ("b", "invoices_1c", "invoices", None, "2026-10-31", None, None),  # monthly: never behind
        ],
        columns=["client_id", "source", "feed", "account_id", "last_data_date", "covered_to", "last_status"],
    )
    states = health_rows(rows, as_of)
    accounts = states["account_id"].astype(object).where(states["account_id"].notna(), None)
    assert list(zip(accounts, states["state"], strict=True)) == [
        ("4", "failing"),
        ("5", "never"),
        ("2", "behind"),
        ("3", "ok"),  # vk_ads before yandex_direct
        ("1", "ok"),
        (None, "ok"),
    ]


def test_the_page_lists_every_account_with_the_failure_first(
    serving_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "serving.duckdb"
    shutil.copy(serving_db, copy)
    with duckdb.connect(str(copy)) as con:
        # beta's Direct account: the nightly re-pull of its last two days failed
        con.execute(
            "insert into account_coverage select client_id, source, account_id, 'failed', day_to + 1, "
            "day_to + 2, null, timestamp '2026-11-23 02:10:00', 'HTTP 503: the vendor is unavailable' "
            "from account_coverage where client_id = 'beta' and source = 'yandex_direct'"
        )
        accounts = con.execute(
            "select count(*) from source_freshness where client_id not in "
            "(select client_id from dim_clients where is_churned)"
        ).fetchone()
    assert accounts is not None
    monkeypatch.setenv("AGENCY_SERVING_DB", str(copy))
    at = _run()
    assert [t.value for t in at.title] == ["Состояние данных"]
    labels = {m.label: m.value for m in at.metric}
    assert labels["Загрузка не удалась"] == "1"
    table = at.dataframe[0].value
    assert len(table) == accounts[0]
    first = table.iloc[0]
    assert first["Состояние"] == "Загрузка не удалась"
    assert first["Последняя ошибка"] == "HTTP 503: the vendor is unavailable"
    assert first["Что делать"].startswith("Проверьте доступ к кабинету")


def test_a_manager_sees_only_their_clients_accounts(serving_db: Path) -> None:
    at = _run({"viewer": "m_petrov"})
    table = at.dataframe[0].value
    # gamma only: delta has churned, and a churned client's sources are expected to stop
    assert set(table["Клиент"]) == {"Гамма Мебель"}


def _lower_beta(serving_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the fixture where beta's Direct account lasts a day and a half."""
    copy = tmp_path / "serving.duckdb"
    shutil.copy(serving_db, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update ad_account_balances set amount = 13026.69, avg_daily_spend_7d = 8684.46, "
            "days_left = 1.5, status = 'low' where client_id = 'beta'"
        )
    monkeypatch.setenv("AGENCY_SERVING_DB", str(copy))


def test_balances_are_listed_with_the_low_account_first(
    serving_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lower_beta(serving_db, tmp_path, monkeypatch)
    at = _run()
    assert "Балансы рекламных счетов" in [s.value for s in at.subheader]
    assert "Заканчиваются деньги на счетах: 1. Пополните их или предупредите клиентов." in [
        w.value for w in at.warning
    ]
    table = at.dataframe[1].value
    assert list(table["Клиент"]) == ["Бета Клиник", "Гамма Мебель", "Альфа Строй"]  # delta has churned
    beta, gamma, alfa = table.to_dict("records")
    assert (beta["Счёт"], beta["Хватит на, дн."]) == ("Заканчивается", "1,5")
    assert beta["Остаток"] == "13\u00a0026,69\u00a0₽"
    assert beta["Расход в день (7 дн.)"] == "8\u00a0684,46\u00a0₽"
    assert beta["Проверен"] == "23.11.2026 06:00 МСК"
    assert gamma["Счёт"] == "Не удалось проверить" and gamma["Остаток"] == "—"
    assert gamma["Последняя ошибка"].startswith("AuthError: Ошибка авторизации")
    assert (alfa["Счёт"], alfa["Хватит на, дн."]) == ("В порядке", "12,0")


def test_a_balance_in_another_currency_keeps_its_code() -> None:
    from dashboard.health import balance_money

    assert balance_money("1520000", "KZT", "ru") == "1\u00a0520\u00a0000,00\u00a0KZT"
    assert balance_money("1520000", "KZT", "en") == "1,520,000.00\u00a0KZT"
    assert balance_money(None, None, "ru") == "—"


def test_the_portfolio_flags_the_managers_client_running_out_of_money(
    serving_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lower_beta(serving_db, tmp_path, monkeypatch)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"viewer": "m_ivanova"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (flag,) = [w.value for w in at.warning if "рекламных счетах" in w.value]
    assert flag == (
        "**Заканчиваются деньги на рекламных счетах**\n\n"
        "- **Бета Клиник** — Яндекс Директ beta-clinic: 13\u00a0026,69\u00a0₽, хватит на 1,5 дн."
    )
    other = AppTest.from_file(str(APP), default_timeout=60)
    other.query_params.update({"viewer": "m_petrov"})
    other.run()
    assert not other.exception and not [w for w in other.warning if "рекламных счетах" in w.value]
