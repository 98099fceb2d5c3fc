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

``python -m reports send [--date YYYY-MM-DD] [--period P] [--client ID ...] [--dry-run] [--lang ru|en]``
sends the reports due on ``--date`` (default today) that are settled and not sent yet
(:func:`reports.dispatch.send_due_reports`), one line per report: sent, held (and why, in
``--lang``), awaiting review, already sent, failed. Recipients, the mail server and the schedule
are the configuration's; ``AGENCY_SMTP_PASSWORD`` and ``TELEGRAM_BOT_TOKEN`` come from the
environment; the send log is ``<AGENCY_DATA_DIR>/delivery/send_log.sqlite3``.

``python -m reports send --period 2026-10 --client ID --resend "расходы VK Ads за 12–14 октября"``
re-sends a report already sent, after a correction: the reason goes into the message ("Мы
исправили отчёт: ..."), and only recipients whose copy says something else get the new revision
(a report whose figures did not change is not sent again).

Exit codes (``build``):

- 0: every report was built;
- 2: usage or configuration error (a wrong option, period, client or manager, a wrong YAML);
- 3: some clients failed (each is printed with its error), the others were built;
- 4: there is no serving file yet (nothing has been published).

Exit codes (``send``): 0 nothing failed (a held report is not a failure); 2 usage or configuration
error; 3 a send (or a report's rendering) failed; 4 no serving file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from dashboard.fmt import Lang
from dashboard.i18n import LANGS
from reports.build import FORMATS, ClientFailure, Format, WrittenFile, build_reports
from reports.configuration import read_agency
from reports.data import ClientInfo, Serving, is_published, serving_source
from reports.errors import PeriodError, ReportError, ServingNotFoundError
from reports.periods import parse_period, period_slug

if TYPE_CHECKING:  # delivery (and the configuration it reads) only for ``send``
    from reports.dispatch import Dispatch

__all__ = ["EXIT_FAILED_CLIENTS", "EXIT_NO_SERVING", "EXIT_OK", "EXIT_SEND_FAILED", "EXIT_USAGE", "main"]

EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
EXIT_FAILED_CLIENTS: Final = 3
EXIT_NO_SERVING: Final = 4
EXIT_SEND_FAILED: Final = 3


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
    send = commands.add_parser(
        "send",
        help="send the reports that are due",
        description="Send the reports due on a day that are settled and not sent yet (the send log).",
        epilog="Exit codes: 0 nothing failed (held is not a failure); 2 usage or configuration error; "
        "3 a send failed; 4 no serving file.",
    )
    send.add_argument("--date", type=_day, help="the day to send on (default today): what is due then")
    send.add_argument(
        "--period", help="exactly this period (2026-10, 2026-W44, 2026-10-01:2026-10-31), not the due ones"
    )
    send.add_argument(
        "--client", dest="clients", nargs="+", action="extend", default=[], metavar="ID", help="client id(s)"
    )
    send.add_argument("--dry-run", action="store_true", help="say what would be sent; send nothing")
    send.add_argument("--lang", choices=LANGS, default="ru", help="the language of the hold reasons (ru)")
    send.add_argument(
        "--resend",
        metavar="REASON",
        help="re-send the --period's report as a correction to those who had another version; the "
        "reason is written to the client (in the client's language)",
    )
    return parser


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day: write it as YYYY-MM-DD") from None


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


def _where(serving: Serving) -> Path | str:
    """What :class:`ServingNotFoundError` names: the serving file, or the PostgreSQL database."""
    return serving if isinstance(serving, Path) else getattr(serving, "path", None) or serving.location


def _build(args: argparse.Namespace, out: Console, err: Console) -> int:
    from pipelines.load.settings import Settings

    try:
        period = parse_period(args.period)
    except PeriodError as exc:
        err.print(f"error: --period {exc}", markup=False, highlight=False)
        return EXIT_USAGE
    settings = Settings.from_env()
    serving = serving_source(settings)
    if not is_published(serving):
        err.print(str(ServingNotFoundError(_where(serving))), markup=False, highlight=False)
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
                serving,
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


_MARKS: Final[dict[str, str]] = {
    "sent": "✓",
    "would_send": "→",
    "already_sent": "=",
    "held": "⏸",
    "awaiting_review": "…",
    "partly_sent": "✗",
    "failed": "✗",
}


def _dispatch_line(dispatch: Dispatch, lang: Lang) -> str:
    from reports.dispatch import hold_reason

    head = f"{_MARKS[dispatch.status]} {dispatch.client_id} ({dispatch.client_name}) {dispatch.period_name}: "
    files = ", ".join(name for name, _ in dispatch.files)
    if dispatch.status == "held":
        return head + "held: " + "; ".join(hold_reason(h, lang) for h in dispatch.holds)
    if dispatch.status == "awaiting_review":
        changed = " (the figures changed since the last approval)" if dispatch.approval is not None else ""
        return head + f"awaiting the manager's approval on the dashboard's portfolio page{changed}; not sent"
    if dispatch.status == "already_sent":
        if dispatch.correction is not None and dispatch.outcomes:
            return head + "nothing to correct: " + "; ".join(str(o) for o in dispatch.outcomes)
        return head + "already sent to every recipient"
    if dispatch.status == "would_send":
        return head + f"would send {files} (dry run)"
    if dispatch.error is not None:
        return head + f"failed: {dispatch.error}"
    outcomes = "; ".join(str(o) for o in dispatch.outcomes)
    return head + f"{dispatch.status.replace('_', ' ')} {files}: {outcomes}"


def _send(args: argparse.Namespace, out: Console, err: Console) -> int:
    from delivery.deliver import Channels
    from delivery.send_log import SendLog
    from pipelines.load.config import ConfigError, load_config
    from pipelines.load.settings import Settings
    from reports.dispatch import send_due_reports

    period = None
    if args.resend is not None and (args.period is None or not args.resend.strip()):
        err.print("error: --resend needs --period and a reason", markup=False, highlight=False)
        return EXIT_USAGE
    if args.period is not None:
        try:
            period = parse_period(args.period)
        except PeriodError as exc:
            err.print(f"error: --period {exc}", markup=False, highlight=False)
            return EXIT_USAGE
    today: dt.date = args.date or dt.date.today()
    settings = Settings.from_env()
    serving = serving_source(settings)
    if not is_published(serving):
        err.print(str(ServingNotFoundError(_where(serving))), markup=False, highlight=False)
        return EXIT_NO_SERVING
    try:
        config = load_config(settings.config_path)
    except ConfigError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return EXIT_USAGE
    try:
        with Channels.from_config(config.delivery) as channels:
            dispatches = send_due_reports(
                settings,
                config,
                today,
                channels=channels,
                send_log=SendLog(settings.send_log),
                clients=args.clients,
                period=period,
                dry_run=args.dry_run,
                correction=args.resend,
            )
    except ServingNotFoundError as exc:
        err.print(str(exc), markup=False, highlight=False)
        return EXIT_NO_SERVING
    except ReportError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return EXIT_USAGE
    lang: Lang = args.lang
    for dispatch in dispatches:
        (err if dispatch.failed else out).print(_dispatch_line(dispatch, lang), markup=False, highlight=False)
    counts = Counter(d.status for d in dispatches)
    summary = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in counts.items()) or "nothing due"
    note = " (dry run: nothing sent)" if args.dry_run else ""
    out.print(f"{today.isoformat()}: {summary}{note}", markup=False, highlight=False)
    return EXIT_SEND_FAILED if any(d.failed for d in dispatches) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    if args.command == "build":
        return _build(args, out, err)
    if args.command == "send":
        return _send(args, out, err)
    return EXIT_USAGE  # argparse requires a command


if __name__ == "__main__":
    sys.exit(main())
