"""The readers on PostgreSQL (issue 20): the dashboard, the reports and the alerts read the marts
published in the ``serving`` schema (``AGENCY_WAREHOUSE=postgres``) with the settled-data guarantee
of the DuckDB serving file.

The demo agency is the session's ``postgres_demo`` (tests/postgres_demo.py): refreshed into a
database of the throwaway server once, next to the DuckDB run of the same demo. The dashboard's
query functions and its pages (AppTest) show the same figures from both; a reader pinned to a
version keeps reading it through a publish; readers looping through several publishes always see
one consistent version; the reader role reads ``serving`` and nothing else; a report renders from
PostgreSQL with the same content as from the serving file; a killed publish leaves ``serving`` as
it was. The tests that publish again publish the demo's own marts last, so the database ends as
the refresh left it.

Fails, never skips, without PostgreSQL's server programs.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from dashboard.i18n import t
from dashboard.periods import Period
from dashboard.warehouse import (
    DuckDBServing,
    PostgresServing,
    ServingNotPublishedError,
    ServingVersionGoneError,
)
from pipelines.load import publish_schema as publishing
from pipelines.load.faults import FAULT_ENV
from pipelines.load.postgres import PostgresRawStore
from pipelines.load.publish import PUBLIC_MARTS
from reports.build import RenderedReport, render_report
from reports.data import is_published
from reports.readiness import read_coverage
from tests.conftest import DEMO_TODAY
from tests.dashboard.conftest import APP
from tests.dashboard.test_app import TIMEOUT
from tests.postgres_demo import PostgresRun

READER = "agency_reader"
VOLATILE = {"last_loaded_at", "balance_at", "last_success", "last_failed_at", "last_read_at"}
MONTH = dt.date(2026, 10, 1)


def _pg(run: PostgresRun, user: str | None = None) -> PostgresServing:
    pg = run.settings.postgres
    assert pg is not None
    return PostgresServing(host=pg.host, port=pg.port, user=user or pg.user, dbname=pg.dbname)


def _use_duckdb(run: PostgresRun, mp: pytest.MonkeyPatch) -> None:
    mp.setenv("AGENCY_WAREHOUSE", "duckdb")
    mp.setenv("AGENCY_SERVING_DB", str(run.duckdb_settings.serving_db))


def _use_postgres(run: PostgresRun, mp: pytest.MonkeyPatch, user: str = READER) -> None:
    pg = _pg(run, user)
    mp.setenv("AGENCY_WAREHOUSE", "postgres")
    mp.setenv("AGENCY_SERVING_DB", "/nonexistent/serving.duckdb")  # nothing may read the file
    for name, value in (("HOST", pg.host), ("PORT", str(pg.port)), ("USER", pg.user), ("DBNAME", pg.dbname)):
        mp.setenv(f"AGENCY_PG_{name}", value)


def _publish(run: PostgresRun, run_id: str, source_schema: str = "marts") -> str:
    """Publish ``source_schema``'s marts (as the refresh does, to the reader role too); the version."""
    with PostgresRawStore(run.conninfo) as store:
        publishing.publish_schema(
            store, as_of_date=DEMO_TODAY, run_id=run_id, source_schema=source_schema, reader_role=READER
        )
    _, rows = run.query("select version_schema from serving._publish_meta")
    return str(rows[0][0])


@pytest.fixture(scope="module")
def doubled(postgres_demo: PostgresRun) -> Iterator[PostgresRun]:
    """A schema ``doubled``: the demo's marts with spend doubled in the two marts the readers
    compare (``client_channel_daily``, ``client_monthly``): what a different build publishes.
    The demo's own marts are published again at the end."""
    with psycopg.connect(postgres_demo.conninfo, autocommit=True) as con:
        con.execute("drop schema if exists doubled cascade")
        con.execute("create schema doubled")
        for mart in PUBLIC_MARTS:
            con.execute(f"create table doubled.{mart} as select * from marts.{mart}".encode())
        con.execute("update doubled.client_channel_daily set spend = spend * 2")
        con.execute("update doubled.client_monthly set spend = spend * 2")
    yield postgres_demo
    _publish(postgres_demo, "restored")


# -- the same figures as the serving file ---------------------------------------------------------


def _calls(clients: list[str]) -> list[tuple[Callable[..., Any], tuple[Any, ...]]]:
    c = clients[0]
    start, end = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    first, last = dt.date(2026, 5, 1), dt.date(2026, 11, 1)
    return [
        (data.viewer_directory, ()),
        (data.channel_names, ()),
        (data.source_names, ()),
        (data.client_status, (clients,)),
        (data.client_health_reasons, (clients,)),
        (data.portfolio_monthly, (clients, first, last)),
        (data.client_month, (clients, MONTH)),
        (data.client_lifecycle, (clients, MONTH)),
        (data.client_receivables, (clients, MONTH)),
        (data.manager_economics, (clients, first, last)),
        (data.manager_portfolio, (clients, first, last)),
        (data.monthly_comparison, (clients, c, MONTH)),
        (data.metric_passport, ()),
        (data.channel_results, (clients, c, start, end)),
        (data.daily_results, (clients, c, start, end)),
        (data.monthly_plan, (clients, c, first, last)),
        (data.lead_reconciliation, (clients, c, first, last)),
        (data.lead_ledger, (clients, c, start, end)),
        (data.top_campaigns, (clients, c, start, end)),
        (data.source_freshness, (clients,)),
        (data.unmatched_payments, (clients,)),
        (data.client_payments, (clients, c, first, end)),
        (data.data_health, (clients,)),
        (data.ad_account_balances, (clients,)),
    ]


def test_every_dashboard_read_returns_the_serving_files_frame(
    postgres_demo: PostgresRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every query function of ``dashboard.data``, read as the reader role: the same frame (values
    and dtypes) as from the DuckDB serving file, the columns that say when a run happened aside."""
    _use_duckdb(postgres_demo, monkeypatch)
    clients = [str(c) for c in data.viewer_directory()["client_id"]]
    calls = _calls(clients)
    public = {
        name
        for name, f in vars(data).items()
        if inspect.isfunction(f) and f.__module__ == data.__name__ and not name.startswith("_")
    }
    assert public - {"pinned", "publish_meta"} == {f.__name__ for f, _ in calls}
    on_duckdb = [f(*args) for f, args in calls]
    duck_meta = data.publish_meta()
    _use_postgres(postgres_demo, monkeypatch)
    with data.pinned():
        on_postgres = [f(*args) for f, args in calls]
        pg_meta = data.publish_meta()
    assert (pg_meta.as_of_date, pg_meta.data_cutoff) == (duck_meta.as_of_date, duck_meta.data_cutoff)
    rows = 0
    for (f, _), duck, pg in zip(calls, on_duckdb, on_postgres, strict=True):
        if isinstance(duck, pd.DataFrame):
            keep = [c for c in duck.columns if c not in VOLATILE]
            assert list(pg.columns) == list(duck.columns), f.__name__
            pd.testing.assert_frame_equal(pg[keep], duck[keep], obj=f.__name__)
            rows += len(duck)
        else:
            assert pg == duck, f.__name__
    assert rows > 300  # the comparison saw data


SHOWN_VOLATILE = {t("col_last_success", "ru"), t("col_balance_at", "ru")}  # when the run read it


def _snapshot(at: AppTest) -> dict[str, Any]:
    """What a page shows as figures: its metrics and its tables (the freshness captions, which
    name the run, aside)."""
    return {
        "metrics": [(m.label, m.value, m.delta) for m in at.metric],
        "tables": [
            d.value.drop(columns=[c for c in d.value.columns if c in SHOWN_VOLATILE]) for d in at.dataframe
        ],
        "titles": [str(t.value) for t in at.title] + [str(h.value) for h in at.subheader],
    }


def _page(page: str, query: dict[str, str]) -> dict[str, Any]:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return _snapshot(at)


PAGES = [
    ("views/portfolio.py", {}),
    ("views/agency.py", {"month": MONTH.isoformat()}),
    ("views/client_report.py", {"period": "last_month"}),
    ("views/data_health.py", {}),
]


@pytest.mark.parametrize(("page", "query"), PAGES, ids=[p.split("/")[1] for p, _ in PAGES])
def test_the_dashboards_pages_show_the_serving_files_figures(
    page: str, query: dict[str, str], postgres_demo: PostgresRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages (AppTest) drawn from PostgreSQL as the reader role equal the pages drawn from the
    DuckDB serving file of the same demo."""
    monkeypatch.delenv("AGENCY_DASHBOARD_MANAGER", raising=False)
    if page.endswith("client_report.py"):
        _, rows = postgres_demo.on_duckdb("select client_id from dim_clients order by client_id limit 1")
        query = {**query, "client": str(rows[0][0])}
    _use_duckdb(postgres_demo, monkeypatch)
    duck = _page(page, query)
    _use_postgres(postgres_demo, monkeypatch)
    pg = _page(page, query)
    assert pg["metrics"] == duck["metrics"] and pg["titles"] == duck["titles"]
    assert len(pg["tables"]) == len(duck["tables"]) and (duck["metrics"] or duck["tables"])
    for mine, theirs in zip(pg["tables"], duck["tables"], strict=True):
        pd.testing.assert_frame_equal(mine, theirs)


def test_nothing_published_says_so(postgres_demo: PostgresRun) -> None:
    empty = postgres_demo.server.create_database("empty")
    source = PostgresServing(postgres_demo.server.host, postgres_demo.server.port, "postgres", empty)
    with source.connect() as con, pytest.raises(ServingNotPublishedError):
        con.query("select 1")
    assert not is_published(source) and is_published(_pg(postgres_demo))


# -- one version per reader -----------------------------------------------------------------------

SPEND = "select sum(spend) as spend from client_channel_daily"
MONTHLY = "select sum(spend) as spend from client_monthly"
META = "select run_id, version_schema from _publish_meta"
SCHEMAS = "select nspname from pg_namespace where nspname like 'serving%' order by 1"


def test_a_pinned_reader_keeps_its_version_through_a_publish(doubled: PostgresRun) -> None:
    """A reader reads a mart, a publish of a different build lands, the reader reads another mart
    and the metadata: all from the version it started on. The next reader reads the new one."""
    before = _publish(doubled, "plain")
    with _pg(doubled, READER).connect() as reader:
        spend = float(reader.query(SPEND)["spend"][0])
        after = _publish(doubled, "doubled", "doubled")  # between two of the reader's queries
        assert after != before
        assert float(reader.query(MONTHLY)["spend"][0]) == pytest.approx(spend)
        assert list(reader.query(META).iloc[0]) == ["plain", before]
        assert float(reader.query(SPEND)["spend"][0]) == pytest.approx(spend)
    with _pg(doubled, READER).connect() as reader:
        assert list(reader.query(META).iloc[0]) == ["doubled", after]
        assert float(reader.query(SPEND)["spend"][0]) == pytest.approx(2 * spend)
        assert float(reader.query(MONTHLY)["spend"][0]) == pytest.approx(2 * spend)


def test_a_reader_whose_version_was_dropped_is_told(doubled: PostgresRun) -> None:
    """A version superseded :data:`KEEP_VERSIONS` times is dropped: its reader gets
    ``ServingVersionGoneError`` (the shell reads the page again), never another version's rows."""
    _publish(doubled, "first")
    with _pg(doubled, READER).connect() as reader:
        reader.query(SPEND)
        for n in range(publishing.KEEP_VERSIONS):
            _publish(doubled, f"later-{n}")
        with pytest.raises(ServingVersionGoneError):
            reader.query(SPEND)
    _, versions = doubled.query(SCHEMAS)
    names = [v for (v,) in versions]
    assert len([v for v in names if v.startswith(publishing.VERSION_PREFIX)]) == publishing.KEEP_VERSIONS
    assert names == ["serving", *names[1:]] and not [v for v in names if "_old_" in v or "_next_" in v]


def test_readers_in_a_loop_through_publishes_see_one_version_each(doubled: PostgresRun) -> None:
    """Two readers read a page's worth of statements (the metadata, two marts, the metadata again)
    again and again while builds alternate; every page is one version: its run id says which build,
    and both marts have that build's spend."""
    _publish(doubled, "plain-0")
    with _pg(doubled, READER).connect() as con:
        plain = float(con.query(SPEND)["spend"][0])
    expected = {"plain": plain, "doubled": 2 * plain}
    pages: list[tuple[str, float, float, str]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                try:
                    with _pg(doubled, READER).connect() as reader:
                        run_id = str(reader.query(META)["run_id"][0])
                        daily = float(reader.query(SPEND)["spend"][0])
                        monthly = float(reader.query(MONTHLY)["spend"][0])
                        again = str(reader.query(META)["run_id"][0])
                except ServingVersionGoneError:
                    continue  # the shell reads the page again
                pages.append((run_id, daily, monthly, again))
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        for n in range(1, 7):
            if n % 2:
                _publish(doubled, f"doubled-{n}", "doubled")
            else:
                _publish(doubled, f"plain-{n}")
    finally:
        done.set()
        for thread in readers:
            thread.join(timeout=60)
    assert not errors, errors
    assert len({p[0] for p in pages}) > 2, "the readers read across publishes"
    for run_id, daily, monthly, again in pages:
        build = run_id.split("-")[0]
        assert again == run_id
        assert daily == pytest.approx(expected[build]) and monthly == pytest.approx(expected[build])


# -- the reader role --------------------------------------------------------------------------------


def test_the_reader_role_reads_serving_and_nothing_else(postgres_demo: PostgresRun) -> None:
    info = postgres_demo.server.conninfo(_pg(postgres_demo).dbname).replace("user=postgres", f"user={READER}")
    _, rows = postgres_demo.query("select version_schema from serving._publish_meta")
    version = rows[0][0]
    with psycopg.connect(info, autocommit=True) as con:
        assert con.execute("select count(*) from serving.dim_clients").fetchone() == (6,)
        assert con.execute(f"select count(*) from {version}.dim_clients".encode()).fetchone() == (6,)
        refused = [
            "select count(*) from marts.dim_clients",
            "select count(*) from raw.load_log",
            "delete from serving.dim_clients",
            f"delete from {version}.dim_clients",
            f"insert into {version}.dim_clients select * from {version}.dim_clients",
            "create table serving.mine (x int)",
            f"create table {version}.mine (x int)",
            f"drop table {version}.dim_clients",
        ]
        for sql in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(sql.encode())


# -- reports and alerts -----------------------------------------------------------------------------


_WHEN = re.compile(r"\d\d\.\d\d\.\d{4} \d\d:\d\d")


def _cells(report: RenderedReport) -> list[tuple[str, list[object]]]:
    """The Excel report's rows, sheet by sheet; the run id and the publish time (which differ
    between two runs) blanked out."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(report.files["xlsx"]), read_only=True)
    run_id = str(report.run_id)

    def blank(c: object) -> object:
        return _WHEN.sub("<when>", c.replace(run_id, "<run>")) if isinstance(c, str) else c

    return [
        (
            ws.title,
            [_WHEN.sub("<time>", c.replace(run_id, "<run>")) if isinstance(c, str) else c for c in row],
        )
        for ws in book.worksheets
        for row in ws.values
    ]


def test_a_report_renders_from_postgres_as_from_the_serving_file(postgres_demo: PostgresRun) -> None:
    """The PDF and the Excel report of each client for a month: the same content (the digest of
    every figure it tells) from PostgreSQL as from the serving file, and the Excel sheets' cells."""
    duck = DuckDBServing(postgres_demo.duckdb_settings.serving_db)
    pg = _pg(postgres_demo, READER)
    period = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    _, rows = postgres_demo.on_duckdb("select client_id from dim_clients order by client_id")
    for (client_id,) in rows:
        a = render_report(duck, client_id, period, lang="ru")
        b = render_report(pg, client_id, period, lang="ru")
        assert (b.digest, b.has_data, b.data_cutoff, b.covered) == (
            a.digest,
            a.has_data,
            a.data_cutoff,
            a.covered,
        )
        assert b.files["pdf"].startswith(b"%PDF") and b.run_id != a.run_id
        duck_cells, pg_cells = _cells(a), _cells(b)
        assert len(pg_cells) == len(duck_cells) > 10
        for mine, theirs in zip(pg_cells, duck_cells, strict=True):
            assert mine == theirs, client_id
    runs = read_coverage(pg, [str(c) for (c,) in rows])
    assert runs == read_coverage(duck.path, [str(c) for (c,) in rows])


def _reports_build(env: dict[str, str], out: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "reports", "build", "--period", "2026-10", "--out", str(out)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return sorted(p.name for p in out.iterdir())


def test_python_m_reports_build_renders_from_postgres(postgres_demo: PostgresRun, tmp_path: Path) -> None:
    """``python -m reports build`` with ``AGENCY_WAREHOUSE=postgres`` (as the reader role, no
    serving file anywhere) writes the files the serving file's build writes."""
    pg = _pg(postgres_demo)
    common = {"AGENCY_CONFIG": str(postgres_demo.settings.config_path), "AGENCY_DATA_DIR": str(tmp_path)}
    on_postgres = _reports_build(
        {
            **common,
            "AGENCY_WAREHOUSE": "postgres",
            "AGENCY_PG_HOST": pg.host,
            "AGENCY_PG_PORT": str(pg.port),
            "AGENCY_PG_USER": READER,
            "AGENCY_PG_DBNAME": pg.dbname,
            "AGENCY_SERVING_DB": str(tmp_path / "no-such.duckdb"),
        },
        tmp_path / "pg",
    )
    on_duckdb = _reports_build(
        {
            **common,
            "AGENCY_WAREHOUSE": "duckdb",
            "AGENCY_SERVING_DB": str(postgres_demo.duckdb_settings.serving_db),
        },
        tmp_path / "duck",
    )
    reports = [n for n in on_postgres if not n.startswith("manifest_")]  # manifests are named by time
    assert reports == [n for n in on_duckdb if not n.startswith("manifest_")]
    assert len([n for n in reports if n.endswith(".pdf")]) >= 5


# -- a killed publish ---------------------------------------------------------------------------------


def test_a_killed_publish_leaves_serving_as_it_was(doubled: PostgresRun) -> None:
    """The publishing process is SIGKILLed with the new version written, not swapped in: serving
    still shows the last version, whole, and no version schema of the killed publish is left."""
    before = _publish(doubled, "before-kill")
    _, schemas_before = doubled.query(
        "select nspname from pg_namespace where nspname like 'serving%' order by 1"
    )
    script = (
        "import datetime as dt, sys\n"
        "from pipelines.load.postgres import PostgresRawStore\n"
        "from pipelines.load.publish_schema import publish_schema\n"
        "with PostgresRawStore(sys.argv[1]) as store:\n"
        "    publish_schema(store, as_of_date=dt.date(2026, 11, 23), run_id='killed',\n"
        "                   source_schema='doubled')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, doubled.conninfo],
        env={**os.environ, FAULT_ENV: "kill:publish"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == -9, result.stderr
    _, meta = doubled.query("select run_id, version_schema from serving._publish_meta")
    assert meta == [("before-kill", before)]
    _, schemas_after = doubled.query(
        "select nspname from pg_namespace where nspname like 'serving%' order by 1"
    )
    assert schemas_after == schemas_before
    with _pg(doubled, READER).connect() as reader:
        for mart in PUBLIC_MARTS:
            reader.query(f"select count(*) from {mart}")
