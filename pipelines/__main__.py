"""Command line: ``python -m pipelines refresh`` runs the full refresh in-process.

Same assets as the Dagster job (and recorded in ``$DAGSTER_HOME`` when it is set, so the run
shows up in ``dagster dev``), without the CLI's start-up overhead. Prints a short report and
exits non-zero when anything failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from pipelines.config import ConfigError, load_config
from pipelines.settings import Settings


def _check_config(settings: Settings) -> int:
    try:
        config = load_config(settings.config_path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{settings.config_path}: OK ({len(config.clients)} clients, {len(config.managers)} managers)")
    return 0


def _refresh(settings: Settings, *, verbose: bool = False) -> int:
    from dagster import DagsterInstance, materialize

    from pipelines.definitions import ALL_ASSETS, WRITER_TAGS, resources_for
    from pipelines.publish import read_publish_meta

    if _check_config(settings):
        return 2
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    result = materialize(
        ALL_ASSETS,
        resources=resources_for(settings),
        instance=instance,
        tags={**WRITER_TAGS, "agency/trigger": "cli"},
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO" if verbose else "WARNING"}}}},
    )
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization  # type: ignore[union-attr]
        if mat.asset_key.path == ["raw", "load_log"]:
            loaded, rejected = (
                getattr(mat.metadata.get(k), "value", 0) for k in ("files_loaded", "files_rejected")
            )
            print(f"inbox: {loaded} file(s) loaded, {rejected} rejected")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            level = "FAILED" if evaluation.severity.value == "ERROR" else "warning"
            where = evaluation.asset_key.to_user_string()
            print(f"{level}: check {evaluation.check_name} on {where} did not pass")
    quarantine = settings.quarantine_dir
    if quarantine.exists() and any(quarantine.rglob("*.error.txt")):
        print(f"some files were rejected: see the .error.txt files in {quarantine}")
    meta = read_publish_meta(settings.serving_db)
    if not result.success:
        print("refresh FAILED; the dashboard keeps the last good version", file=sys.stderr)
        for event in result.all_events:
            if event.is_step_failure and event.step_key:
                data = event.step_failure_data
                reason = data.error.message.strip().splitlines()[0] if data and data.error else ""
                print(f"  step {event.step_key} failed: {reason}", file=sys.stderr)
        if meta:
            print(f"  serving file still at the version published {meta['published_at']}", file=sys.stderr)
        return 1
    if meta:
        print(
            f"published {settings.serving_db} (data up to {meta['data_cutoff']}, as of {meta['as_of_date']})"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    refresh = sub.add_parser("refresh", help="load configuration and inbox, build and test models, publish")
    refresh.add_argument(
        "--as-of", type=dt.date.fromisoformat, help="report date (default: AGENCY_AS_OF or today)"
    )
    refresh.add_argument("-v", "--verbose", action="store_true", help="show every pipeline log line")
    sub.add_parser("check-config", help="validate the agency configuration file and exit")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if getattr(args, "as_of", None):
        settings = Settings(**{**settings.__dict__, "as_of": args.as_of})
    if args.command == "check-config":
        return _check_config(settings)
    return _refresh(settings, verbose=args.verbose)


if __name__ == "__main__":
    sys.exit(main())
