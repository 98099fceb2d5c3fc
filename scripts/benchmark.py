"""Benchmark: parse, bulk-load and model a large agency; results go to docs/benchmarks.md by hand.

    uv run python scripts/benchmark.py --clients 300 --days 1095 --campaigns 91 --calls-per-day 15

Stages, each timed with wall-clock seconds and the process's peak RSS:
1. parse: a Yandex.Direct Reports TSV of ``--parse-rows`` rows through the real parser;
2. load: campaign-day rows for every client (Direct) and calls (Calltouch) bulk-loaded through
   ``DuckDBRawStore.replace_partition`` / ``upsert`` as Arrow tables, one batch per client;
3. reload: the same for 10 clients again (a nightly restatement: must touch only those rows);
4. dbt: a full ``dbt build`` (models + tests) on that raw layer;
5. publish: copy the marts into a fresh serving file.
Synthetic rows are generated with NumPy straight into Arrow (this measures the warehouse, not
the simulator). Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from connectors.yandex_direct import parse_report_tsv  # noqa: E402
from pipelines.load.agency_tables import load_config_tables  # noqa: E402
from pipelines.load.config import parse_config  # noqa: E402
from pipelines.load.publish import publish  # noqa: E402
from pipelines.load.raw_schema import RAW_TABLES  # noqa: E402
from pipelines.load.warehouse import DuckDBRawStore, arrow_schema  # noqa: E402


def peak_rss_mb() -> float:
    """Peak resident memory of this process or of the largest child (dbt), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, child) / 1024


def timed(name: str, results: list[dict[str, Any]], fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    results.append({"stage": name, "seconds": round(seconds, 2), "peak_rss_mb": round(peak_rss_mb())})
    print(f"{name:<8} {seconds:8.2f} s   peak RSS {peak_rss_mb():7.0f} MB   {value or ''}")
    return value


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


def direct_batch(client: int, days: int, campaigns: int, end: dt.date, rng: np.random.Generator) -> pa.Table:
    n = days * campaigns
    day0 = (end - dt.timedelta(days=days)).toordinal() - dt.date(1970, 1, 1).toordinal()
    dates = np.repeat(np.arange(day0, day0 + days, dtype=np.int32), campaigns)
    camp = np.tile(np.arange(campaigns), days)
    clicks = rng.poisson(40, n)
    now = np.datetime64(dt.datetime(2026, 11, 23, 5, 0), "us")
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


def calls_batch(client: int, days: int, per_day: int, end: dt.date, rng: np.random.Generator) -> pa.Table:
    n = days * per_day
    start = np.datetime64(end - dt.timedelta(days=days), "s").astype(np.int64)
    ts = np.sort(start + rng.integers(0, days * 86400, n)).astype("datetime64[s]").astype("datetime64[us]")
    duration = rng.integers(0, 400, n)
    table = RAW_TABLES["calltouch_calls"]
    now = np.datetime64(dt.datetime(2026, 11, 23, 5, 0), "us")
    cols: dict[str, Any] = {name: pa.nulls(n) for name in table.column_names}
    cols.update(
        {
            "client_id": pa.array([f"c{client:03d}"] * n),
            "account_id": pa.array([str(10000 + client)] * n),
            "call_id": pa.array(np.arange(n, dtype=np.int64) + client * 10_000_000),
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--campaigns", type=int, default=91)
    parser.add_argument("--calls-per-day", type=int, default=15)
    parser.add_argument("--parse-rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="agency-bench-"))
    build, serving = work / "build.duckdb", work / "serving.duckdb"
    build.unlink(missing_ok=True)
    end = dt.date(2026, 11, 23)
    rng = np.random.default_rng(1)
    results: list[dict[str, Any]] = []
    print(f"workdir {work}")

    header = "Date\tCampaignId\tCampaignName\tCampaignType\tImpressions\tClicks\tCost\tConversions\n"
    line = "2026-03-01\t104693586\t brand|search\tTEXT_CAMPAIGN\t1520\t37\t1234560000\t--\n"
    tsv = (header + line * args.parse_rows + f"Total rows: {args.parse_rows}\n").encode()
    timed("parse", results, lambda: f"{len(parse_report_tsv(tsv).rows):,} Direct rows")

    cfg = config(args.clients)

    def load() -> str:
        rows = calls = 0
        with DuckDBRawStore(build) as store:
            store.ensure_schema()
            load_config_tables(cfg, store)
            for c in range(args.clients):
                part = {"client_id": f"c{c:03d}", "account_id": f"c{c:03d}-direct"}
                data = direct_batch(c, args.days, args.campaigns, end, rng)
                rows += store.replace_partition(
                    RAW_TABLES["yandex_direct_campaign_stats"],
                    data,
                    partition=part,
                    date_from=None,
                    date_to=None,
                )
                calls += store.upsert(
                    RAW_TABLES["calltouch_calls"], calls_batch(c, args.days, args.calls_per_day, end, rng)
                )
        return f"{rows:,} campaign-day rows, {calls:,} calls"

    timed("load", results, load)

    def reload() -> str:
        rows = 0
        with DuckDBRawStore(build) as store:
            for c in range(min(10, args.clients)):
                part = {"client_id": f"c{c:03d}", "account_id": f"c{c:03d}-direct"}
                data = direct_batch(c, 14, args.campaigns, end, rng)
                rows += store.replace_partition(
                    RAW_TABLES["yandex_direct_campaign_stats"],
                    data,
                    partition=part,
                    date_from=end - dt.timedelta(days=14),
                    date_to=end - dt.timedelta(days=1),
                )
        return f"{rows:,} rows restated (14 days x {min(10, args.clients)} clients)"

    timed("reload", results, reload)

    def dbt() -> str:
        env = {**os.environ, "AGENCY_BUILD_DB": str(build)}
        cmd = [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--quiet",
            "--profiles-dir",
            ".",
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            "--vars",
            json.dumps({"as_of_date": end.isoformat()}),
        ]
        proc = subprocess.run(cmd, cwd=REPO / "dbt_project", env=env, capture_output=True, text=True)
        if proc.returncode:
            print(proc.stdout[-3000:], proc.stderr[-3000:])
            raise SystemExit("dbt build failed")
        return "dbt build ok"

    timed("dbt", results, dbt)
    timed(
        "publish",
        results,
        lambda: f"{sum(publish(build, serving, as_of_date=end, run_id='bench').row_counts.values()):,} rows",
    )
    print(
        json.dumps(
            {"args": {k: str(v) for k, v in vars(args).items()}, "results": results}, ensure_ascii=False
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
