"""The agency head's page (issue 19) through AppTest, on the fixture serving file (as of 23.11.2026:
November is a month to date, so the page opens on it; October is the last complete month)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import economics, fmt
from tests.dashboard.test_app import _params, _run, _text

AGENCY = "views/agency.py"


def _managers_table(at: AppTest):
    tables = [d.value for d in at.dataframe if "Менеджер" in d.value.columns or "Manager" in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def test_managers_side_by_side_with_the_agency_total(serving_db):
    at = _run({"month": "2026-10-01"}, page=AGENCY)
    table = _managers_table(at)
    assert list(table["Менеджер"]) == ["Анна Иванова", "Пётр Петров", "Всё агентство"]
    assert list(table["Активные клиенты"]) == [2, 2, 4]
    assert list(table["Выручка (вознаграждение)"]) == [298333.33, 220000.0, 518333.33]
    assert table["Доля топ-3"].iloc[0] == 1.0  # two clients: all of the revenue
    assert {"Отток", "DSO, дней", "Индекс Херфиндаля", "Бюджет к плану", "Просрочено"} <= set(table.columns)
    assert _params(at)["month"] == "2026-10-01"
    text = _text(at)
    assert "Менеджеры рядом" in text and "12 месяцев" in text


def test_the_page_opens_on_the_month_to_date_when_it_has_data(serving_db):
    at = _run(page=AGENCY)
    assert at.selectbox(key="agency_month").value == "2026-11-01"
    text = _text(at)
    assert "ноя 2026 (неполный)" in text
    assert "отток объявляется только по завершённым месяцам" in text


def test_lost_and_won_clients_and_the_passport(serving_db):
    at = _run({"month": "2026-09-01"}, page=AGENCY)
    # the four clients' contracts predate the fixture's data: none is new in its first month
    assert not [d.value for d in at.dataframe if "Статус" in d.value.columns]
    assert "Клиенты не уходили и не приходили." in _text(at)
    passport = [d.value for d in at.dataframe if "Как считается" in d.value.columns]
    assert len(passport) == 1
    assert "sum(fee_revenue of the top 3 clients) / sum(fee_revenue)" in list(passport[0]["Как считается"])


def test_in_english(serving_db):
    at = _run({"month": "2026-10-01", "lang": "en"}, page=AGENCY)
    table = _managers_table(at)
    assert table["Manager"].iloc[-1] == "The whole agency"
    assert "Managers side by side" in _text(at)


def test_a_locked_manager_sees_only_their_own_row(serving_db, monkeypatch):
    monkeypatch.setenv("AGENCY_DASHBOARD_MANAGER", "m_petrov")
    at = _run({"month": "2026-10-01"}, page=AGENCY)
    assert list(_managers_table(at)["Менеджер"]) == ["Пётр Петров"]


def test_the_portfolio_shows_the_managers_own_numbers(serving_db, monkeypatch):
    monkeypatch.setenv("AGENCY_DASHBOARD_MANAGER", "m_ivanova")
    at = _run()
    assert "Мои показатели за ноя 2026" in [s.value for s in at.subheader]
    cards = {m.label: m.value for m in at.metric}
    assert cards["Активные клиенты"] == "2"
    assert cards["Выручка (вознаграждение)"] == "313\u00a0333\u00a0₽"
    helps = {m.label: m.help for m in at.metric}
    assert "sum(invoice amount net of VAT * fee_share)" in helps["Выручка (вознаграждение)"]


def test_on_the_first_of_a_month_the_portfolio_shows_the_last_full_month(serving_file, tmp_path, monkeypatch):
    import shutil

    import duckdb

    first_of_december = tmp_path / "serving.duckdb"
    shutil.copy(serving_file, first_of_december)
    with duckdb.connect(str(first_of_december)) as con:
        con.execute(
            "update _publish_meta set as_of_date = date '2026-12-01', data_cutoff = date '2026-11-30'"
        )
        november = con.execute(
            "select sum(m.spend) from client_monthly as m join client_status as s using (client_id) "
            "where m.month = date '2026-11-01' and s.health <> 'churned'"
        ).fetchone()
    monkeypatch.setenv("AGENCY_SERVING_DB", str(first_of_december))
    monkeypatch.delenv("AGENCY_DASHBOARD_MANAGER", raising=False)
    at = _run()
    assert any("В дек 2026 данных ещё нет" in str(i.value) for i in at.info)
    cards = {m.label: m.value for m in at.metric}
    assert november is not None and float(november[0]) > 0
    expected = f"{round(float(november[0])):,}".replace(",", "\u00a0") + "\u00a0₽"
    assert cards["Расход с начала месяца"] == expected
    assert "Показатели агентства за ноя 2026" in [s.value for s in at.subheader]


def test_revenue_against_the_revenue_plan_per_manager(serving_db, monkeypatch):
    """The managers' revenue plan (their clients' fee plans summed) and its fulfilment, as the
    mart publishes them; the portfolio's card shows the manager's own."""
    import duckdb

    with duckdb.connect(str(serving_db), read_only=True) as con:
        published = con.execute(
            "select coalesce(manager_id, ''), fee_plan_net, fee_plan_fulfilment "
            "from manager_economics_monthly where month = date '2026-10-01' order by scope desc, manager_id"
        ).fetchall()
    at = _run({"month": "2026-10-01"}, page=AGENCY)
    table = _managers_table(at)
    assert list(table["План выручки"]) == [float(plan) for _, plan, _ in published]
    assert list(table["Выручка к плану"]) == pytest.approx([f for _, _, f in published])
    # Иванова: alfa + beta
    assert next(iter(table["Выручка к плану"])) == pytest.approx(298333.33 / 300000)
    # the manager's portfolio shows their own fulfilment of the month to date
    monkeypatch.setenv("AGENCY_DASHBOARD_MANAGER", "m_ivanova")
    with duckdb.connect(str(serving_db), read_only=True) as con:
        november = con.execute(
            "select fee_plan_fulfilment from manager_economics_monthly "
            "where manager_id = 'm_ivanova' and month = date '2026-11-01'"
        ).fetchone()
    assert november is not None and november[0] > 0
    cards = {m.label: m.value for m in _run().metric}
    assert cards["Выручка к плану"] == fmt.percent(november[0], "ru", 0)


def test_every_economics_metric_has_a_passport_row_and_words():
    """The passport seed (published as metric_passport) has a row for every metric of the managers'
    table, and the tooltips have words for it in both languages."""
    import csv
    from pathlib import Path

    from dashboard.i18n import t

    seed = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "metrics.csv"
    with seed.open(encoding="utf-8") as handle:
        codes = {row["metric"] for row in csv.DictReader(handle)}
    used = {metric for _, _, metric, _ in economics._COLUMNS}
    assert {"fee_plan", "fee_plan_fulfilment"} <= used
    assert used <= codes
    for metric in used:
        assert t(f"passport_{metric}", "ru") != t(f"passport_{metric}", "en")


def test_the_revenue_plan_tooltips_read_the_passport(serving_db):
    from dashboard import data

    helps = economics.column_helps(data.metric_passport(), "ru")
    assert "`sum(fee_revenue) / sum(fee_plan)`" in helps["Выручка к плану"]
    assert helps["План выручки"].startswith("План выручки: сумма планов вознаграждения клиентов")
