"""What the refresh command does when something broke (the on-call side of ``pipelines.cli``).

- **The last good configuration.** Every configuration that loads is copied to
  ``<data>/config/last_good.yaml``; a later file that does not load (a YAML syntax error, a
  wrong value) is refused with the file, line and field, and the run goes on with that copy
  (:func:`config_or_last_good`). An incident ``config_refused`` is opened until a good file loads.
- **An interrupted run.** A marker ``<data>/logs/refresh.running`` lives while a refresh runs; a
  run that finds one says the previous run was killed before it finished (:func:`run_marker`).
  What a killed run left half-done is redone: loads are idempotent, dbt rebuilds every model,
  the publish removes the temporary copy a killed publish left.
- **Incidents from the command line.** A failed run opens ``run_failed:refresh``, the next
  successful one resolves it (the same key the Dagster sensor uses, so the two never double up)
  (:func:`record_run_incidents`).
- **A lost build database** (:func:`set_aside_build_db`, :func:`reload_archive`): ``python -m
  pipelines rebuild`` moves the damaged file aside, loads every archived inbox file again and pulls
  the whole history from the APIs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pipelines.load.config import AgencyConfig, ConfigError, load_config
from pipelines.load.settings import Settings

if TYPE_CHECKING:
    from alerts import Problem

__all__ = [
    "CONFIG_REFUSED_KEY",
    "RUN_FAILED_KEY",
    "config_or_last_good",
    "config_refused_problem",
    "last_good_config_path",
    "record_run_incidents",
    "reload_archive",
    "remember_good_config",
    "run_marker",
    "set_aside_build_db",
]

RUN_FAILED_KEY = "run_failed:refresh"
CONFIG_REFUSED_KEY = "config_refused"


def last_good_config_path(settings: Settings) -> Path:
    return settings.data_dir / "config" / "last_good.yaml"


def remember_good_config(settings: Settings) -> None:
    """Copy the configuration that just loaded to :func:`last_good_config_path` (if it changed)."""
    target = last_good_config_path(settings)
    data = settings.config_path.read_bytes()
    if target.is_file() and target.read_bytes() == data:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)


def config_or_last_good(
    settings: Settings, out: TextIO
) -> tuple[AgencyConfig, Settings, ConfigError | None] | None:
    """The configuration to run with, the settings pointing at it, and the error of a refused file.

    None when the file is wrong and there is no good copy yet (nothing to run with)."""
    try:
        config = load_config(settings.config_path)
    except ConfigError as refused:
        print(f"REFUSED {refused}", file=out)
        fallback = last_good_config_path(settings)
        if not fallback.is_file():
            print("no configuration has loaded before: nothing to run with", file=out)
            return None
        try:
            config = load_config(fallback)
        except ConfigError as exc:  # the copy itself no longer loads (a newer version of the code)
            print(f"the last good copy does not load either: {exc}", file=out)
            return None
        saved = dt.datetime.fromtimestamp(fallback.stat().st_mtime, dt.UTC)
        print(
            f"running with the last good configuration {fallback} (saved {saved:%Y-%m-%d %H:%M} UTC); "
            f"fix {settings.config_path} and check it with `python -m pipelines check-config`",
            file=out,
        )
        return config, dataclasses.replace(settings, config_path=fallback), refused
    remember_good_config(settings)
    return config, settings, None


@contextlib.contextmanager
def run_marker(settings: Settings, out: TextIO) -> Iterator[None]:
    """Say so when the previous refresh never finished; mark this one as running meanwhile."""
    marker = settings.data_dir / "logs" / "refresh.running"
    if marker.is_file():
        started = marker.read_text(encoding="utf-8").strip()
        print(
            f"the previous refresh ({started}) did not finish: it was killed or the machine stopped; "
            "this run does its work again (the dashboard kept the last good version)",
            file=out,
        )
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"pid {os.getpid()}, started {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC\n")
    try:
        yield
    finally:  # a SIGKILL skips this: the marker stays for the next run to find
        marker.unlink(missing_ok=True)


def config_refused_problem(settings: Settings, refused: ConfigError) -> Problem:
    """The ``config_refused`` incident of a configuration file that does not load."""
    from alerts import Problem

    first = refused.problems[0] if refused.problems else str(refused)
    detail = {"file": refused.path, "error": first, "last_good": str(last_good_config_path(settings))}
    return Problem("config_refused", CONFIG_REFUSED_KEY, None, detail)


def record_run_incidents(
    settings: Settings,
    config: AgencyConfig,
    *,
    error: str | None,
    refused: ConfigError | None,
    out: TextIO,
) -> None:
    """Open or resolve ``run_failed:refresh`` and ``config_refused`` and tell whom the
    configuration names (``alerts.on_call``); quiet hours and digests as in :mod:`alerts`."""
    from alerts import Problem, run_check
    from alerts.texts import change_line
    from delivery import Channels

    problems = []
    if error is not None:
        detail = {"job": "refresh", "run_id": "", "error": error[:500]}
        problems.append(Problem("run_failed", RUN_FAILED_KEY, None, detail))
    if refused is not None:
        problems.append(config_refused_problem(settings, refused))
    try:
        with Channels.from_config(config.delivery) as channels:
            result = run_check(
                settings,
                config,
                channels=channels,
                extra=problems,
                extra_kinds={"run_failed", "config_refused"},
                data=False,
            )
    except Exception as exc:  # an alert must never hide the run's own outcome
        print(f"alerts: could not record the incident: {exc}", file=out)
        return
    names = {c.id: c.name for c in config.clients}
    for change in result.changes:
        print(f"alert: {change_line(change, names)}", file=out)


def set_aside_build_db(settings: Settings) -> Path | None:
    """Move the build database (and its WAL) into ``<warehouse>/broken-<UTC time>/``; None if absent."""
    files = [p for p in (settings.build_db, settings.build_db.with_name(settings.build_db.name + ".wal"))]
    present = [p for p in files if p.exists()]
    if not present:
        return None
    folder = settings.build_db.parent / f"broken-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
    folder.mkdir(parents=True, exist_ok=True)
    for path in present:
        shutil.move(path, folder / path.name)
    return folder


def reload_archive(settings: Settings, config: AgencyConfig) -> tuple[int, int]:
    """Load every archived inbox file into a fresh build database: (files loaded, files refused)."""
    from pipelines.load.build_store import build_store
    from pipelines.load.inbox import replay_archive

    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    with build_store(settings) as store:
        store.ensure_schema()
        report = replay_archive(archive=settings.archive_dir, config=config, store=store)
    return len(report.loaded), len(report.rejected)
