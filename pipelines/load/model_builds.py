"""Which dbt build a refresh runs: incremental (the nightly) or a full rebuild.

The date-grained models are incremental (``dbt_project/macros/incremental.sql``): given
``changed_since``, the ``raw.load_log`` high-water mark of the last successful build, they
replace only the (client, day) windows loaded after it. Anything that is not date-windowable
forces a full rebuild (``--full-refresh``): a changed dbt project (models, macros, seeds such as
the channel mapping, tests, the dbt version) or changed configuration tables (clients, accounts,
settings: time zones, VAT, the unique-call window), the first build, a lost or reset build
database, and on demand (``refresh --full``, ``refresh --rebuild-models``).

The decision and the mark live in ``pipeline.model_builds`` of the build database (DuckDB's file,
the PostgreSQL database or Spark's catalog: every statement goes through the build database's
store), written only after a build succeeded: a failed build is followed by one covering
everything since the last good one (replacing a window twice gives the same rows).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

from pipelines.load.raw_schema import CONFIG_TABLES
from pipelines.load.warehouse import DuckDBRawStore

__all__ = [
    "PIPELINE_VARS",
    "BuildPlan",
    "model_fingerprint",
    "plan_build",
    "prepare_build",
    "record_build",
    "write_run_vars",
]

STATE_TABLE = "pipeline.model_builds"
_PROJECT_PARTS = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")
INCREMENTAL_MODELS = (
    "intermediate.int_calls",
    "marts.client_campaign_daily",
    "marts.client_channel_daily",
)
"""The incremental models (a rebuild is due when one is missing)."""


@dataclass(frozen=True)
class BuildPlan:
    full: bool
    reason: str
    fingerprint: str
    watermark: dt.datetime | None
    """``max(raw.load_log.loaded_at)`` before the build: the next build's ``changed_since``."""
    changed_since: dt.datetime | None = None

    def run_vars(self, as_of: dt.date) -> dict[str, str]:
        """The values this build's SQL reads (macro ``run_var``): the reporting day, and on an
        incremental build the ``changed_since`` mark."""
        values = {"as_of_date": as_of.isoformat()}
        if not self.full and self.changed_since is not None:
            values["changed_since"] = self.changed_since.isoformat(sep=" ")
        return values

    def dbt_args(self, command: str = "build") -> list[str]:
        """``dbt build`` arguments: ``--full-refresh`` or an incremental build, never the unit
        tests. They test the SQL on fixed rows, not the data, so they belong to development and
        CI (``make test`` runs them all, ``tests/dbt``), as dbt's documentation advises; a
        pipeline build does not pay for them (decision 43). The ``--vars`` are the same every
        night (:data:`PIPELINE_VARS`), so dbt's partial parsing holds; the day and the mark
        travel in ``pipeline.dbt_run_vars`` (:func:`prepare_build`)."""
        args = [command, "--vars", PIPELINE_VARS, "--exclude-resource-type", "unit_test"]
        return [*args, "--full-refresh"] if self.full else args


RUN_VARS_TABLE = "pipeline.dbt_run_vars"
PIPELINE_VARS = json.dumps({"run_vars_from": RUN_VARS_TABLE})
"""The pipeline's ``--vars`` for every dbt command it runs. dbt parses the whole project again
whenever ``--vars`` differ from the last command's (about 4 s of a small agency's refresh), so
the values that change every night are not vars: the macro ``run_var`` reads them at run time
from :data:`RUN_VARS_TABLE`."""


class StateStore(Protocol):
    """What the build state needs of a warehouse's store (``SqlRawStore``'s DuckDB and
    PostgreSQL, ``SparkRawStore``): statements with parameters, reads, whether a table exists,
    and the text type of its DDL."""

    placeholder: str
    dbt_adapter: str
    text_type: str

    def transaction(self) -> Any: ...

    def execute(self, sql: str, params: Any = ()) -> None: ...

    def query(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]: ...

    def has_table(self, qualified: str) -> bool: ...


BuildDatabase = StateStore | Path
"""Where the build state lives: an open store of the build database (the pipeline's, from
``pipelines.load.build_store``), or a DuckDB build file's path (opened here briefly)."""


@contextmanager
def _opened(build: BuildDatabase) -> Iterator[StateStore]:
    if not isinstance(build, Path):
        yield build
        return
    with DuckDBRawStore(build) as store:
        yield store


def write_run_vars(build: BuildDatabase, values: dict[str, str]) -> None:
    """Replace the values the next dbt command reads through ``run_var`` (a DuckDB build file is
    closed again before dbt opens it)."""
    with _opened(build) as store, store.transaction():
        store.execute("create schema if not exists pipeline")
        store.execute(f"drop table if exists {RUN_VARS_TABLE}")
        store.execute(f"create table {RUN_VARS_TABLE} (name {store.text_type}, value {store.text_type})")
        p = store.placeholder
        for name, value in sorted(values.items()):
            store.execute(f"insert into {RUN_VARS_TABLE} values ({p}, {p})", [name, value])  # noqa: S608


def prepare_build(build: BuildDatabase, plan: BuildPlan, as_of: dt.date, command: str = "build") -> list[str]:
    """Write the plan's run values for ``as_of`` and return the dbt arguments that read them."""
    write_run_vars(build, plan.run_vars(as_of))
    return plan.dbt_args(command)


def _project_digest(project_dir: Path, adapter: str = "dbt-duckdb") -> hashlib._Hash:
    digest = hashlib.sha256()
    digest.update(f"dbt-core {version('dbt-core')} {adapter} {version(adapter)}\n".encode())
    for part in _PROJECT_PARTS:
        path = project_dir / part
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            digest.update(str(file.relative_to(project_dir)).encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest


def model_fingerprint(store: StateStore, project_dir: Path) -> str:
    """The inputs no window can follow: the dbt project's files (and the dbt adapter that builds
    them) and the configuration tables."""
    digest = _project_digest(project_dir, store.dbt_adapter)
    for table in sorted(CONFIG_TABLES.values(), key=lambda t: t.name):
        columns = ", ".join(table.column_names)
        every = ", ".join(str(i) for i in range(1, len(table.column_names) + 1))
        rows = store.query(
            f"select {columns} from {table.qualified} order by {every}"  # noqa: S608 - our identifiers
        )
        digest.update(f"{table.name}\0{rows!r}\0".encode())
    return digest.hexdigest()


def plan_build(build: BuildDatabase, project_dir: Path, *, rebuild: bool = False) -> BuildPlan:
    """Full or incremental, and why; reads the build database (it must hold the raw schema)."""
    with _opened(build) as store:
        fingerprint = model_fingerprint(store, project_dir)
        rows = store.query("select max(loaded_at) from raw.load_log")
        watermark = rows[0][0] if rows else None
        last = None
        if store.has_table(STATE_TABLE):
            found = store.query(
                f"select fingerprint, watermark from {STATE_TABLE} order by built_at desc limit 1"  # noqa: S608
            )
            last = found[0] if found else None
        missing = [m for m in INCREMENTAL_MODELS if not store.has_table(m)]
    if rebuild:
        return BuildPlan(True, "a full rebuild was asked for", fingerprint, watermark)
    if last is None:
        return BuildPlan(True, "no earlier build", fingerprint, watermark)
    if missing:
        return BuildPlan(True, f"{missing[0]} is missing", fingerprint, watermark)
    if last[0] != fingerprint:
        return BuildPlan(True, "the dbt project or the configuration changed", fingerprint, watermark)
    since = last[1] or dt.datetime(1900, 1, 1)
    return BuildPlan(False, f"loads since {since:%Y-%m-%d %H:%M:%S}", fingerprint, watermark, since)


def record_build(build: BuildDatabase, plan: BuildPlan) -> None:
    """After a successful build: its fingerprint and mark for the next one."""
    with _opened(build) as store, store.transaction():
        store.execute("create schema if not exists pipeline")
        store.execute(
            f"create table if not exists {STATE_TABLE} ("
            f"built_at timestamp not null, full_rebuild boolean not null, reason {store.text_type}, "
            f"fingerprint {store.text_type} not null, watermark timestamp)"
        )
        p = store.placeholder
        store.execute(
            f"insert into {STATE_TABLE} values ({p}, {p}, {p}, {p}, {p})",  # noqa: S608
            [
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                plan.full,
                plan.reason,
                plan.fingerprint,
                plan.watermark,
            ],
        )
