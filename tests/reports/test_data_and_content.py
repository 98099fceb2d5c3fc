"""The report's numbers are the dashboard's: the same queries, the same tables, the same words."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import data as dashboard_data
from dashboard import tables
from reports import ServingReader, UnknownClientError, parse_period, render_report
from reports.content import build_content
from reports.figures import read_figures
from reports.narrative import compare_sentence, what_changed

ALL = ["alfa", "beta", "gamma", "delta"]
NBSP = "\u00a0"


def figures(serving_file, client_id: str, period: str):
    with ServingReader(serving_file) as reader:
        meta = reader.meta()
        client = next(c for c in reader.clients() if c.client_id == client_id)
        return read_figures(reader, meta, client, parse_period(period))


@pytest.mark.parametrize(
    ("client_id", "period"), [("alfa", "2026-10"), ("beta", "2026-11"), ("gamma", "2026-W44")]
)
def test_the_reports_queries_return_the_dashboards_frames(serving_file, monkeypatch, client_id, period):
    monkeypatch.setenv("AGENCY_SERVING_DB", str(serving_file))
    days = parse_period(period).clipped(dt.date(2026, 11, 22))
    with ServingReader(serving_file) as reader:
        pairs = [
            (
                reader.channel_results(client_id, days.start, days.end),
                dashboard_data.channel_results(ALL, client_id, days.start, days.end),
            ),
            (
                reader.daily_results(client_id, days.start, days.end),
                dashboard_data.daily_results(ALL, client_id, days.start, days.end),
            ),
            (
                reader.monthly_plan(client_id, *days.months()),
                dashboard_data.monthly_plan(ALL, client_id, *days.months()),
            ),
            (
                reader.top_campaigns(client_id, days.start, days.end),
                dashboard_data.top_campaigns(ALL, client_id, days.start, days.end),
            ),
            (reader.source_freshness(client_id), dashboard_data.source_freshness(ALL, client_id)),
        ]
        assert reader.channel_names() == dashboard_data.channel_names()
        assert reader.source_names() == dashboard_data.source_names()
    for ours, theirs in pairs:
        assert not ours.empty
        pd.testing.assert_frame_equal(ours, theirs)


def test_headline_cards_equal_the_dashboards_totals(serving_file, monkeypatch):
    monkeypatch.setenv("AGENCY_SERVING_DB", str(serving_file))
    content = build_content(figures(serving_file, "alfa", "2026-10"), "ru")
    october = parse_period("2026-10")
    now = tables.Totals.from_channel_results(
        dashboard_data.channel_results(ALL, "alfa", october.start, october.end)
    )
    september = dashboard_data.channel_results(ALL, "alfa", dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    before = tables.Totals.from_channel_results(september)
    cards = {card.key: card for card in content.cards}
    assert list(cards) == ["spend", "leads", "cpl", "calls", "ctr", "clicks"]
    for key in cards:
        assert cards[key].value == pytest.approx(getattr(now, key))
        assert cards[key].previous == pytest.approx(getattr(before, key))
        assert cards[key].year_ago is None  # the fixture starts in September 2026
    assert cards["leads"].value == 108 and cards["leads"].change_previous == pytest.approx(0.5)


def test_the_channel_table_is_the_dashboards_with_a_dash_for_cost_ratios_without_spend(serving_file):
    content = build_content(figures(serving_file, "alfa", "2026-10"), "ru")
    results = content.table("results")
    assert results is not None and results.total_row
    seo = results.frame[results.frame["Канал"] == "Поиск (SEO)"].iloc[0]
    assert seo["Расход"] == 0 and seo["Лиды"] == 20
    assert seo["CPC"] is None and seo["CPL"] is None
    dashboard_table = tables.channel_table(content.figures.channels, "ru", content.figures.channel_names)
    for column in results.frame.columns:
        assert list(results.frame[column]) == list(dashboard_table[column])


def test_what_changed_cites_each_figure_and_its_comparison(serving_file):
    sentences = what_changed(figures(serving_file, "alfa", "2026-10"), "ru")
    text = [s.replace(NBSP, " ") for s in sentences]
    assert text == [
        "Лиды: 108, на 50,0 % больше, чем в сентябре (72).",
        "Расход: 803 207 ₽, на 83,4 % больше, чем в сентябре (437 993 ₽).",
        "CPL: 7 437,10 ₽, на 22,3 % выше, чем в сентябре (6 083,23 ₽).",
        "Звонки: 367, на 63,8 % больше, чем в сентябре (224).",
        "Клики: 57 302, на 65,3 % больше, чем в сентябре (34 665).",  # CTR moved 2,4 %: not notable
        "Больше всего лидов прибавил канал «Яндекс Директ»: 76 против 51 в сентябре.",
        "План по лидам на октябрь 2026 выполнен на 55 %: 108 из 195.",
        "Бюджет на октябрь 2026 израсходован на 103 % плана: 803 207 ₽ из 780 000 ₽.",
    ]


def test_what_changed_for_a_running_month_and_in_english(serving_file):
    text = [s.replace(NBSP, " ") for s in what_changed(figures(serving_file, "alfa", "2026-11"), "en")]
    assert text[0] == "Leads: 90, up 15.4% from 78 over 10 Oct 2026 – 31 Oct 2026."
    assert text[-1] == "Budget pacing on 22 Nov 2026: 95% of plan."


@pytest.mark.parametrize(
    ("key", "value", "before", "expected"),
    [
        ("leads", 412, 348, "Лиды: 412, на 18,4 % больше, чем в сентябре (348)."),
        ("leads", 300, 348, "Лиды: 300, на 13,8 % меньше, чем в сентябре (348)."),
        ("leads", 348, 348, "Лиды: 348, столько же, сколько в сентябре."),
        ("leads", 12, 0, "Лиды: 12; в сентябре — 0."),
        ("leads", 0, 0, None),
        ("cpl", 900.0, 1000.0, "CPL: 900,00 ₽, на 10,0 % ниже, чем в сентябре (1 000,00 ₽)."),
        ("calls", 105, 100, None),  # notable_only: a 5 % move is not mentioned
        ("calls", 130, 100, "Звонки: 130, на 30,0 % больше, чем в сентябре (100)."),
        ("cpl", None, 1000.0, None),
    ],
)
def test_compare_sentence(key, value, before, expected):
    sentence = compare_sentence(key, value, before, "в сентябре", "ru", notable_only=key == "calls")
    assert (sentence.replace(NBSP, " ") if sentence else None) == expected


def test_a_period_without_rows_and_a_period_without_data_yet_still_give_a_report(serving_file):
    churned = build_content(figures(serving_file, "delta", "2026-11"), "ru")
    assert churned.no_data == "За этот период у клиента нет ни расхода, ни звонков, ни лидов."
    assert not churned.summary and not churned.table("results")
    assert {c.key: c.value for c in churned.cards}["leads"] == 0
    future = build_content(figures(serving_file, "alfa", "2026-12"), "ru")
    assert future.no_data == "За выбранный период ещё нет полных дней с данными (данные по 22.11.2026)."
    assert all(card.value is None for card in future.cards)


def test_freshness_lists_the_clients_ad_call_and_lead_sources_not_invoices(serving_file):
    content = build_content(figures(serving_file, "beta", "2026-10"), "ru")
    head, *sources = (line.replace(NBSP, " ") for line in content.freshness)
    assert head == "Данные по 22.11.2026 включительно; выгрузка fixture-run-0001 от 23.11.2026 07:05 МСК."
    assert "Выгрузка из кабинета: Google Ads: по 17.11.2026, отстаёт на 5 дн." in sources
    assert not [s for s in sources if "Реестр счетов" in s]


def test_unknown_client(serving_file):
    with pytest.raises(UnknownClientError, match=r"unknown client 'omega'.*known: alfa, beta, delta, gamma"):
        render_report(serving_file, "omega", parse_period("2026-10"))


def test_plan_sentences_only_for_a_period_that_is_the_month_so_far(serving_file):
    part_of_october = [
        s.replace(NBSP, " ")
        for s in what_changed(figures(serving_file, "alfa", "2026-10-01:2026-10-17"), "ru")
    ]
    assert not [s for s in part_of_october if "План" in s or "Бюджет" in s or "Темп" in s]
    november = [s.replace(NBSP, " ") for s in what_changed(figures(serving_file, "alfa", "2026-11"), "ru")]
    assert "План по лидам на ноябрь 2026 выполнен на 45 %: 90 из 200." in november
