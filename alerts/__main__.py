"""``python -m alerts check``: find problems, update incidents, tell the on-call engineer and managers.

Reads ``AGENCY_CONFIG`` (``alerts:``, ``delivery:``) and the serving file; secrets
``AGENCY_SMTP_PASSWORD`` and ``TELEGRAM_BOT_TOKEN`` from the environment. Prints each open
incident and what was announced. Exit codes: 0 no open incident, 1 open incidents, 2 a usage or
configuration error, 4 no serving file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m alerts", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="check now and announce what changed")
    parser.parse_args(argv)

    from alerts.check import incident_log_path, run_check
    from alerts.incidents import IncidentLog
    from alerts.texts import change_line
    from delivery.deliver import Channels
    from pipelines.load.config import ConfigError, load_config
    from pipelines.load.settings import Settings
    from reports.data import is_published, serving_source

    settings = Settings.from_env()
    serving = serving_source(settings)
    if not is_published(serving):
        print(f"nothing published in {serving.location}: run a refresh first", file=sys.stderr)
        return 4
    try:
        config = load_config(settings.config_path)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with Channels.from_config(config.delivery) as channels:
        result = run_check(settings, config, channels=channels)
    names = {c.id: c.name for c in config.clients}
    for change in result.announced:
        print(f"told: {change_line(change, names)}")
    for change in result.waiting:
        why = "quiet hours" if result.quiet else "nobody could be reached"
        print(f"waiting ({why}): {change_line(change, names)}")
    still_open = IncidentLog(incident_log_path(settings)).open()
    print(f"{len(still_open)} open incident(s)")
    return 1 if still_open else 0


if __name__ == "__main__":
    sys.exit(main())
