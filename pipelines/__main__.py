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


def _refresh(settings: Settings) -> int:
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
    )
    failed_checks = [
        e for e in result.get_asset_check_evaluations() if not e.passed and e.severity.value == "ERROR"
    ]
    warned_checks = [
        e for e in result.get_asset_check_evaluations() if not e.passed and e not in failed_checks
    ]
    for evaluation in warned_checks:
        print(
            f"warning: check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} did not pass"
        )
    for evaluation in failed_checks:
        print(f"FAILED: check {evaluation.check_name} on {evaluation.asset_key.to_user_string()}")
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
    sub.add_parser("check-config", help="validate the agency configuration file and exit")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if getattr(args, "as_of", None):
        settings = Settings(**{**settings.__dict__, "as_of": args.as_of})
    if args.command == "check-config":
        return _check_config(settings)
    return _refresh(settings)


if __name__ == "__main__":
    sys.exit(main())
