"""Command line: run the refresh in-process, or check the configuration.

    python -m pipelines refresh             nightly: API restatement windows, inbox, models, publish
    python -m pipelines refresh --full      every day from the history start (first run, demo)
    python -m pipelines refresh --rebuild-models   the nightly pulls, every dbt model rebuilt
    python -m pipelines backfill --from 2026-08-01 --to 2026-10-31 [--client acme ...]
    python -m pipelines rebuild             a lost or damaged build database: archive + whole history
    python -m pipelines check-config

Same assets as the Dagster job (recorded in ``$DAGSTER_HOME`` when it is set, so runs show up
in ``dagster dev``). Quiet by default: the stage running, then a summary table (files, accounts,
checks, the published version); dbt's and Dagster's log go to ``<data>/logs/refresh.log``;
``-v`` prints them instead. With ``AGENCY_EXECUTOR=celery`` the steps run on Celery workers
(``make worker``; PostgreSQL warehouse and ``DAGSTER_HOME`` needed, else exit 2). Exit codes: 0
published; 1 the run failed (the
dashboard keeps the last good version); 2 the configuration is wrong (refused: with a copy of the
last configuration that loaded, the run went on with it, see ``pipelines.recovery``); 3
published, but some client accounts could not be pulled (listed).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import io
import os
import re
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from rich import box
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.load.build_store import published_meta, serving_location
from pipelines.load.config import AgencyConfig, ConfigError, load_config
from pipelines.load.freshness import freshness_file, read_freshness, summary_line
from pipelines.load.settings import Settings
from pipelines.load.windows import PullRange, full_range, nightly_range
from pipelines.recovery import (
    config_or_last_good,
    record_run_incidents,
    reload_archive,
    run_marker,
    set_aside_build_db,
)

if TYPE_CHECKING:
    from dagster_shared.error import SerializableErrorInfo

    from pipelines.defs.resources import VendorApiResource
    from pipelines.defs.runner import RefreshOutcome

__all__ = ["EXIT_CONFIG", "EXIT_FAILED", "EXIT_PARTIAL", "main"]

EXIT_FAILED, EXIT_CONFIG, EXIT_PARTIAL = 1, 2, 3


def _load(settings: Settings) -> AgencyConfig | None:
    try:
        return load_config(settings.config_path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return None


def _check_config(settings: Settings) -> int:
    config = _load(settings)
    if config is None:
        return EXIT_CONFIG
    print(f"{settings.config_path}: OK ({len(config.clients)} clients, {len(config.managers)} managers)")
    return 0


_STAGES = {
    "agency_configuration": "configuration tables",
    "inbox_files": "inbox: loading dropped files",
    "agency_dbt_models": "dbt build: models and tests",
    "serving__serving_database": "publish: the serving file",
}
_STEP_START = re.compile(r" - (?P<step>[\w.\[\]-]+) - STEP_START - ")


def _stage(step: str) -> str:
    if step in _STAGES:
        return _STAGES[step]
    source, _, table = step.partition("__")
    return f"{source}: {table}" if table else step


class _LogTee(io.TextIOBase):
    """Dagster's console log into the log file, its step starts into the progress display."""

    def __init__(self, log_file: TextIO, on_step: Callable[[str], None]) -> None:
        self.log_file = log_file
        self.on_step = on_step

    def write(self, text: str) -> int:
        self.log_file.write(text)
        for match in _STEP_START.finditer(text):
            self.on_step(match["step"])
        return len(text)

    def flush(self) -> None:
        self.log_file.flush()


def _freshness(settings: Settings, since: float) -> str | None:
    """This run's source freshness in a line (None when the run did not get that far)."""
    path = freshness_file(settings.data_dir)
    if not path.is_file() or path.stat().st_mtime < since:
        return None
    records = read_freshness(settings.data_dir)
    return summary_line(records) if records is not None else None


def _summary(
    outcome: RefreshOutcome, published: dict[str, object] | None, freshness: str | None = None
) -> Table:
    table = Table(title="refresh", show_header=False, box=box.SIMPLE, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("result")
    inbox = outcome.inbox
    if inbox:
        table.add_row(
            "files", f"{inbox.get('files_loaded', 0)} loaded, {inbox.get('files_rejected', 0)} rejected"
        )
    if outcome.pulls:
        pulled = sum(int(meta.get("accounts_loaded") or 0) for meta in outcome.pulls.values())
        failed = sum(int(meta.get("accounts_failed") or 0) for meta in outcome.pulls.values())
        rows = sum(int(meta.get("rows_loaded") or 0) for meta in outcome.pulls.values())
        table.add_row("accounts", f"{pulled} pulled, {failed} failed ({rows} rows from the APIs)")
    evaluations = outcome.result.get_asset_check_evaluations()
    passed = sum(e.passed for e in evaluations)
    warned = sum(not e.passed and e.severity.value == "WARN" for e in evaluations)
    failed = len(evaluations) - passed - warned
    table.add_row("checks", f"{passed} passed, {warned} warned, {failed} failed")
    if freshness is not None:
        table.add_row("freshness", f"sources: {freshness}")
    if published is None:
        table.add_row("published", "nothing yet" if outcome.success else "no")
    else:
        version = f"{published['published_at']:%Y-%m-%d %H:%M:%S} UTC"
        data = f"data up to {published['data_cutoff']}, as of {published['as_of_date']}"
        if outcome.success:
            table.add_row("published", f"{version} ({data})")
        else:
            table.add_row("published", f"no: the dashboard keeps the version of {version} ({data})")
    return table


def _refresh(
    settings: Settings,
    pull_range: PullRange,
    *,
    verbose: bool = False,
    vendor_apis: VendorApiResource | None = None,
    config: AgencyConfig | None = None,
    refused: ConfigError | None = None,
    definitions: str | None = None,
) -> int:
    """One refresh; with ``config`` the run's incidents (a failed run, a refused configuration)
    are recorded and told (:func:`pipelines.recovery.record_run_incidents`)."""
    with run_marker(settings, sys.stderr):
        code, error = _refresh_once(
            settings, pull_range, verbose=verbose, vendor_apis=vendor_apis, definitions=definitions
        )
    if config is not None:
        record_run_incidents(settings, config, error=error, refused=refused, out=sys.stderr)
    if refused is not None and code != EXIT_FAILED:
        return EXIT_CONFIG
    return code


def _refresh_once(
    settings: Settings,
    pull_range: PullRange,
    *,
    verbose: bool = False,
    vendor_apis: VendorApiResource | None = None,
    definitions: str | None = None,
) -> tuple[int, str | None]:
    """The exit code, and what failed when the run failed."""
    # Dagster and dbt load only when a run starts (check-config stays instant).
    from dagster import DagsterInstance

    from pipelines.defs.runner import DEFAULT_DEFINITIONS, run_refresh

    # Runs are recorded in $DAGSTER_HOME when it is set (they show up in `dagster dev`).
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    location = definitions or DEFAULT_DEFINITIONS
    console = Console(file=sys.stdout, highlight=False)
    print(f"refresh: API pulls of {pull_range.describe()}", flush=True)
    # dbt's progress (hundreds of lines a build) and Dagster's log go to a log file; the terminal
    # shows which stage runs, then a summary. -v shows everything instead.
    log_path = settings.data_dir / "logs" / "refresh.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with log_path.open("w", encoding="utf-8") as log_file:
        if verbose:
            outcome = run_refresh(
                settings,
                pull_range,
                instance=instance,
                log_level="INFO",
                tags={"agency/trigger": "cli"},
                vendor_apis=vendor_apis,
                definitions=location,
            )
        else:
            progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=console,
                redirect_stdout=False,
                redirect_stderr=False,
                transient=True,  # the summary replaces it
            )
            task = progress.add_task("starting Dagster and dbt", total=None)

            def on_step(step: str) -> None:
                progress.update(task, description=_stage(step))

            tee = _LogTee(log_file, on_step)
            with progress, contextlib.redirect_stdout(log_file), contextlib.redirect_stderr(tee):
                outcome = run_refresh(
                    settings,
                    pull_range,
                    instance=instance,
                    log_level="DEBUG",  # into the log file; step starts drive the display
                    tags={"agency/trigger": "cli"},
                    vendor_apis=vendor_apis,
                    definitions=location,
                )
    published = published_meta(settings)
    console.print(_summary(outcome, published, _freshness(settings, started)))
    if outcome.success:  # paths in full, on lines of their own (a table would wrap them)
        print(serving_location(settings))
    if not verbose:
        print(f"log of dbt and Dagster: {log_path}")
    for check in outcome.failed_checks:
        print(f"check did not pass: {check}")
    quarantine = settings.quarantine_dir
    if quarantine.exists() and any(quarantine.rglob("*.error.txt")):
        print(f"some files were rejected: see the .error.txt files in {quarantine}")
    if not outcome.success:
        print("refresh FAILED; the dashboard keeps the last good version", file=sys.stderr)
        failures = []
        for event in outcome.result.all_events:
            if event.is_step_failure and event.step_key:
                data = event.step_failure_data
                reason = _reason(data.error) if data and data.error else ""
                failures.append(f"step {event.step_key} failed: {reason}")
                print(f"  {failures[-1]}", file=sys.stderr)
        if published:
            print(
                f"  {serving_location(settings).split(':')[0]} still at the version published "
                f"{published['published_at']}",
                file=sys.stderr,
            )
        return EXIT_FAILED, "; ".join(failures) or "the run failed"
    if outcome.failed_pulls:
        print(f"{len(outcome.failed_pulls)} client account(s) could not be pulled:", file=sys.stderr)
        for line in outcome.failed_pulls:
            print(f"  {line}", file=sys.stderr)
        return EXIT_PARTIAL, None
    return 0, None


def _executor_refused(settings: Settings) -> str | None:
    """Why the executor of ``AGENCY_EXECUTOR`` cannot run this refresh (None: it can); asked
    before anything is loaded or recorded."""
    from pipelines.defs.executors import ExecutorRefused, refresh_executor

    try:
        refresh_executor(settings)
    except ExecutorRefused as exc:
        return str(exc)
    if settings.executor == "celery" and not os.environ.get("DAGSTER_HOME"):
        return "AGENCY_EXECUTOR=celery needs DAGSTER_HOME: the run and the workers share its instance"
    return None


def _reason(error: SerializableErrorInfo) -> str:
    """The first line of what went wrong, under Dagster's "Error occurred while executing op" wrapper."""
    while error.cause is not None and "Error occurred while executing" in error.message:
        error = error.cause
    return error.message.strip().splitlines()[0] if error.message.strip() else ""


def _rebuild(settings: Settings, config: AgencyConfig) -> PullRange:
    """Set the damaged build database aside and load the inbox archive into a new one; the
    caller then pulls the whole history."""
    folder = set_aside_build_db(settings) if settings.warehouse == "duckdb" else None
    if settings.warehouse == "postgres" and settings.postgres:  # issue 20: not set aside yet
        print(
            f"rebuild: the PostgreSQL database {settings.postgres.dbname} is kept (loads are idempotent: "
            "the archive is loaded into it again)",
            flush=True,
        )
    elif settings.warehouse == "spark":
        where = settings.spark.dir if settings.spark else settings.data_dir / "spark"
        print(
            f"rebuild: the Spark warehouse in {where} is kept (loads are idempotent: the archive is "
            "loaded into it again)",
            flush=True,
        )
    elif folder is None:
        print(f"rebuild: no build database at {settings.build_db}: building a new one", flush=True)
    else:
        print(f"rebuild: the old build database was moved to {folder} (delete it when done)", flush=True)
    loaded, refused = reload_archive(settings, config)
    print(f"rebuild: {loaded} archived file(s) loaded again from {settings.archive_dir}", flush=True)
    if refused:
        print(f"rebuild: {refused} archived file(s) could not be loaded (see the log)", file=sys.stderr)
    return full_range(config, settings.as_of_date())


def main(
    argv: list[str] | None = None,
    *,
    vendor_apis: VendorApiResource | None = None,
    prog: str = "python -m pipelines",
    definitions: str | None = None,
) -> int:
    """``vendor_apis`` points the API pulls elsewhere than the vendors (the demo agency plugs in here);
    ``definitions`` is the code location (``module:attribute``) Celery workers import the job from."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    as_of = argparse.ArgumentParser(add_help=False)
    as_of.add_argument(
        "--as-of", type=dt.date.fromisoformat, help="report date (default: AGENCY_AS_OF or today)"
    )
    as_of.add_argument("-v", "--verbose", action="store_true", help="show every pipeline log line")
    refresh = sub.add_parser(
        "refresh", parents=[as_of], help="nightly refresh: restatement windows, inbox, models, publish"
    )
    refresh.add_argument(
        "--full",
        action="store_true",
        help="pull every day from the history start and rebuild every model (first run of an agency)",
    )
    refresh.add_argument(
        "--rebuild-models",
        action="store_true",
        help="rebuild every dbt model, not only the days loaded since the last build",
    )
    backfill = sub.add_parser(
        "backfill", parents=[as_of], help="pull a range of days again, then build and publish"
    )
    backfill.add_argument(
        "--from", dest="first", type=dt.date.fromisoformat, required=True, help="YYYY-MM-DD"
    )
    backfill.add_argument(
        "--to", dest="last", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: yesterday)"
    )
    backfill.add_argument("--client", action="append", default=[], help="only this client id (repeatable)")
    sub.add_parser(
        "rebuild",
        parents=[as_of],
        help="the build database is lost or damaged: rebuild it from the inbox archive and the APIs",
    )
    sub.add_parser("check-config", help="validate the agency configuration file and exit")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if getattr(args, "as_of", None):
        settings = Settings(**{**settings.__dict__, "as_of": args.as_of})
    if args.command == "check-config":
        return _check_config(settings)
    refused_executor = _executor_refused(settings)
    if refused_executor is not None:
        print(refused_executor, file=sys.stderr)
        return EXIT_CONFIG
    chosen = config_or_last_good(settings, sys.stderr)
    if chosen is None:
        return EXIT_CONFIG
    config, settings, refused = chosen
    today = settings.as_of_date()
    try:
        if args.command == "rebuild":
            pull_range = _rebuild(settings, config)
        elif args.command == "backfill":
            unknown = sorted(set(args.client) - {c.id for c in config.clients})
            if unknown:
                parser.error(f"unknown client id(s): {', '.join(unknown)}")
            last = args.last or today - dt.timedelta(days=1)
            pull_range = PullRange(args.first, last, clients=tuple(args.client))
        elif args.full:
            pull_range = full_range(config, today)
        else:
            pull_range = nightly_range(config, today)
    except ValueError as exc:
        parser.error(str(exc))
    if getattr(args, "rebuild_models", False):
        pull_range = dataclasses.replace(pull_range, rebuild_models=True)
    return _refresh(
        settings,
        pull_range,
        verbose=args.verbose,
        vendor_apis=vendor_apis,
        config=config,
        refused=refused,
        definitions=definitions,
    )
