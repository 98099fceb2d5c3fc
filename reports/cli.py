"""``python -m reports build``: render client reports for a period into a folder, with a manifest.

::

    python -m reports build --period 2026-10 [--client ID ...] [--manager ID]
                            [--format pdf,xlsx] [--lang ru|en] [--out DIR]

``--period`` takes a month (``2026-10``), an ISO week (``2026-W44``) or days
(``2026-10-01:2026-10-31``). The serving file is ``AGENCY_SERVING_DB`` and the configuration
(branding, each client's language) ``AGENCY_CONFIG`` (:meth:`Settings.from_env`). Without
``--client`` or ``--manager`` every client served during the period gets a report. The files go to
``--out`` (default ``<AGENCY_DATA_DIR>/reports/<period>/``) with a manifest
``manifest_<period>_<time>.json``.

Exit codes:

- 0: every report was built;
- 2: usage or configuration error (a wrong option, period, client or manager, a wrong YAML);
- 3: some clients failed (each is printed with its error), the others were built;
- 4: there is no serving file yet (nothing has been published).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from dashboard.fmt import Lang
from dashboard.i18n import LANGS
from reports.build import FORMATS, ClientFailure, Format, WrittenFile, build_reports
from reports.configuration import read_agency
from reports.data import ClientInfo
from reports.errors import PeriodError, ReportError, ServingNotFoundError
from reports.periods import parse_period, period_slug

__all__ = ["EXIT_FAILED_CLIENTS", "EXIT_NO_SERVING", "EXIT_OK", "EXIT_USAGE", "main"]

EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
EXIT_FAILED_CLIENTS: Final = 3
EXIT_NO_SERVING: Final = 4


def _formats(text: str) -> tuple[Format, ...]:
    chosen = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"{text!r}: formats are {', '.join(FORMATS)} (comma-separated)")
    return tuple(part for part in FORMATS if part in chosen)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reports", description="Client reports (PDF, Excel) from the published serving file."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build",
        help="render the reports of a period",
        description="Render client reports for a period into a folder, with a manifest (JSON).",
        epilog="Exit codes: 0 all built; 2 usage or configuration error; 3 some clients failed, "
        "the others were built; 4 no serving file.",
    )
    build.add_argument(
        "--period",
        required=True,
        help="a month (2026-10), an ISO week (2026-W44) or days (2026-10-01:2026-10-31)",
    )
    build.add_argument(
        "--client", dest="clients", nargs="+", action="extend", default=[], metavar="ID", help="client id(s)"
    )
    build.add_argument("--manager", metavar="ID", help="every client of this manager")
    build.add_argument(
        "--format", dest="formats", type=_formats, default=FORMATS, help="pdf,xlsx (default both)"
    )
    build.add_argument(
        "--lang", choices=LANGS, help="the reports' language (default: each client's, else ru)"
    )
    build.add_argument("--out", type=Path, help="the folder (default <AGENCY_DATA_DIR>/reports/<period>)")
    return parser


class _Progress:
    """A progress bar over the batch's clients on stderr (nothing when it is not a terminal), and
    one line per client on stdout."""

    def __init__(self, out: Console, err: Console) -> None:
        self.out = out
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        self.task: TaskID | None = None

    def start(self, total: int) -> None:
        self.task = self.bar.add_task("reports", total=total)

    def client(self, client: ClientInfo, outcome: list[WrittenFile] | ClientFailure) -> None:
        if isinstance(outcome, ClientFailure):
            self.bar.console.print(
                f"[red]✗[/red] {client.client_id} ({client.name}): {outcome.error}", markup=True
            )
        else:
            names = ", ".join(f.path.name for f in outcome)
            note = "" if all(f.has_data for f in outcome) else " (no data in the period)"
            self.out.print(
                f"✓ {client.client_id} ({client.name}): {names}{note}", markup=False, highlight=False
            )
        if self.task is not None:
            self.bar.update(self.task, advance=1, description=client.client_id)


def _build(args: argparse.Namespace, out: Console, err: Console) -> int:
    from pipelines.load.settings import Settings

    try:
        period = parse_period(args.period)
    except PeriodError as exc:
        err.print(f"error: --period {exc}", markup=False, highlight=False)
        return EXIT_USAGE
    settings = Settings.from_env()
    if not settings.serving_db.is_file():
        err.print(str(ServingNotFoundError(settings.serving_db)), markup=False, highlight=False)
        return EXIT_NO_SERVING
    try:
        setup = read_agency(settings.config_path)
    except ReportError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return EXIT_USAGE
    folder: Path = args.out or settings.data_dir / "reports" / period_slug(period)
    lang: Lang | None = args.lang
    progress = _Progress(out, err)
    try:
        with progress.bar:
            result = build_reports(
                settings.serving_db,
                period,
                folder,
                setup=setup,
                client_ids=args.clients,
                manager=args.manager,
                formats=args.formats,
                lang=lang,
                on_start=progress.start,
                on_client=progress.client,
            )
    except ServingNotFoundError as exc:
        err.print(str(exc), markup=False, highlight=False)
        return EXIT_NO_SERVING
    except ReportError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return EXIT_USAGE
    built = len({f.client_id for f in result.files})
    summary = (
        f"{period_slug(period)}: {len(result.files)} file(s) for {built} of {built + len(result.failures)} "
        f"client(s) in {result.folder}; run {result.meta.run_id}, data through {result.meta.data_cutoff}"
    )
    out.print(summary, markup=False, highlight=False)
    out.print(f"manifest: {result.manifest_path}", markup=False, highlight=False)
    if result.failures:
        failed = ", ".join(f.client_id for f in result.failures)
        err.print(f"failed: {failed}", markup=False, highlight=False)
        return EXIT_FAILED_CLIENTS
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    if args.command == "build":
        return _build(args, out, err)
    return EXIT_USAGE  # argparse requires a command


if __name__ == "__main__":
    sys.exit(main())
