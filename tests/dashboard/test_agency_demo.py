"""The agency head's page on the published demo agency (issue 19): the churned client, the new
one and the chronic late payer, with the figures checked against the simulator's ground truth.

The demo is the session's ``published_demo`` (tests/conftest.py, shared with the end-to-end
tests): the smallest one with all three (6 clients, 7 months), through the production refresh.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from demo_agency import Agency, GroundTruth
from tests.dashboard.browser import CHROMIUM, running_browser, running_dashboard
from tests.dashboard.conftest import APP
from tests.dashboard.test_app import TIMEOUT

TODAY = dt.date(2026, 11, 23)
AGENCY = "views/agency.py"


@dataclass(frozen=True)
class Demo:
    serving_db: Path
    truth: GroundTruth
    agency: Agency

    def name(self, client_id: str) -> str:
        return self.agency.client(client_id).name

    def manager_name(self, client_id: str) -> str:
        manager = self.agency.client(client_id).manager_id
        return next(m.name for m in self.agency.managers if m.id == manager)

    def behaving(self, behaviour: str) -> str:
        return next(c.id for c in self.agency.clients if c.behaviour == behaviour)

    def status_month(self, client_id: str, status: str) -> dt.date:
        return next(
            r.month for r in self.truth.lifecycle_months if r.client_id == client_id and r.status == status
        )


@pytest.fixture(scope="module")
def demo(published_demo: tuple[Any, GroundTruth, Agency]) -> Demo:
    settings, truth, agency = published_demo
    assert truth.as_of == TODAY
    return Demo(settings.serving_db, truth, agency)


@pytest.fixture
def on_demo(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    monkeypatch.setenv("AGENCY_SERVING_DB", str(demo.serving_db))
    monkeypatch.delenv("AGENCY_DASHBOARD_MANAGER", raising=False)
    yield demo


def _page(month: dt.date) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update({"month": month.isoformat()})
    at.switch_page(AGENCY)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest, column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def _by_manager(at: AppTest, column: str) -> dict[str, object]:
    table = _table(at, "Менеджер")
    return dict(zip(table["Менеджер"], table[column], strict=True))


def _captions(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.caption)


def _truth_count(demo: Demo, month: dt.date, status: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in demo.truth.lifecycle_months:
        if r.month == month and r.status == status:
            counts[demo.manager_name(r.client_id)] += 1
    return counts


def test_the_churned_client_is_counted_in_its_month(on_demo: Demo) -> None:
    demo = on_demo
    churned = demo.behaving("churned")
    month = demo.status_month(churned, "churned")
    at = _page(month)
    counts = _truth_count(demo, month, "churned")
    assert counts[demo.manager_name(churned)] >= 1
    shown = _by_manager(at, "Ушли")
    for manager, value in shown.items():
        expected = sum(counts.values()) if manager == "Всё агентство" else counts.get(str(manager), 0)
        assert value == expected, manager
    moved = _table(at, "Статус")
    assert dict(zip(moved["Клиент"], moved["Статус"], strict=True))[demo.name(churned)] == "ушёл"
    assert f"Ушёл: {demo.name(churned)}" in _captions(at)


def test_the_new_client_is_counted_as_new(on_demo: Demo) -> None:
    demo = on_demo
    new = demo.behaving("new")
    month = demo.status_month(new, "new")
    at = _page(month)
    counts = _truth_count(demo, month, "new")
    assert counts == {demo.manager_name(new): 1}
    shown = _by_manager(at, "Новые")
    assert shown[demo.manager_name(new)] == 1 and shown["Всё агентство"] == 1
    moved = _table(at, "Статус")
    assert dict(zip(moved["Клиент"], moved["Статус"], strict=True))[demo.name(new)] == "новый"
    assert f"Новый: {demo.name(new)}" in _captions(at)


def _receivables_now(demo: Demo) -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, Decimal]]:
    """Overdue, outstanding and invoiced in the 3-month DSO window per client as of TODAY, from the
    simulator's invoices and payments (the current month's snapshot)."""
    window_start = dt.date(2026, 9, 1)
    overdue: dict[str, Decimal] = defaultdict(Decimal)
    outstanding: dict[str, Decimal] = defaultdict(Decimal)
    invoiced: dict[str, Decimal] = defaultdict(Decimal)
    for i in demo.truth.invoices:
        outstanding[i.client_id] += i.outstanding
        if i.due_on < TODAY:
            overdue[i.client_id] += i.outstanding
        if i.issued_on >= window_start:
            invoiced[i.client_id] += i.amount
    return overdue, outstanding, invoiced


def test_the_late_payers_overdue_money_and_dso(on_demo: Demo) -> None:
    demo = on_demo
    late = demo.behaving("late_payer")
    overdue, outstanding, invoiced = _receivables_now(demo)
    assert overdue[late] > 0
    window_days = (TODAY - dt.date(2026, 9, 1)).days
    at = _page(dt.date(2026, 11, 1))
    by_manager: dict[str, list[str]] = defaultdict(list)
    for client in demo.agency.clients:
        by_manager[demo.manager_name(client.id)].append(client.id)
    shown_overdue = _by_manager(at, "Просрочено")
    shown_dso = _by_manager(at, "DSO, дней")
    for manager, ids in by_manager.items():
        assert shown_overdue[manager] == pytest.approx(float(sum(overdue[c] for c in ids)), abs=0.005)
        owed, billed = sum(outstanding[c] for c in ids), sum(invoiced[c] for c in ids)
        assert shown_dso[manager] == pytest.approx(round(float(owed) * window_days / float(billed), 1))
    debtors = _table(at, "Клиент")  # the overdue money, the largest debt first
    row = debtors[debtors["Клиент"] == demo.name(late)].iloc[0]
    assert row["Просрочено"] == pytest.approx(float(overdue[late]), abs=0.005)
    late_dso = float(outstanding[late]) * window_days / float(invoiced[late])
    assert row["DSO, дней"] == pytest.approx(round(late_dso, 1))


def test_revenue_against_the_plan_per_manager(on_demo: Demo) -> None:
    demo = on_demo
    month = dt.date(2026, 10, 1)
    plan: dict[str, Decimal] = defaultdict(Decimal)
    for client in demo.agency.clients:
        for p in client.plans:
            if p.month == month and p.fee is not None:
                plan[demo.manager_name(client.id)] += p.fee
    fee: dict[str, Decimal] = defaultdict(Decimal)
    for r in demo.truth.revenue_months:
        if r.month == month:
            fee[demo.manager_name(r.client_id)] += r.fee_invoiced_net
    at = _page(month)
    shown_plan, shown = _by_manager(at, "План выручки"), _by_manager(at, "Выручка к плану")
    assert plan and all(v > 0 for v in plan.values())
    for manager, planned in plan.items():
        assert shown_plan[manager] == float(planned)
        assert shown[manager] == pytest.approx(float(fee[manager] / planned))
    assert shown["Всё агентство"] == pytest.approx(float(sum(fee.values()) / sum(plan.values())))


@pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"{CHROMIUM} not found (scripts/ensure_chromium.sh)",
)
def test_the_head_sees_them_in_a_real_browser(demo: Demo, tmp_path: Path) -> None:
    assert CHROMIUM.exists(), f"{CHROMIUM} is required in CI: run scripts/ensure_chromium.sh"
    churned, new, late = (demo.behaving(b) for b in ("churned", "new", "late_payer"))
    overdue, outstanding, invoiced = _receivables_now(demo)
    top = max(overdue, key=lambda c: overdue[c])
    with running_dashboard(demo.serving_db) as base, running_browser() as page:
        for client, status, word in ((churned, "churned", "Ушёл"), (new, "new", "Новый")):
            month = demo.status_month(client, status)
            page.navigate(f"{base}/agency?month={month.isoformat()}")
            text = page.wait_for_text("Ушли и пришли за месяц", f"{word}: {demo.name(client)}")
            assert not text.startswith("TIMEOUT"), text[:3000]
        page.navigate(f"{base}/agency?month=2026-11-01")
        text = page.wait_for_text("Просроченные долги", "Больше всех просрочил")
        assert not text.startswith("TIMEOUT"), text[:3000]
        page.screenshot(tmp_path / "agency_demo.png")
    # the late payer owes the most; its overdue money and DSO as the caption words them
    assert top == late
    dso = float(outstanding[late]) * (TODAY - dt.date(2026, 9, 1)).days / float(invoiced[late])
    from dashboard import fmt

    expected = f"Больше всех просрочил: {demo.name(late)} — {fmt.money(overdue[late], 'ru', 0)}, DSO "
    assert expected + f"{fmt.number(round(dso, 1), 'ru', 0)} дн." in text
