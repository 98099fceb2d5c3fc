"""Balance snapshots into ``raw.ad_account_balances`` through the demo's fake Direct endpoint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from demo_agency import Agency, config_yaml, simulate
from demo_agency.vendors import (
    DEMO_CREDENTIALS,
    DemoVendors,
    demo_balances,
    low_balance_client,
)
from pipelines.load.balances import pull_balances
from pipelines.load.config import parse_config
from pipelines.load.vendors import VendorApis
from pipelines.load.warehouse import DuckDBRawStore
from tests.fakes import FakeTime

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def agency() -> Agency:
    return simulate(TODAY, seed=3, months=2, n_clients=4)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DuckDBRawStore]:
    with DuckDBRawStore(tmp_path / "build.duckdb") as s:
        s.ensure_schema()
        yield s


def run(
    agency: Agency,
    store: DuckDBRawStore,
    *,
    hour: int = 3,
    replace: tuple[str, str] | None = None,
    **env: str,
) -> Any:
    text = config_yaml(agency)
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    fake = FakeTime()
    with VendorApis(
        {**DEMO_CREDENTIALS, **env}, transports=DemoVendors(agency).transports(), sleep=fake.sleep, clock=fake
    ) as apis:
        moments = iter([dt.datetime(2026, 11, 23, hour, 0), dt.datetime(2026, 11, 23, hour, 5)])
        return pull_balances(
            config=parse_config(yaml.safe_load(text)),
            store=store,
            apis=apis,
            today=TODAY,
            now=lambda: next(moments),
        )


def test_every_direct_account_gets_a_snapshot_and_the_log_says_so(
    agency: Agency, store: DuckDBRawStore
) -> None:
    report = run(agency, store)
    expected = demo_balances(agency)
    got = store.con.execute(
        "select client_id, source, account_id, balance_account_id, amount, currency"
        " from raw.ad_account_balances"
    ).fetchall()
    direct = {(c.id, a.id) for c in agency.clients for a in c.accounts if a.source == "yandex_direct"}
    served = {(c, a) for c, a in direct if agency.client(c).end_date is None and not _via_inbox(agency, a)}
    assert {(c, a) for c, _, a, *_ in got} == served and len(got) == len(served) > 0
    for _client, source, login, account_id, amount, currency in got:
        assert (source, currency) == ("yandex_direct", "RUB")
        assert (int(account_id), amount) == expected[login]
    assert not report.failed
    log = store.con.execute(
        "select kind, target_table, status, row_count, date_from from raw.load_log order by account_id"
    ).fetchall()
    assert log == [("balance:yandex_direct", "ad_account_balances", "loaded", 1, None)] * len(served)
    low = low_balance_client(agency)
    (low_login,) = [a for c, a in served if c == low]
    assert expected[low_login][1] > 0  # running low, not empty


def test_a_bad_token_fails_its_account_only_and_a_second_pull_appends(
    agency: Agency, store: DuckDBRawStore
) -> None:
    run(agency, store)
    secret = "y0_expired-vektor-token-77aa"
    report = run(
        agency,
        store,
        hour=4,
        replace=(
            '{source: yandex_direct, id: "vektor-direct"}',
            '{source: yandex_direct, id: "vektor-direct", credentials_env: VEKTOR_DIRECT_TOKEN}',
        ),
        VEKTOR_DIRECT_TOKEN=secret,
    )
    (failed,) = report.failed
    assert (failed.client_id, failed.account_id) == ("vektor", "vektor-direct")
    assert (failed.error or "").startswith("AuthError: ") and "53" in (failed.error or "")
    assert secret not in (failed.error or "")
    snapshots = dict(
        store.con.execute(
            "select account_id, count(*) from raw.ad_account_balances group by account_id"
        ).fetchall()
    )
    assert snapshots.pop("vektor-direct") == 1  # yesterday's snapshot stays, nothing new
    assert set(snapshots.values()) == {2}
    (error,) = store.con.execute("select error from raw.load_log where status = 'failed'").fetchone() or ()
    assert error.startswith("AuthError: ") and secret not in error


def _via_inbox(agency: Agency, login: str) -> bool:
    return any(a.id == login and a.via_inbox for c in agency.clients for a in c.accounts)


def test_the_fake_endpoint_names_a_login_of_no_client_in_actions_result(agency: Agency) -> None:
    from connectors.yandex_direct import DirectBalanceClient

    transport = DemoVendors(agency).transports()["yandex_direct"]
    login = next(a.id for c in agency.clients for a in c.accounts if a.source == "yandex_direct")
    with DirectBalanceClient(DEMO_CREDENTIALS["YANDEX_DIRECT_TOKEN"], transport=transport) as direct:
        answer = direct.balances([login, "stranger"])
    assert [a.login for a in answer.accounts] == [login]
    assert answer.failures == {"stranger": "Нет прав: Логин stranger [54]"}
