"""Benchmark: parse, bulk-load and model a large agency; results go to docs/benchmarks.md by hand.

    uv run python scripts/benchmark.py --clients 300 --days 1095 --campaigns 91 --calls-per-day 15

Stages, each timed with wall-clock seconds and peak RSS: a child process's own (TSV stages, dbt,
sql, pandas), else this process's:
1. tsv-*: a Yandex Direct Reports TSV of ``--parse-rows`` rows, each in a child process of its
   own: the row-by-row parser (``parse_report_tsv``), the Arrow reader (``parse_report_table``),
   and the whole inbox load of the file into ``raw`` (detect, parse, load) both ways;
2. load: campaign-day rows for every client (Direct) and calls (Calltouch) bulk-loaded through
   ``DuckDBRawStore.replace_partition`` / ``upsert`` as Arrow tables, one batch per client;
3. reload: the same for 10 clients again (a nightly restatement: must touch only those rows):
   14 days of Direct replaced and 3 days of calls upserted, each load logged like a pull;
4. dbt: a full ``dbt build`` (models + tests) on that raw layer, as the pipeline plans it (the
   first build: full), its mark recorded; run as the refresh runs it (``agency-dbt``, decision
   60) on a parsed project (dbt's parse state in the target folder, as a deployed refresh keeps
   it: ``dbt parse`` first, not timed);
5. sql: the hand-written reference limit, ``scripts/reference_marts.sql``, on the same raw layer
   (a child process, DuckDB's default settings, temporary tables), its totals compared with the
   marts'; then the same script writing its tables into a database file, as the marts are
   written (``sql_persisted_seconds``, ``ratio_vs_sql_persisted``; decision 62);
6. pandas: ``client_channel_daily``'s ad and call columns in pandas (a child process);
7. nightly: the restatement again, then the refresh's ``dbt build`` as the pipeline plans it:
   incremental, the windows loaded since the last build (``pipelines.load.model_builds``);
8. publish: copy the marts into a fresh serving file;
9. dashboard: every query function of ``dashboard/data.py`` the pages call, on that serving file,
   with bound parameters as the pages pass them (the agency head's and one manager's clients,
   three clients, four periods), ``--dashboard-reps`` times each, Streamlit's cache bypassed;
   p50/p95 per function and overall (``dashboard_p95_ms``). ``--dashboard-only`` re-publishes
   the build file of an earlier run's ``--workdir`` and runs only this stage.
``--warehouse postgres`` runs stages 2-4 and 7-8 on PostgreSQL instead (issue 20): the raw layer
loaded with ``COPY`` (``PostgresRawStore``), ``dbt build --target postgres``, the publish a schema
swap (``publish_schema``). The server is ``AGENCY_PG_*``'s when ``AGENCY_PG_HOST`` is set, else a
throwaway cluster of Debian's PostgreSQL (``tests/postgres.py``) with the settings of
:data:`PG_SETTINGS`. The TSV, reference-SQL, pandas and dashboard stages are DuckDB's and skipped;
peak RSS is then dbt's process alone (the server's memory is its own).
``--warehouse spark`` runs stages 2-4 and 7 on a local Spark session (pyspark, the optional
``spark`` group: ``uv sync --group spark``) in this process: the raw layer loaded through
``SparkRawStore`` (parquet tables partitioned per account), ``dbt build --target spark`` run
in-process (dbt-spark's ``session`` method uses the same session), the nightly a restatement and a
second build. The harness keeps no build state on Spark (the refresh does: decision 55), so the
second build rebuilds every model: it measures a restatement's cost without incremental models.
No publish, SQL, pandas or dashboard stage; peak RSS is the JVM's (``VmHWM``) and this
process's.
Synthetic rows are generated with NumPy straight into Arrow (this measures the warehouse, not
the simulator). Not a test: timings depend on the machine. The last line printed is one JSON
object (``dbt_seconds``, ``sql_seconds``, ``ratio_vs_sql``, ``nightly_seconds``, ``peak_rss_mb``,
``pandas_seconds``, ``pandas_peak_rss_mb``, the TSV rates, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipelines.load.agency_tables import load_config_tables  # noqa: E402
from pipelines.load.build_store import (  # noqa: E402
    build_state_store,
    build_store,
    dbt_target_args,
    publish_marts,
)
from pipelines.load.config import parse_config  # noqa: E402
from pipelines.load.model_builds import (  # noqa: E402
    PIPELINE_VARS,
    BuildDatabase,
    BuildPlan,
    plan_build,
    prepare_build,
    record_build,
)
from pipelines.load.process import dbt_executable  # noqa: E402
from pipelines.load.publish import publish  # noqa: E402
from pipelines.load.raw_schema import RAW_TABLES  # noqa: E402
from pipelines.load.settings import WAREHOUSES, PostgresSettings, Settings, SparkSettings  # noqa: E402
from pipelines.load.warehouse import DuckDBRawStore, SqlRawStore, arrow_schema, log_load  # noqa: E402

BENCH_LOADED_AT = dt.datetime(2026, 11, 23, 5, 0)


def run_child(cmd: list[str], **kwargs: Any) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run a command: its wall-clock seconds, its own peak RSS in MB (``wait4``) and its output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, **kwargs)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (
            seconds,
            usage.ru_maxrss / 1024,
            subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read()),
        )


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB (children are measured one by one: run_child)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(name: str, results: list[dict[str, Any]], fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    results.append({"stage": name, "seconds": round(seconds, 2), "peak_rss_mb": round(peak_rss_mb())})
    print(f"{name:<8} {seconds:8.2f} s   peak RSS {peak_rss_mb():7.0f} MB   {value or ''}")
    return value


PG_SETTINGS = (
    "shared_buffers=4GB",
    "work_mem=256MB",
    "maintenance_work_mem=1GB",
    "effective_cache_size=12GB",
    "max_wal_size=8GB",
    "max_parallel_workers_per_gather=2",
)
"""The throwaway server's settings beyond its defaults (sized for a 23 GB, 2-core machine; the
defaults, 128 MB of buffers and 4 MB per sort, are a laptop's)."""


@dataclasses.dataclass
class Warehouse:
    """Where the benchmark's build database is: the pipeline's settings for a folder, with the
    DuckDB file or a PostgreSQL database, opened as the pipeline opens it (``build_store``)."""

    settings: Settings

    @classmethod
    def under(cls, work: Path, as_of: dt.date, postgres: PostgresSettings | None = None) -> Warehouse:
        base = Settings.for_directory(work, work / "agency.yaml", as_of=as_of)
        return cls(
            dataclasses.replace(
                base,
                build_db=work / "build.duckdb",
                serving_db=work / "serving.duckdb",
                warehouse="postgres" if postgres else "duckdb",
                postgres=postgres,
            )
        )

    @property
    def on_duckdb(self) -> bool:
        return self.settings.warehouse == "duckdb"

    def store(self) -> SqlRawStore:
        """A new store of the build database (open it with ``with``): DuckDB's or PostgreSQL's
        (the benchmark also keeps the build state and publishes there)."""
        store = build_state_store(self.settings)
        assert isinstance(store, SqlRawStore)  # Warehouse is DuckDB's or PostgreSQL's (Spark: run_spark)
        return store

    @contextlib.contextmanager
    def build_database(self) -> Iterator[BuildDatabase]:
        """What ``model_builds`` takes: the DuckDB file's path (it opens the file briefly, and dbt
        must find it closed), or an open PostgreSQL store (it may stay open while dbt runs)."""
        if self.on_duckdb:
            yield self.settings.build_db
            return
        with self.store() as store:
            yield store


@contextlib.contextmanager
def postgres_database(work: Path) -> Iterator[PostgresSettings]:
    """``AGENCY_PG_*``'s database when ``AGENCY_PG_HOST`` is set, else a fresh database of a
    throwaway server started here (with :data:`PG_SETTINGS`) and stopped at the end."""
    if os.environ.get("AGENCY_PG_HOST", "").strip():
        yield PostgresSettings.from_env()
        return
    from tests.postgres import running_postgres

    with running_postgres(PG_SETTINGS) as server:
        database = server.create_database("bench")
        print(f"throwaway PostgreSQL on {server.host}:{server.port}, database {database}")
        yield PostgresSettings(host=server.host, port=server.port, user=server.user, dbname=database)


def log_pull(store: SqlRawStore, client: int, source: str, first: dt.date, last: dt.date) -> None:
    """The load log row an API pull writes (what the nightly build's windows come from)."""
    account = f"c{client:03d}-direct" if source == "yandex_direct" else str(10000 + client)
    table = "yandex_direct_campaign_stats" if source == "yandex_direct" else "calltouch_calls"
    log_load(
        store,
        load_id=f"bench-{source}-{client}-{time.time_ns()}",
        origin=f"api:{source}/{account}",
        kind=f"api:{source}",
        target_table=table,
        client_id=f"c{client:03d}",
        account_id=account,
        status="loaded",
        date_from=first,
        date_to=last,
    )


def inn_for(i: int) -> str:
    base = [int(c) for c in f"{770000000 + i * 7:09d}"]
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    check = sum(w * d for w, d in zip(weights, base, strict=True)) % 11 % 10
    return "".join(map(str, base)) + str(check)


def config(clients: int) -> Any:
    return parse_config(
        {
            "agency": {"name": "Benchmark"},
            "managers": [{"id": f"m{i}", "name": f"Manager {i}"} for i in range(10)],
            "clients": [
                {
                    "id": f"c{i:03d}",
                    "name": f"Client {i}",
                    "inn": inn_for(i),
                    "manager": f"m{i % 10}",
                    "start_date": "2023-01-01",
                    "accounts": [
                        {"source": "yandex_direct", "id": f"c{i:03d}-direct"},
                        {"source": "calltouch", "id": str(10000 + i)},
                    ],
                }
                for i in range(clients)
            ],
        }
    )


def direct_batch(
    client: int,
    days: int,
    campaigns: int,
    end: dt.date,
    rng: np.random.Generator,
    loaded_at: dt.datetime = BENCH_LOADED_AT,
) -> pa.Table:
    n = days * campaigns
    day0 = (end - dt.timedelta(days=days)).toordinal() - dt.date(1970, 1, 1).toordinal()
    dates = np.repeat(np.arange(day0, day0 + days, dtype=np.int32), campaigns)
    camp = np.tile(np.arange(campaigns), days)
    clicks = rng.poisson(40, n)
    now = np.datetime64(loaded_at, "us")
    cols = {
        "client_id": pa.array([f"c{client:03d}"] * n),
        "account_id": pa.array([f"c{client:03d}-direct"] * n),
        "date": pa.array(dates, pa.date32()),
        "campaign_id": pa.array((camp + 1000 * client).astype(str)),
        "campaign_name": pa.array([f"campaign {c}" for c in camp]),
        "campaign_type": pa.array(["TEXT_CAMPAIGN"] * n),
        "impressions": pa.array(clicks * 30, pa.int64()),
        "clicks": pa.array(clicks, pa.int64()),
        "cost_micros": pa.array(clicks * rng.integers(20, 90, n) * 1_000_000, pa.int64()),
        "conversions": pa.array(rng.poisson(1, n), pa.int64()),
        "_origin": pa.array(["benchmark"] * n),
        "_origin_line": pa.array(np.arange(n, dtype=np.int32) + 2, pa.int32()),
        "_load_id": pa.array(["bench"] * n),
        "_loaded_at": pa.array(np.full(n, now), pa.timestamp("us")),
    }
    return pa.table(cols).cast(arrow_schema(RAW_TABLES["yandex_direct_campaign_stats"]))


def calls_batch(
    client: int,
    days: int,
    per_day: int,
    end: dt.date,
    rng: np.random.Generator,
    loaded_at: dt.datetime = BENCH_LOADED_AT,
    first_id: int = 0,
) -> pa.Table:
    """``days`` of calls up to ``end``; ids from ``first_id`` (a restatement reuses the last days' ids)."""
    n = days * per_day
    start = np.datetime64(end - dt.timedelta(days=days), "s").astype(np.int64)
    ts = np.sort(start + rng.integers(0, days * 86400, n)).astype("datetime64[s]").astype("datetime64[us]")
    duration = rng.integers(0, 400, n)
    table = RAW_TABLES["calltouch_calls"]
    now = np.datetime64(loaded_at, "us")
    cols: dict[str, Any] = {name: pa.nulls(n) for name in table.column_names}
    cols.update(
        {
            "client_id": pa.array([f"c{client:03d}"] * n),
            "account_id": pa.array([str(10000 + client)] * n),
            "call_id": pa.array(np.arange(n, dtype=np.int64) + first_id + client * 10_000_000),
            "call_date_local": pa.array(ts + np.timedelta64(3, "h")),
            "call_timestamp_utc": pa.array(ts),
            "duration": pa.array(duration.astype(np.int32)),
            "successful": pa.array(duration > 0),
            "target_call": pa.array(duration > 60),
            "caller_number": pa.array((79000000000 + rng.integers(0, n * 2, n)).astype(str)),
            "source": pa.array(["yandex"] * n),
            "medium": pa.array(["cpc"] * n),
            "utm_source": pa.array(["yandex"] * n),
            "utm_medium": pa.array(["cpc"] * n),
            "_origin": pa.array(["benchmark"] * n),
            "_load_id": pa.array(["bench"] * n),
            "_loaded_at": pa.array(np.full(n, now), pa.timestamp("us")),
        }
    )
    return pa.table(cols).cast(arrow_schema(table))


TSV_HEADER = "Date\tCampaignId\tCampaignName\tCampaignType\tImpressions\tClicks\tCost\tConversions\n"


def direct_tsv(rows: int) -> bytes:
    """A Reports TSV of ``rows`` rows: 91 campaigns a day, names with spaces, pipes and Cyrillic."""
    start = dt.date(2024, 1, 1)
    days = -(-rows // 91)
    lines = [f'"benchmark ({start} - {start + dt.timedelta(days=days - 1)})"\n', TSV_HEADER]
    for i in range(rows):
        day, campaign = divmod(i, 91)
        conversions = "--" if i % 7 else str(i % 5)
        lines.append(
            f"{start + dt.timedelta(days=day)}\t{104693586 + campaign}\t Бренд | поиск {campaign}\t"
            f"TEXT_CAMPAIGN\t{1520 + i % 100}\t{37 + i % 11}\t{1234560000 + i % 1000}\t{conversions}\n"
        )
    lines.append(f"Total rows: {rows}\n")
    return "".join(lines).encode()


def tsv_child(mode: str, path: Path) -> None:
    """One TSV stage in this (child) process; prints its rows and seconds as JSON."""
    from connectors import files
    from connectors.yandex_direct import parse_report_tsv
    from connectors.yandex_direct._fast import parse_report_table
    from pipelines.load.inbox import process_inbox

    content = path.read_bytes()
    start = time.perf_counter()  # after the imports: a process starts once, a file loads each night
    cpu = time.process_time()  # CPU seconds of all its threads: steadier than wall on a shared machine
    if mode == "parse-rows":
        rows = len(parse_report_tsv(content).rows)
    elif mode == "parse-arrow":
        result = parse_report_table(content)
        assert result is not None
        rows = result.table.num_rows
    else:  # load-arrow / load-rows: the inbox load of the file, detection to raw table
        if mode == "load-rows":
            files._TABLE_PARSERS.clear()  # every file through the row parser, as before
        work = Path(tempfile.mkdtemp(prefix="bench-tsv-"))
        inbox = work / "inbox" / "c000"
        inbox.mkdir(parents=True)
        (inbox / "direct_2024.tsv").write_bytes(content)
        del content
        os.sync()  # a nightly file arrived long before its load: no writeback of it in the timing
        with DuckDBRawStore(work / "build.duckdb") as store:
            store.ensure_schema()
            start, cpu = time.perf_counter(), time.process_time()
            report = process_inbox(
                inbox=work / "inbox",
                archive=work / "archive",
                quarantine=work / "q",
                config=config(1),
                store=store,
            )
        assert [o.status for o in report.outcomes] == ["loaded"], report.outcomes
        rows = report.outcomes[0].rows
    print(
        json.dumps({"rows": rows, "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu})
    )


TSV_MODES = ("parse-arrow", "load-arrow", "parse-rows", "load-rows")


def tsv_stages(
    rows: int, work: Path, results: list[dict[str, Any]], modes: tuple[str, ...] = TSV_MODES
) -> dict[str, Any]:
    path = work / "direct_benchmark.tsv"
    path.write_bytes(direct_tsv(rows))
    os.sync()
    size_mb = path.stat().st_size / 1e6
    out: dict[str, Any] = {"tsv_rows": rows, "tsv_mb": round(size_mb, 1)}
    for mode in modes:
        _, rss, proc = run_child([sys.executable, __file__, "--tsv-child", mode, str(path)], cwd=REPO)
        if proc.returncode:
            raise SystemExit(f"tsv {mode} failed:\n{proc.stderr[-3000:]}")
        child = json.loads(proc.stdout.strip().splitlines()[-1])
        rate = child["rows"] / child["seconds"]
        name = f"tsv-{mode}"
        results.append({"stage": name, "seconds": round(child["seconds"], 2), "peak_rss_mb": round(rss)})
        seconds = child["seconds"]
        print(
            f"{name:<16} {seconds:8.2f} s   peak RSS {rss:7.0f} MB   {rate:,.0f} rows/s ({size_mb:.0f} MB), "
            f"CPU {child['cpu']:.2f} s"
        )
        key = mode.replace("-", "_")
        out[f"{key}_seconds"] = round(seconds, 2)
        out[f"{key}_cpu_seconds"] = round(child["cpu"], 2)
        out[f"{key}_rows_per_s"] = round(rate)
        out[f"{key}_peak_rss_mb"] = round(rss)
    return out


def marts_schema(con: Any) -> str:
    row = con.execute(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'client_channel_daily' "
        "AND table_schema LIKE '%marts'"  # not incremental_windows' table of the same name
    ).fetchone()
    return str(row[0])


CHECKED = ("spend", "impressions", "clicks", "calls", "unique_calls", "target_calls")


def reference_sql(build: Path, persist: bool = False) -> tuple[float, bool]:
    """scripts/reference_marts.sql on the build database; its seconds, and whether its per-client
    totals equal the dbt marts' (client_channel_daily, client_campaign_daily). ``persist``: its
    tables are written into a database file of their own beside the build file (the script's
    temporary tables made tables there), as dbt writes the marts, rather than kept in memory."""
    import duckdb

    con = duckdb.connect(str(build), read_only=True)
    out = build.with_name("reference_out.duckdb")
    try:
        seed = REPO / "dbt_project" / "seeds" / "channel_mapping.csv"
        con.execute(
            "CREATE TEMP TABLE channel_mapping AS SELECT * FROM read_csv(?, header = true)", [str(seed)]
        )
        script = (REPO / "scripts" / "reference_marts.sql").read_text(encoding="utf-8")
        if persist:
            out.unlink(missing_ok=True)
            con.execute(f"ATTACH '{out}' AS reference_out (READ_WRITE)")
            con.execute("SET search_path = 'main,reference_out.main'")
            script = script.replace("create or replace temp table ", "create or replace table reference_out.")
        start = time.perf_counter()
        con.execute(script)
        seconds = time.perf_counter() - start
        marts = marts_schema(con)

        def per_client(columns: str, table: str) -> list[tuple[Any, ...]]:
            return con.execute(f"SELECT client_id, {columns} FROM {table} GROUP BY 1 ORDER BY 1").fetchall()  # noqa: S608

        totals = ", ".join(f"sum({c})" for c in CHECKED)
        ref = per_client(totals, "ref_client_channel_daily")
        mart = per_client(totals, f"{marts}.client_channel_daily")
        monthly = per_client("sum(spend), sum(calls)", "ref_client_monthly")
        campaign = "count(*), sum(spend), sum(impressions), sum(clicks), count(DISTINCT campaign_name)"
        ref_campaigns = per_client(campaign, "ref_client_campaign_daily")
        mart_campaigns = per_client(campaign, f"{marts}.client_campaign_daily")
    finally:
        con.close()
        out.unlink(missing_ok=True)
    same = (
        ref == mart and [r[:2] for r in monthly] == [r[:2] for r in ref] and ref_campaigns == mart_campaigns
    )
    if not same:
        diff = [(a, b) for a, b in zip(ref, mart, strict=False) if a != b][:3]
        print(f"reference totals differ from the mart's: {diff}")
    return seconds, same


def pandas_child(build: Path) -> None:
    """client_channel_daily's ad and call columns in pandas (this child process); prints JSON."""
    import re

    import duckdb
    import pandas as pd

    start = time.perf_counter()
    with duckdb.connect(str(build), read_only=True) as con:
        ads = con.execute(
            "SELECT client_id, account_id, date, campaign_id, cost_micros, impressions, clicks, _loaded_at, "
            "_origin_line FROM raw.yandex_direct_campaign_stats"
        ).df()
        calls = con.execute(
            "SELECT client_id, account_id, call_id, call_timestamp_utc, caller_number, target_call, source, "
            "medium, utm_source, utm_medium, _loaded_at, _origin_line FROM raw.calltouch_calls"
        ).df()
        clients = con.execute("SELECT client_id, timezone FROM raw.agency_clients").df()
        settings = con.execute("SELECT unique_call_window_days FROM raw.agency_settings").fetchall()
        window = int(settings[0][0])
    rules = pd.read_csv(REPO / "dbt_project" / "seeds" / "channel_mapping.csv").sort_values("priority")

    ads = ads.sort_values(["_loaded_at", "_origin_line"]).drop_duplicates(
        ["client_id", "account_id", "date", "campaign_id"], keep="last"
    )
    ads["spend"] = (ads["cost_micros"] / 1_000_000).round(2)
    ads["channel"] = "yandex_direct"
    ads_daily = ads.groupby(["client_id", "date", "channel"], as_index=False)[
        ["spend", "impressions", "clicks"]
    ].sum()

    calls = calls.sort_values(["_loaded_at", "_origin_line"]).drop_duplicates(
        ["client_id", "account_id", "call_id"], keep="last"
    )
    # Calltouch exports incoming calls only.
    use_utm = calls["utm_source"].fillna("").str.strip() != ""
    source = calls["utm_source"].where(use_utm, calls["source"]).fillna("").str.strip().str.lower()
    medium = calls["utm_medium"].where(use_utm, calls["medium"]).fillna("").str.strip().str.lower()
    pairs = pd.DataFrame({"s": source, "m": medium}).drop_duplicates()
    mapping = {}
    for s_, m_ in pairs.itertuples(index=False):
        for rule in rules.itertuples():
            if re.fullmatch(str(rule.source_pattern).lower(), s_) and re.fullmatch(
                str(rule.medium_pattern).lower(), m_
            ):
                mapping[(s_, m_)] = rule.channel
                break
    calls["channel"] = pd.Series(
        [mapping.get(k, "other") for k in zip(source, medium, strict=True)], index=calls.index
    )
    calls["call_key"] = "calltouch:" + calls["account_id"] + ":" + calls["call_id"].astype(str)
    calls = calls.merge(clients, on="client_id", how="left")
    local = []
    for zone, part in calls.groupby("timezone"):
        part = part.copy()
        part["date"] = part["call_timestamp_utc"].dt.tz_localize("UTC").dt.tz_convert(zone).dt.date
        local.append(part)
    calls = pd.concat(local).sort_values(["client_id", "caller_number", "call_timestamp_utc", "call_key"])
    previous = calls.groupby(["client_id", "caller_number"], dropna=False)["call_timestamp_utc"].shift()
    no_number = calls["caller_number"].fillna("").str.strip() == ""
    calls["is_unique"] = (
        no_number
        | previous.isna()
        | (previous <= calls["call_timestamp_utc"] - pd.Timedelta(hours=24 * window))
    )
    calls["is_target"] = calls["target_call"].fillna(False).astype(bool)
    calls_daily = calls.groupby(["client_id", "date", "channel"], as_index=False).agg(
        calls=("call_key", "nunique"), unique_calls=("is_unique", "sum"), target_calls=("is_target", "sum")
    )
    ads_daily["date"] = pd.to_datetime(ads_daily["date"]).dt.date
    daily = ads_daily.merge(calls_daily, on=["client_id", "date", "channel"], how="outer").fillna(0)
    seconds = time.perf_counter() - start
    totals = {c: round(float(daily[c].sum()), 2) for c in CHECKED}
    print(json.dumps({"seconds": seconds, "rows": len(daily), "totals": totals}))


def mart_totals(build: Path) -> dict[str, float]:
    import duckdb

    with duckdb.connect(str(build), read_only=True) as con:
        sums = ", ".join(f"sum({c})" for c in CHECKED)
        row = con.execute(f"SELECT {sums} FROM {marts_schema(con)}.client_channel_daily").fetchone()  # noqa: S608
    assert row is not None
    return {c: round(float(v), 2) for c, v in zip(CHECKED, row, strict=True)}


DASHBOARD_QUERIES = (
    "publish_meta", "viewer_directory", "channel_names", "source_names", "metric_passport",
    "client_status", "client_health_reasons", "data_health", "unmatched_payments", "source_freshness",
    "portfolio_monthly", "client_month", "client_lifecycle", "manager_economics", "manager_portfolio",
    "channel_results", "daily_results", "monthly_plan", "lead_reconciliation", "lead_ledger",
    "top_campaigns", "client_payments",
)  # fmt: skip


def dashboard_calls(clients: int, end: dt.date) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """(function, args, kwargs) of the calls the pages make: the head's view (every client) and a
    manager's (a tenth), three clients, the last 7 and 30 days, the last full month, a year."""
    everyone = [f"c{i:03d}" for i in range(clients)]
    manager = everyone[::10]  # manager m0's clients (config: manager m{i % 10})
    month = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    year_ago = (month - dt.timedelta(days=335)).replace(day=1)
    periods = [
        (end - dt.timedelta(days=7), end - dt.timedelta(days=1)),
        (end - dt.timedelta(days=30), end - dt.timedelta(days=1)),
        (month, end.replace(day=1) - dt.timedelta(days=1)),
        (year_ago, end - dt.timedelta(days=1)),
    ]
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        (name, (), {}) for name in DASHBOARD_QUERIES[:5]
    ]
    for scope in (everyone, manager):
        for name in ("client_status", "client_health_reasons", "data_health", "source_freshness"):
            calls.append((name, (scope,), {}))
        calls.append(("unmatched_payments", (scope,), {"include_unassigned": scope is everyone}))
        for name in ("portfolio_monthly", "manager_economics", "manager_portfolio"):
            calls.append((name, (scope, year_ago, month), {}))
        calls += [(name, (scope, month), {}) for name in ("client_month", "client_lifecycle")]
    for client_id in (everyone[0], everyone[len(everyone) // 2], everyone[-1]):
        scope = everyone
        calls.append(("source_freshness", (scope, client_id), {}))
        calls.append(("monthly_plan", (scope, client_id, year_ago, month), {}))
        calls.append(("lead_reconciliation", (scope, client_id, year_ago, month), {}))
        for start, stop in periods:
            calls += [
                (name, (scope, client_id, start, stop), {})
                for name in (
                    "channel_results",
                    "daily_results",
                    "lead_ledger",
                    "top_campaigns",
                    "client_payments",
                )
            ]
    return calls


def dashboard_stage(serving: Path, clients: int, end: dt.date, reps: int) -> dict[str, Any]:
    """Time the dashboard's query functions on ``serving``; their p50/p95 in ms, the slowest first."""
    os.environ["AGENCY_SERVING_DB"] = str(serving)
    from dashboard import data

    # The pages' functions, run through the undecorated query: every call reads the file.
    data._cached_query = data._cached_query.__wrapped__  # type: ignore[attr-defined]
    calls = dashboard_calls(clients, end)
    missing = sorted(set(DASHBOARD_QUERIES) - {name for name, _, _ in calls})
    assert not missing, missing
    times: dict[str, list[float]] = {}
    for name, args, kwargs in calls:  # a warm-up: the first read of a file pays its page cache
        getattr(data, name)(*args, **kwargs)
    for _ in range(reps):
        for name, args, kwargs in calls:
            start = time.perf_counter()
            getattr(data, name)(*args, **kwargs)
            times.setdefault(name, []).append((time.perf_counter() - start) * 1000)
    every = [t for values in times.values() for t in values]
    per = {
        name: {"p50": round(float(np.percentile(v, 50)), 1), "p95": round(float(np.percentile(v, 95)), 1)}
        for name, v in sorted(times.items(), key=lambda item: -float(np.percentile(item[1], 95)))
    }
    for name, p in per.items():
        print(f"  {name:<22} p50 {p['p50']:7.1f} ms   p95 {p['p95']:7.1f} ms   ({len(times[name])} calls)")
    return {
        "dashboard_p50_ms": round(float(np.percentile(every, 50)), 1),
        "dashboard_p95_ms": round(float(np.percentile(every, 95)), 1),
        "dashboard_max_p95_ms": next(iter(per.values()))["p95"],
        "dashboard_slowest": next(iter(per)),
        "dashboard_ms": per,
    }


def run_dashboard(
    serving: Path, args: argparse.Namespace, end: dt.date, results: list[dict[str, Any]]
) -> dict[str, Any]:
    start = time.perf_counter()
    out = dashboard_stage(serving, args.clients, end, args.dashboard_reps)
    seconds = time.perf_counter() - start
    results.append({"stage": "dashboard", "seconds": round(seconds, 2), "peak_rss_mb": round(peak_rss_mb())})
    print(
        f"{'dashboard':<16} {seconds:8.2f} s   p50 {out['dashboard_p50_ms']} ms, "
        f"p95 {out['dashboard_p95_ms']} ms, "
        f"slowest {out['dashboard_slowest']} (p95 {out['dashboard_max_p95_ms']} ms)"
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--campaigns", type=int, default=91)
    parser.add_argument("--calls-per-day", type=int, default=15)
    parser.add_argument("--parse-rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--tsv-only", action="store_true", help="only the TSV stages, then the JSON line")
    parser.add_argument(
        "--tsv-modes",
        default=",".join(TSV_MODES),
        help=f"which TSV stages, comma-separated (default: {','.join(TSV_MODES)})",
    )
    parser.add_argument("--dashboard-reps", type=int, default=5)
    parser.add_argument(
        "--dashboard-only",
        action="store_true",
        help="publish the --workdir's build file of an earlier run and time the dashboard's queries",
    )
    parser.add_argument(
        "--warehouse",
        choices=WAREHOUSES,
        default="duckdb",
        help="the build database: DuckDB (default), PostgreSQL (AGENCY_PG_*, else a throwaway server) "
        "or a local Spark session (the `spark` dependency group)",
    )
    parser.add_argument(
        "--spark-shuffle-partitions",
        type=int,
        default=8,
        help="spark.sql.shuffle.partitions of --warehouse spark's local session (AGENCY_SPARK_*'s others)",
    )
    parser.add_argument("--tsv-child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--pandas-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sql-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sql-persist", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sql_child:
        seconds, same = reference_sql(args.sql_child, persist=args.sql_persist)
        print(json.dumps({"seconds": seconds, "same": same}))
        return 0
    if args.tsv_child:
        tsv_child(args.tsv_child[0], Path(args.tsv_child[1]))
        return 0
    if args.pandas_child:
        pandas_child(args.pandas_child)
        return 0
    work = args.workdir or Path(tempfile.mkdtemp(prefix="agency-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    build, serving = work / "build.duckdb", work / "serving.duckdb"
    end = dt.date(2026, 11, 23)
    if args.dashboard_only:
        results_only: list[dict[str, Any]] = []
        timed("publish", results_only, lambda: publish(build, serving, as_of_date=end, run_id="bench").path)
        print(json.dumps(run_dashboard(serving, args, end, results_only), ensure_ascii=False))
        return 0
    modes = tuple(m for m in args.tsv_modes.split(",") if m)
    if set(modes) - set(TSV_MODES):
        parser.error(f"--tsv-modes: one of {', '.join(TSV_MODES)}")
    if args.warehouse != "duckdb" and (args.tsv_only or args.dashboard_only):
        parser.error(
            f"--tsv-only and --dashboard-only measure DuckDB: leave out --warehouse {args.warehouse}"
        )
    if args.warehouse == "spark":
        return run_spark(args, work, end)
    if args.warehouse == "postgres":
        with postgres_database(work) as pg:
            return run(args, work, Warehouse.under(work, end, pg), end, ())
    build.unlink(missing_ok=True)
    return run(args, work, Warehouse.under(work, end), end, modes)


def run(args: argparse.Namespace, work: Path, wh: Warehouse, end: dt.date, modes: tuple[str, ...]) -> int:
    """Every stage on ``wh``'s build database (the DuckDB-only ones when it is DuckDB's)."""
    build, serving = wh.settings.build_db, wh.settings.serving_db
    on_duckdb = wh.on_duckdb
    rng = np.random.default_rng(1)
    results: list[dict[str, Any]] = []
    print(f"workdir {work}")

    summary: dict[str, Any] = tsv_stages(args.parse_rows, work, results, modes) if modes else {}
    summary["warehouse"] = args.warehouse
    if args.tsv_only:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    cfg = config(args.clients)

    def load() -> str:
        with wh.store() as store:
            return load_all(store, args, cfg, end, rng)

    timed("load", results, load)

    def reload() -> str:
        with wh.store() as store:
            return restate(store, args, end, rng)

    timed("reload", results, reload)

    executable = dbt_executable()  # the refresh's dbt command line (decision 60)

    def dbt(stage: str) -> float:
        """The build the pipeline plans (full the first time, then incremental), its mark recorded."""
        target, target_env = dbt_target_args(wh.settings)
        env = {**os.environ, **target_env}
        with wh.build_database() as database:
            plan: BuildPlan = plan_build(database, REPO / "dbt_project")
            dbt_args = prepare_build(database, plan, end)
        target_dir, log_dir = str(work / "target"), str(work / "logs")
        folders = ["--profiles-dir", ".", "--target-path", target_dir, "--log-path", log_dir]
        if not (work / "target" / "partial_parse.msgpack").is_file():
            # parse state, as a deployed refresh has it (its data folder keeps dbt's target)
            # (the build's own --vars: dbt parses again when they differ)
            parse = [executable, "parse", "--vars", PIPELINE_VARS, "--quiet", *target, *folders]
            subprocess.run(parse, cwd=REPO / "dbt_project", env=env, check=True, capture_output=True)
        cmd = [executable, *dbt_args, *target, "--quiet", *folders]
        seconds, rss, proc = run_child(cmd, cwd=REPO / "dbt_project", env=env)
        if proc.returncode:
            print(proc.stdout[-3000:], proc.stderr[-3000:])
            raise SystemExit("dbt build failed")
        with wh.build_database() as database:
            record_build(database, plan)
        how = "full" if plan.full else "incremental"
        results.append(
            {"stage": stage, "seconds": round(seconds, 2), "peak_rss_mb": round(rss), "build": how}
        )
        print(f"{stage:<16} {seconds:8.2f} s   peak RSS {rss:7.0f} MB   dbt build ok ({how}: {plan.reason})")
        summary[f"{stage}_peak_rss_mb"] = round(rss)
        return seconds

    summary["dbt_seconds"] = round(dbt("dbt"), 2)
    if on_duckdb:  # what --warehouse spark's run gives after its full build (the same rows)
        summary["client_channel_daily_totals"] = mart_totals(build)
    summary["peak_rss_mb"] = summary["dbt_peak_rss_mb"]

    if on_duckdb:
        duckdb_only_stages(build, results, summary)
    else:
        print("sql, pandas: skipped (DuckDB's reference limit and pandas read the DuckDB build file)")

    start = time.perf_counter()
    timed("reload", results, reload)
    nightly_dbt = dbt("nightly-dbt")
    summary["nightly_seconds"] = round(time.perf_counter() - start, 2)
    summary["nightly_note"] = "restatement (ads 14 d, calls 3 d, 10 clients) + incremental dbt build"
    summary["peak_rss_mb"] = max(summary["peak_rss_mb"], summary["nightly-dbt_peak_rss_mb"])
    del nightly_dbt

    def publish_stage() -> str:
        return f"{sum(publish_marts(wh.settings, run_id='bench').row_counts.values()):,} rows"

    timed("publish", results, publish_stage)
    if on_duckdb:
        summary.update(run_dashboard(serving, args, end, results))
    print(
        json.dumps(
            {"args": {k: str(v) for k, v in vars(args).items()}, "results": results}, ensure_ascii=False
        )
    )
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def load_all(store: Any, args: argparse.Namespace, cfg: Any, end: dt.date, rng: np.random.Generator) -> str:
    """The raw layer: every client's Direct days (``replace_partition``) and calls (``upsert``),
    one batch per client as the pulls load them, each logged like a pull."""
    rows = calls = 0
    store.ensure_schema()
    load_config_tables(cfg, store)
    for c in range(args.clients):
        part = {"client_id": f"c{c:03d}", "account_id": f"c{c:03d}-direct"}
        data = direct_batch(c, args.days, args.campaigns, end, rng)
        rows += store.replace_partition(
            RAW_TABLES["yandex_direct_campaign_stats"], data, partition=part, date_from=None, date_to=None
        )
        calls += store.upsert(
            RAW_TABLES["calltouch_calls"], calls_batch(c, args.days, args.calls_per_day, end, rng)
        )
        first = end - dt.timedelta(days=args.days)
        log_pull(store, c, "yandex_direct", first, end - dt.timedelta(days=1))
        log_pull(store, c, "calltouch", first, end - dt.timedelta(days=1))
    return f"{rows:,} campaign-day rows, {calls:,} calls"


def restate(store: Any, args: argparse.Namespace, end: dt.date, rng: np.random.Generator) -> str:
    """A nightly restatement: 14 days of Direct replaced and 3 days of calls upserted for 10
    clients (the same call ids, some at other times), each load logged like a pull."""
    rows = calls = 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for c in range(min(10, args.clients)):
        part = {"client_id": f"c{c:03d}", "account_id": f"c{c:03d}-direct"}
        data = direct_batch(c, 14, args.campaigns, end, rng, loaded_at=now)
        first, last = end - dt.timedelta(days=14), end - dt.timedelta(days=1)
        rows += store.replace_partition(
            RAW_TABLES["yandex_direct_campaign_stats"], data, partition=part, date_from=first, date_to=last
        )
        log_pull(store, c, "yandex_direct", first, last)
        first_id = (args.days - 3) * args.calls_per_day
        restated = calls_batch(c, 3, args.calls_per_day, end, rng, loaded_at=now, first_id=first_id)
        calls += store.upsert(RAW_TABLES["calltouch_calls"], restated)
        log_pull(store, c, "calltouch", end - dt.timedelta(days=3), last)
    return f"{rows:,} rows restated (14 days x {min(10, args.clients)} clients), {calls:,} calls (3 days)"


def _jvm_peak_rss_mb() -> float:
    """The peak RSS (``VmHWM``) of this process's child JVMs (pyspark's gateway), in MB."""
    peak = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != os.getpid():  # fields[1]: the parent's pid
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except (OSError, IndexError, ValueError):
            continue
    return peak


def run_spark(args: argparse.Namespace, work: Path, end: dt.date) -> int:
    """Load, full build, restatement and second build on a local Spark session (module doc)."""
    from dbt.cli.main import dbtRunner

    spark = dataclasses.replace(
        SparkSettings.from_env(work), dir=work / "spark", shuffle_partitions=args.spark_shuffle_partitions
    )
    settings = dataclasses.replace(
        Settings.for_directory(work, work / "agency.yaml", as_of=end), warehouse="spark", spark=spark
    )
    target, target_env = dbt_target_args(settings)
    os.environ.update(target_env)  # what the profile's spark target reads, in this process
    rng = np.random.default_rng(1)
    results: list[dict[str, Any]] = []
    summary: dict[str, Any] = {"warehouse": "spark", "spark_cores": spark.cores}
    print(f"workdir {work}; Spark local[{spark.cores}], {spark.shuffle_partitions} shuffle partitions")
    cfg = config(args.clients)
    store = build_store(settings)
    store.__enter__()  # the process's session; dbt-spark's session method finds the same one

    def dbt(stage: str, *extra: str) -> float:
        cmd = [
            "build", *target, *extra, "--exclude-resource-type", "unit_test",
            "--project-dir", str(REPO / "dbt_project"), "--profiles-dir", str(REPO / "dbt_project"),
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
            "--vars", json.dumps({"as_of_date": end.isoformat()}), "--quiet",
        ]  # fmt: skip
        start = time.perf_counter()
        outcome = dbtRunner().invoke(cmd)
        seconds = time.perf_counter() - start
        statuses = [str(r.status) for r in getattr(outcome.result, "results", None) or []]
        failed = [s for s in statuses if s not in ("success", "pass", "warn")]
        if not outcome.success or failed:
            raise SystemExit(f"dbt build on Spark failed: {outcome.exception or failed}")
        rss = max(_jvm_peak_rss_mb(), peak_rss_mb())
        results.append({"stage": stage, "seconds": round(seconds, 2), "peak_rss_mb": round(rss)})
        print(f"{stage:<16} {seconds:8.2f} s   peak RSS {rss:7.0f} MB   {len(statuses)} nodes ok")
        return seconds

    timed("load", results, lambda: load_all(store, args, cfg, end, rng))
    timed("reload", results, lambda: restate(store, args, end, rng))  # as on DuckDB: the same rows
    summary["dbt_seconds"] = round(dbt("dbt", "--full-refresh"), 2)
    sums = ", ".join(f"sum({c})" for c in CHECKED)
    row = store.query(f"select {sums} from marts.client_channel_daily")[0]  # noqa: S608
    totals = (round(float(v), 2) for v in row)
    summary["client_channel_daily_totals"] = dict(zip(CHECKED, totals, strict=True))
    start = time.perf_counter()
    timed("reload", results, lambda: restate(store, args, end, rng))
    dbt("nightly-dbt")
    summary["nightly_seconds"] = round(time.perf_counter() - start, 2)
    summary["nightly_note"] = (
        "restatement (ads 14 d, calls 3 d, 10 clients) + a second build (no build state on Spark: full)"
    )
    summary["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
    print(
        json.dumps(
            {"args": {k: str(v) for k, v in vars(args).items()}, "results": results}, ensure_ascii=False
        )
    )
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def duckdb_only_stages(build: Path, results: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    """The hand-written reference limit and pandas on the DuckDB build file, their totals checked."""
    # In a child of its own, like dbt and pandas: its own peak RSS, and this process stays small
    # (a child's peak RSS counts the parent's pages it was forked with, until its exec).
    for stage, key, extra in (("sql", "sql", []), ("sql-persisted", "sql_persisted", ["--sql-persist"])):
        cmd = [sys.executable, __file__, "--sql-child", str(build), *extra]
        _, sql_rss, proc = run_child(cmd, cwd=REPO)
        if proc.returncode:
            raise SystemExit(f"the reference SQL failed:\n{proc.stderr[-3000:]}")
        reference = json.loads(proc.stdout.strip().splitlines()[-1])
        sql_seconds, same = reference["seconds"], reference["same"]
        results.append({"stage": stage, "seconds": round(sql_seconds, 2), "peak_rss_mb": round(sql_rss)})
        print(
            f"{stage:<16} {sql_seconds:8.2f} s   peak RSS {sql_rss:7.0f} MB   "
            f"totals {'equal the marts' if same else 'DIFFER'}"
        )
        summary.update(
            {
                f"{key}_peak_rss_mb": round(sql_rss),
                f"{key}_seconds": round(sql_seconds, 2),
                f"ratio_vs_{key}": round(summary["dbt_seconds"] / sql_seconds, 1),
                f"{key}_totals_equal": same,
            }
        )

    _, rss, proc = run_child([sys.executable, __file__, "--pandas-child", str(build)], cwd=REPO)
    if proc.returncode:
        raise SystemExit(f"pandas failed:\n{proc.stderr[-3000:]}")
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    results.append({"stage": "pandas", "seconds": round(child["seconds"], 2), "peak_rss_mb": round(rss)})
    print(f"{'pandas':<16} {child['seconds']:8.2f} s   peak RSS {rss:7.0f} MB   {child['rows']:,} rows")
    summary.update(
        pandas_seconds=round(child["seconds"], 2),
        pandas_peak_rss_mb=round(rss),
        pandas_totals_equal=child["totals"] == mart_totals(build),
    )
    if not summary["pandas_totals_equal"]:
        print(f"pandas totals {child['totals']} differ from the mart's {mart_totals(build)}")


if __name__ == "__main__":
    sys.exit(main())
