"""The client page's comparison with the previous period and the same period last year (issue 19)
shows what ``monthly_comparisons`` publishes, for a whole month and for the month to date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from dashboard import fmt, tables
from tests.dashboard.test_app import _run, _text

REPORT = "views/client_report.py"


def _mart_row(path: Path, client_id: str, month: dt.date) -> dict[str, object]:
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(
            "select * from monthly_comparisons where grain = 'client' and client_id = ? and month = ?",
            [client_id, month],
        )
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    assert len(rows) == 1
    return dict(zip(names, rows[0], strict=True))


def _shown(at) -> dict[str, list[str]]:
    found = [d.value for d in at.dataframe if "Пред. период" in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    table = found[0]
    return {str(r["Показатель"]): [str(v) for v in r.to_list()[1:]] for _, r in table.iterrows()}


@pytest.mark.parametrize(
    ("client_id", "preset", "month"),
    [("alfa", "last_month", dt.date(2026, 10, 1)), ("gamma", "this_month", dt.date(2026, 11, 1))],
)
def test_the_client_page_shows_the_published_comparison(serving_db, client_id, preset, month):
    at = _run({"client": client_id, "period": preset}, page=REPORT)
    row = _mart_row(serving_db, client_id, month)
    shown = _shown(at)
    spend, previous = float(row["spend"]), float(row["previous_spend"])  # type: ignore[arg-type]
    assert spend > 0 and previous > 0
    assert shown["Расход"][:3] == [
        fmt.money(row["spend"], "ru", 0),
        fmt.money(row["previous_spend"], "ru", 0),
        fmt.delta_percent(spend / previous - 1, "ru"),
    ]
    # ratios are the mart's, recomputed from each period's sums, not averaged
    leads = row["leads"]
    assert isinstance(leads, int) and leads > 0
    assert float(row["cpl"]) == pytest.approx(spend / leads, abs=0.005)  # type: ignore[arg-type]
    assert shown["CPL"][:2] == [fmt.money(row["cpl"], "ru"), fmt.money(row["previous_cpl"], "ru")]
    assert shown["CTR"][0] == fmt.percent(row["ctr"], "ru", 2)
    assert shown["Лиды"][3] == fmt.integer(row["year_ago_leads"], "ru")
    assert shown == _shown_expected(row)  # and every other cell too
    text = _text(at)
    assert fmt.date_range(row["previous_start"], row["previous_end"], "ru") in text  # type: ignore[arg-type]


def _shown_expected(row: dict[str, object]) -> dict[str, list[str]]:
    table = tables.comparison_table(row, "ru")
    return {str(r["Показатель"]): [str(v) for v in r.to_list()[1:]] for _, r in table.iterrows()}


def test_no_published_comparison_for_a_period_that_is_not_a_month(serving_db):
    at = _run({"client": "alfa", "period": "last_7"}, page=REPORT)
    assert not [d for d in at.dataframe if "Пред. период" in d.value.columns]
    assert "Сравнение с прошлым периодом" not in _text(at)


def test_another_managers_client_gets_no_comparison(serving_db, monkeypatch):
    from dashboard import data

    assert data.monthly_comparison(["alfa"], "gamma", dt.date(2026, 10, 1)).empty
    assert len(data.monthly_comparison(["alfa"], "alfa", dt.date(2026, 10, 1))) > 1  # client + channels


def test_the_channels_are_compared_too(serving_db):
    month = dt.date(2026, 10, 1)
    at = _run({"client": "alfa", "period": "last_month"}, page=REPORT)
    found = [d.value for d in at.dataframe if "Расход: к пред. периоду" in d.value.columns]
    assert len(found) == 1
    shown = {str(r["Канал"]): r for _, r in found[0].iterrows()}
    with duckdb.connect(str(serving_db), read_only=True) as con:
        mart = con.execute(
            "select c.channel, coalesce(d.name_ru, c.channel), c.spend, c.previous_spend, c.year_ago_spend,"
            " c.leads, c.cpl, c.previous_cpl from monthly_comparisons c"
            " left join dim_channels d on d.channel = c.channel"
            " where c.grain = 'channel' and c.client_id = 'alfa' and c.month = ?",
            [month],
        ).fetchall()
    assert mart and set(shown) == {name for _, name, *_ in mart}
    for _, name, spend, previous, year_ago, leads, cpl, previous_cpl in mart:
        row = shown[name]
        assert row["Расход"] == fmt.money(spend, "ru", 0)
        assert row["Расход: к пред. периоду"] == fmt.delta_percent(
            tables.relative_change(spend, previous), "ru"
        )
        assert row["Расход: к году"] == fmt.delta_percent(tables.relative_change(spend, year_ago), "ru")
        assert row["Лиды"] == fmt.integer(leads, "ru")
        assert row["CPL: к пред. периоду"] == fmt.delta_percent(
            tables.relative_change(cpl, previous_cpl), "ru"
        )
    spends = [float(s or 0) for _, _, s, *_ in sorted(mart, key=lambda r: -float(r[2] or 0))]
    assert [shown[n]["Расход"] for n in shown] == [fmt.money(s, "ru", 0) for s in spends]
