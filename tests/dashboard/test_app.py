"""The dashboard as a person uses it, through Streamlit's AppTest (no browser)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from dashboard.i18n import t
from tests.dashboard.conftest import APP

TIMEOUT = 60
REPORT = "views/client_report.py"


def _run(query: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    """A fresh session opened on ``page`` (default: the entry page) with ``query`` in the URL."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    if page is not None:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _text(at: AppTest) -> str:
    """Everything a person could read on the page: text elements, tables, widget options."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "error", "warning"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    parts += [e.value.to_string() for e in at.dataframe]
    for widget in at.selectbox:
        parts += [str(o) for o in widget.options]
    parts += [str(e.proto.label) for e in at.get("page_link")]
    return "\n".join(parts)


def _params(at: AppTest) -> dict[str, str]:
    """The URL's query parameters after the run."""
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def _channel_table(at: AppTest):
    """The results-by-channel table (not the channels' comparison with earlier periods)."""
    tables = [
        d.value
        for d in at.dataframe
        if d.value.columns[0] in ("Канал", "Channel")
        and {t("col_share", "ru"), t("col_share", "en")} & set(d.value.columns)
    ]
    assert len(tables) == 1
    return tables[0]


def test_portfolio_for_the_agency_head_shows_every_active_client(serving_db):
    at = _run()
    text = _text(at)
    for name in ("Альфа Строй", "Бета Клиник", "Гамма Мебель"):
        assert name in text
    assert "Дельта Авто" not in at.dataframe[0].value.to_string()  # churned: hidden by default
    assert "Портфель" in text
    labels = {m.label: m.value for m in at.metric}
    assert labels["Требуют внимания"] == "2 из 3"
    assert labels["Просрочено"] == "477\u00a0000\u00a0₽"
    assert "Данные по 22.11.2026, опубликовано 23.11.2026 07:05 МСК" in text


def _table_with(at: AppTest, column: str):
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def test_portfolio_lists_unmatched_payments_for_the_agency_head(serving_db):
    at = _run()
    assert "Неразнесённые платежи" in [s.value for s in at.subheader]
    table = _table_with(at, "Причина")
    assert list(table["Клиент"]) == ["не клиент агентства", "Альфа Строй", "Гамма Мебель"]
    assert table["Плательщик"].iloc[0] == "ИП Сидоров Семён Семёнович"
    assert list(table["Сумма"]) == [30000.0, 12000.0, 45000.0]
    assert table["Причина"].iloc[2].startswith("счёт № 2026-199 для ИНН 7736050003 не найден")
    assert "3 на 87\u00a0000,00\u00a0₽" in _text(at)


def test_unmatched_payments_follow_the_viewer(serving_db, monkeypatch):
    at = _run()
    at.sidebar.selectbox(key="viewer").select("m_petrov").run()
    assert list(_table_with(at, "Причина")["Клиент"]) == ["Гамма Мебель"]

    monkeypatch.setenv("AGENCY_DASHBOARD_MANAGER", "m_ivanova")
    at = _run()
    table = _table_with(at, "Причина")
    assert list(table["Клиент"]) == ["Альфа Строй"]  # no other manager's, no unknown payer
    assert "Сидоров" not in _text(at)


def test_unmatched_payments_in_english(serving_db):
    table = _table_with(_run({"lang": "en"}), "Reason")
    assert table["Client"].iloc[0] == "not a client"
    assert list(table["Reason"]) == [
        "no invoice was issued to INN 500100732259",
        "no invoice number in the payment purpose; no open invoice of INN 7707083893 is for exactly 12000.00",
        "invoice № 2026-199 of INN 7736050003 is not found; "
        "no open invoice of INN 7736050003 is for exactly 45000.00",
    ]


def test_client_report_lists_the_periods_payments(serving_db):
    at = _run({"client": "gamma", "period": "this_month"}, REPORT)
    assert "Платежи за период" in [s.value for s in at.subheader]
    table = _table_with(at, "Разнесение")
    assert list(zip(table["Платёжное поручение"], table["Счёт"], table["Разнесение"], strict=True)) == [
        ("1254", "—", "не разнесён"),
        ("1207", "2026-166", "по номеру счёта"),
    ]
    # No payments in the period: no table.
    at = _run({"client": "beta", "period": "this_month"}, REPORT)
    assert "Платежи за период" not in [s.value for s in at.subheader]


def test_portfolio_table_orders_clients_needing_attention_first(serving_db):
    table = _run().dataframe[0].value
    assert list(table["Статус"]) == ["● внимание", "● внимание", "● в норме"]
    assert table.iloc[-1]["Клиент"] == "Альфа Строй"
    reasons = dict(zip(table["Клиент"], table["Причины"], strict=True))
    assert "счёт просрочен на 103 дн." in reasons["Гамма Мебель"]
    assert reasons["Альфа Строй"] == ""


def test_churned_clients_on_request(serving_db):
    at = _run({"churned": "1"})
    assert "Дельта Авто" in at.dataframe[0].value.to_string()


def test_a_locked_manager_sees_only_their_own_clients(serving_db, monkeypatch):
    monkeypatch.setenv("AGENCY_DASHBOARD_MANAGER", "m_ivanova")
    for page in (None, REPORT):
        # The URL cannot widen the view: neither another viewer nor another manager's client.
        at = _run({"viewer": "m_petrov", "client": "gamma"}, page)
        text = _text(at)
        assert "Альфа Строй" in text and "Бета Клиник" in text
        assert "Гамма Мебель" not in text
        assert "Пётр Петров" not in text
        assert not at.sidebar.selectbox  # no viewer selector when locked
        assert "Менеджер: Анна Иванова" in text


def test_viewer_selector_narrows_the_portfolio_and_stays_across_pages(serving_db):
    at = _run()
    at.sidebar.selectbox(key="viewer").select("m_petrov").run()
    assert "Гамма Мебель" in at.dataframe[0].value.to_string()
    assert "Альфа Строй" not in _text(at)
    assert _params(at)["viewer"] == "m_petrov"

    at.switch_page(REPORT).run()
    assert not at.exception
    assert at.selectbox(key="report_client").options == ["Гамма Мебель", "Дельта Авто"]
    assert "Альфа Строй" not in _text(at)


def test_a_deep_link_keeps_its_choices_on_the_next_interaction(serving_db):
    at = _run({"client": "beta", "lang": "en"}, REPORT)
    at.segmented_control(key="report_period").set_value("last_7").run()
    assert not at.exception
    assert "Period: 16 Nov 2026 – 22 Nov 2026" in _text(at)
    assert at.title[0].value == "Бета Клиник"
    assert _params(at) == {"client": "beta", "lang": "en", "period": "last_7"}


def test_unknown_locked_manager_is_explained(serving_db, monkeypatch):
    monkeypatch.setenv("AGENCY_DASHBOARD_MANAGER", "m_nobody")
    at = _run()
    assert "m_nobody" in at.error[0].value
    assert not at.dataframe


def test_client_report_channel_totals_equal_the_fixture_sums(serving_db):
    start, end = dt.date(2026, 10, 24), dt.date(2026, 11, 22)  # "30 дней" as of 23.11.2026
    at = _run({"client": "alfa", "period": "last_30"}, REPORT)
    table = _channel_table(at)
    total = table.iloc[-1]
    assert total["Канал"] == "Итого"

    with duckdb.connect(str(serving_db), read_only=True) as con:
        expected = con.execute(
            """
            select sum(spend), sum(impressions), sum(clicks), sum(calls), sum(target_calls), sum(leads)
            from client_channel_daily
            where client_id = 'alfa' and date between ? and ?
            """,
            [start, end],
        ).fetchone()
    assert expected is not None
    spend, impressions, clicks, calls, target_calls, leads = expected
    assert total["Расход"] == pytest.approx(float(spend), abs=0.005)
    assert (total["Показы"], total["Клики"], total["Звонки"], total["Целевые звонки"], total["Лиды"]) == (
        impressions,
        clicks,
        calls,
        target_calls,
        leads,
    )
    assert total["CPL"] == pytest.approx(float(spend) / leads)  # from the sums
    assert table.iloc[:-1]["Расход"].sum() == pytest.approx(total["Расход"])
    assert "Период: 24.10.2026 – 22.11.2026 · сравнение с 24.09.2026 – 23.10.2026" in _text(at)


def test_client_report_headline_cards(serving_db):
    at = _run({"client": "alfa", "period": "last_month"}, REPORT)
    cards = {m.label: m for m in at.metric}
    assert list(cards) == ["Расход", "Лиды", "CPL", "Звонки", "CTR"]
    assert cards["Расход"].value == "803\u00a0207\u00a0₽"
    assert cards["Лиды"].value == "108"
    assert cards["CPL"].value == "7\u00a0437,10\u00a0₽"
    colors = {label: MetricProto.MetricColor.Name(card.proto.color) for label, card in cards.items()}
    # vs September (data from 14.09 only): more leads is good, a higher CPL is bad, spend is neutral.
    assert cards["Лиды"].delta == "+50,0\u00a0%" and colors["Лиды"] == "GREEN"
    assert cards["CPL"].delta == "+22,3\u00a0%" and colors["CPL"] == "RED"
    assert colors["Расход"] == "GRAY"


def test_client_report_defaults_to_last_month_and_writes_the_url(serving_db):
    at = _run({"client": "beta"}, REPORT)
    assert "Период: 01.10.2026 – 31.10.2026" in _text(at)
    params = _params(at)
    assert (params["client"], params["period"]) == ("beta", "last_month")
    assert "viewer" not in params and "lang" not in params  # defaults stay out of the URL


def test_client_report_custom_period_from_the_url(serving_db):
    at = _run({"client": "gamma", "period": "custom", "from": "2026-11-01", "to": "2026-11-07"}, REPORT)
    assert "Период: 01.11.2026 – 07.11.2026 · сравнение с 25.10.2026 – 31.10.2026" in _text(at)


def test_client_report_in_english(serving_db):
    at = _run({"client": "gamma", "lang": "en", "period": "last_30"}, REPORT)
    text = _text(at)
    assert "Results by channel" in text
    table = _channel_table(at)
    assert set(table["Channel"]) == {"VK Ads", "Yandex Direct", "Other", "Total"}
    assert "Data through 22 Nov 2026, published 23 Nov 2026 07:05 MSK" in text


def test_missing_serving_file_shows_how_to_publish(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENCY_SERVING_DB", str(tmp_path / "serving.duckdb"))
    monkeypatch.delenv("AGENCY_DASHBOARD_MANAGER", raising=False)
    at = _run()
    message = at.info[0].value
    assert "Первое обновление данных ещё не опубликовано" in message
    assert "make demo" in message
    assert not at.dataframe and not at.metric


def _hashes(serving_db) -> list[str]:
    with duckdb.connect(str(serving_db), read_only=True) as con:
        rows = con.execute(
            "select contact_hash from lead_ledger where client_id = 'alfa' and contact_hash is not null"
        ).fetchall()
    return [str(h) for (h,) in rows]


def test_client_report_splits_leads_by_type_and_reconciles_them(serving_db):
    at = _run({"client": "alfa", "period": "this_month"}, REPORT)
    text = _text(at)
    assert {m.label: m.value for m in at.metric}["Лиды"] == "90"
    assert "Лиды по типам: звонки — 81 · заявки — 4 · чаты — 1 · CRM — 4" in text

    total = _channel_table(at).iloc[-1]
    split = ("Лиды", "Лиды: звонки", "Лиды: заявки", "Лиды: чаты", "Лиды: CRM")
    assert [total[c] for c in split] == [90, 81, 4, 1, 4]
    assert total["CPL"] == pytest.approx(total["Расход"] / 90)  # spend / all leads

    assert "Сверка лидов" in [s.value for s in at.subheader]
    assert "По целым месяцам: ноя 2026." in text
    table = _table_with(at, "Лиды системы")
    assert list(table["Система"]) == ["Calltouch", "amoCRM", "Заявки Calltouch", "Яндекс Метрика", "Итого"]
    counts = ["Записей", "Не лиды", "Лиды системы", "Объединено с другой системой", "В отчёте"]
    rows = {row["Система"]: [int(row[c]) for c in counts] for row in table.to_dict("records")}
    assert rows["amoCRM"] == [5, 1, 4, 0, 4]
    assert rows["Заявки Calltouch"] == [5, 1, 4, 2, 2]
    assert rows["Яндекс Метрика"] == [4, 1, 3, 0, 3]
    assert rows["Calltouch"] == [275, 192, 83, 2, 81]
    assert rows["Итого"] == [289, 195, 94, 4, 90]
    assert (
        "Системы насчитали лидов: 94; из них объединено с лидом другой системы (тот же контакт): 4; "
        "в отчёте: 90. Записей, которые системы не считают лидами: 195."
    ) in text

    ledger = _table_with(at, "Почему лид")
    assert len(ledger) == 90
    assert "Откуда каждый лид за период (90)" in [e.label for e in at.expander]
    deal = ledger[ledger["Запись в системе"] == "7001"].iloc[0]
    assert (deal["Тип"], deal["Система"], deal["Канал"], deal["Объединено"]) == (
        "CRM",
        "amoCRM",
        "Поиск (SEO)",
        2,
    )
    hashes = _hashes(serving_db)
    assert hashes and not any(h in text or h[:12] in text for h in hashes)  # no contact data


def test_client_report_leads_in_english(serving_db):
    at = _run({"client": "alfa", "period": "this_month", "lang": "en"}, REPORT)
    text = _text(at)
    assert "Leads by type: calls — 81 · forms — 4 · chats — 1 · CRM — 4" in text
    assert list(_channel_table(at).columns)[8:13] == [
        "Leads",
        "Leads: calls",
        "Leads: forms",
        "Leads: chats",
        "Leads: CRM",
    ]
    assert "Leads reconciliation" in [s.value for s in at.subheader]
    table = _table_with(at, "System's leads")
    assert list(table["System"]) == ["Calltouch", "amoCRM", "Calltouch requests", "Yandex Metrika", "Total"]
    assert list(table.iloc[-1])[1:] == [289, 195, 94, 4, 90]
    assert "By whole months: Nov 2026." in text
    assert (
        "Leads the systems counted: 94; merged into another system's lead (same contact): 4; "
        "in the report: 90. Records the systems do not count as leads: 195."
    ) in text
    ledger = _table_with(at, "Counted as a lead by")
    goal = ledger[ledger["Record in the system"] == "301:2026-11-08:1"].iloc[0]
    assert (goal["Type"], goal["System"], goal["Counted as a lead by"]) == (
        "form",
        "Yandex Metrika",
        "a Metrika goal reached",
    )


def test_client_report_of_a_calls_only_client_has_no_split_columns(serving_db):
    at = _run({"client": "beta", "period": "last_month"}, REPORT)
    text = _text(at)
    assert "Лиды по типам: звонки — 57" in text
    assert not [c for c in _channel_table(at).columns if c.startswith("Лиды:")]
    table = _table_with(at, "Лиды системы")
    assert list(table["Система"]) == ["CoMagic", "Итого"]
    assert set(_table_with(at, "Почему лид")["Почему лид"]) == {"звонок по правилу агентства"}


def test_client_report_reconciles_whole_months_of_a_period(serving_db):
    # 24.10-22.11 touches October and November: the reconciliation covers both whole months.
    at = _run({"client": "alfa", "period": "last_30"}, REPORT)
    assert "По целым месяцам: окт 2026 – ноя 2026." in _text(at)
    assert _table_with(at, "Лиды системы").iloc[-1]["В отчёте"] == 108 + 90
    assert len(_table_with(at, "Почему лид")) == _channel_table(at).iloc[-1]["Лиды"]  # the period's leads


def test_no_page_script_has_a_stray_string_that_streamlit_would_draw():
    """Streamlit's "magic" writes every bare expression of a page script onto the page: a string
    meant as a comment below a constant shows up to the viewer. Only the module docstring is safe."""
    import ast
    from pathlib import Path

    for script in sorted((Path(APP).parent / "views").glob("*.py")):
        body = ast.parse(script.read_text(encoding="utf-8")).body
        stray = [
            node.lineno
            for node in body[1:]
            if isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ]
        assert stray == [], f"{script.name}: bare strings at lines {stray}"


def test_a_page_whose_version_was_dropped_is_drawn_again_once(serving_db, monkeypatch):
    """A publish dropped the version the page had pinned (PostgreSQL, ``dashboard.warehouse``):
    the shell draws the page again, once, on the current version; a second time it gives up."""
    from dashboard import data

    calls: list[int] = []
    original = data.viewer_directory

    def dropped_once():
        calls.append(1)
        if len(calls) == 1:
            raise data.ServingVersionGoneError("the published version serving_v_x was dropped")
        return original()

    monkeypatch.setattr(data, "viewer_directory", dropped_once)
    at = _run()
    assert len(calls) == 2 and at.metric  # drawn on the second try

    def always_dropped():
        raise data.ServingVersionGoneError("the published version serving_v_x was dropped")

    monkeypatch.setattr(data, "viewer_directory", always_dropped)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert [e.value for e in at.exception] == ["the published version serving_v_x was dropped"]
