"""The inbox of dropped export files: detect, parse, load, then archive or quarantine.

Layout: files for one client go in ``<inbox>/<client_id>/`` (any depth below it); invoice
registers and 1C bank statements may go anywhere in the inbox and are matched to clients by
ИНН. The kind of a file is detected from its content. Each file is loaded in its own
transaction, so a bad file never stops the others and never leaves half its rows behind:

- loaded files move to ``<data>/archive/<YYYY-MM-DD>/<same relative path>``;
- rejected files move to ``<data>/quarantine/<same relative path>`` with a sidecar
  ``<name>.error.txt`` saying file, line, field and reason, and a ``rejected`` row in
  ``raw.load_log``.

Loading is idempotent: ad stats replace the file's period for that client account
(``replace_partition``), calls and invoices are upserted by their natural key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from connectors._result import ParseResult, TableResult
from connectors.errors import ConnectorError
from connectors.files import detect_file
from pipelines.load.config import AgencyConfig, Client
from pipelines.load.raw_schema import RawTable
from pipelines.load.sources import Source, by_file_kind
from pipelines.load.warehouse import RawStore, log_load, to_arrow, with_constants

__all__ = [
    "FileOutcome",
    "InboxReport",
    "RejectedFile",
    "iter_inbox_files",
    "process_inbox",
    "replay_archive",
]

_IGNORED_SUFFIXES = (".error.txt", ".tmp", ".part", ".crdownload")


class RejectedFile(Exception):
    """A file that cannot be loaded; the message is what the person who dropped it reads."""


@dataclass(frozen=True)
class FileOutcome:
    origin: str  # path relative to the inbox
    status: str  # loaded | rejected
    kind: str | None = None
    target_table: str | None = None
    client_id: str | None = None
    account_id: str | None = None
    rows: int = 0
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    error: str | None = None
    moved_to: str | None = None


@dataclass
class InboxReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    @property
    def loaded(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "loaded"]

    @property
    def rejected(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "rejected"]

    def rows_by_table(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.loaded:
            if o.target_table:
                out[o.target_table] = out.get(o.target_table, 0) + o.rows
        return out

    def clients_touched(self) -> list[str]:
        return sorted({o.client_id for o in self.loaded if o.client_id})


def iter_inbox_files(inbox: Path) -> Iterator[Path]:
    """Files waiting in the inbox, in a stable order (hidden and partial files skipped)."""
    if not inbox.exists():
        return
    for path in sorted(inbox.rglob("*")):
        rel = path.relative_to(inbox)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if path.name.endswith(_IGNORED_SUFFIXES):
            continue
        yield path


def _resolve_account(client: Client, source: Source, filename: str, kind: str) -> str:
    if source.account_from_filename is not None:
        platform = source.account_from_filename(filename)
        if platform is None:
            raise RejectedFile(
                f"a {source.title} does not say which ad platform it came from: put the platform in the "
                "file name, e.g. google_ads_2026-10.csv"
            )
        configured = [a.id for a in client.accounts if a.source == source.name]
        if platform not in configured:
            raise RejectedFile(
                f"client {client.id!r} has no {source.name} account for {platform!r} in the configuration; "
                f"add `- {{source: {source.name}, id: {platform}}}` under its accounts"
            )
        return platform
    accounts = [a.id for a in client.accounts if a.source == source.name]
    if not accounts:
        raise RejectedFile(
            f"this is a {kind} file but client {client.id!r} has no {source.name} account "
            "in the configuration"
        )
    if len(accounts) == 1:
        return accounts[0]
    named = [a for a in accounts if a in filename]
    if len(named) != 1:
        raise RejectedFile(
            f"client {client.id!r} has several {source.name} accounts ({', '.join(accounts)}): "
            "put the account id in the file name"
        )
    return named[0]


def _unique_destination(path: Path) -> Path:
    if not path.exists():
        return path
    stamp = dt.datetime.now(dt.UTC).strftime("%H%M%S%f")
    return path.with_name(f"{path.stem}.{stamp}{path.suffix}")


def _move(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest = _unique_destination(dest)
    shutil.move(str(src), str(dest))
    return dest


def process_inbox(
    *,
    inbox: Path,
    archive: Path,
    quarantine: Path,
    config: AgencyConfig,
    store: RawStore,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None),
    log: Callable[[str], None] = lambda message: None,
) -> InboxReport:
    """Load every file waiting in ``inbox``; never raises for a bad file."""
    report = InboxReport()
    client_ids = {c.id for c in config.clients}
    for path in iter_inbox_files(inbox):
        origin = path.relative_to(inbox).as_posix()
        outcome = _process_one(path, origin, config, client_ids, store, now())
        if outcome.status == "loaded":
            day = now().date().isoformat()
            moved = _move(path, archive / day / origin)
            log(f"loaded {origin}: {outcome.rows} rows into raw.{outcome.target_table}")
        else:
            moved = _move(path, quarantine / origin)
            sidecar = moved.with_name(moved.name + ".error.txt")
            sidecar.write_text(
                f"{outcome.error}\n\nfile: {origin}\nkind: {outcome.kind or 'unknown'}\n"
                f"rejected at: {now():%Y-%m-%d %H:%M:%S} UTC\n"
                "Fix the file and drop it into the inbox again; nothing from it was loaded.\n",
                encoding="utf-8",
            )
            log(f"rejected {origin}: {outcome.error}")
        report.outcomes.append(_with_move(outcome, moved))
    return report


def replay_archive(
    *,
    archive: Path,
    config: AgencyConfig,
    store: RawStore,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None),
    log: Callable[[str], None] = lambda message: None,
) -> InboxReport:
    """Load every archived file again, day folder by day folder in the order they first loaded,
    leaving them where they are: the rebuild of a lost build database (``python -m pipelines
    rebuild``). Loading is idempotent, so the result is what the nights before had loaded."""
    report = InboxReport()
    client_ids = {c.id for c in config.clients}
    days = sorted(p for p in archive.iterdir() if p.is_dir()) if archive.is_dir() else []
    for day in days:
        for path in iter_inbox_files(day):
            origin = path.relative_to(day).as_posix()
            outcome = _process_one(path, origin, config, client_ids, store, now())
            if outcome.status == "loaded":
                log(f"reloaded {day.name}/{origin}: {outcome.rows} rows into raw.{outcome.target_table}")
            else:
                log(f"could not reload {day.name}/{origin}: {outcome.error}")
            report.outcomes.append(_with_move(outcome, path))
    return report


def _with_move(outcome: FileOutcome, moved: Path) -> FileOutcome:
    return FileOutcome(**{**outcome.__dict__, "moved_to": str(moved)})


def _process_one(
    path: Path,
    origin: str,
    config: AgencyConfig,
    client_ids: set[str],
    store: RawStore,
    loaded_at: dt.datetime,
) -> FileOutcome:
    load_id = uuid.uuid4().hex
    content = path.read_bytes()
    sha = hashlib.sha256(content).hexdigest()
    kind: str | None = None
    target: str | None = None
    client_id: str | None = None
    account_id: str | None = None
    try:
        if not content or content.isspace():
            raise RejectedFile("the file is empty")
        detected = detect_file(content, path.name)
        kind = detected.kind
        source = by_file_kind(kind)
        # Invoices and statements are matched to clients row by row (dicts); the other kinds may
        # come as a fast reader's Arrow table.
        result = detected.parse() if source.inn_of is not None else detected.parse_table()
        table = source.raw_table
        target = table.name
        lineage: dict[str, Any] = {"_origin": origin, "_load_id": load_id, "_loaded_at": loaded_at}
        if source.inn_of is not None:  # invoice registers, bank statements: matched row by row, by ИНН
            assert isinstance(result, ParseResult)
            rows = []
            for row in result.rows:
                inn = source.inn_of(row)
                match = config.client_by_inn(inn) if inn else None
                rows.append({**row, **lineage, "client_id": match.id if match else None})
            data = to_arrow(table, rows)
        else:
            first = origin.split("/", 1)[0]
            if "/" not in origin or first not in client_ids:
                known = ", ".join(sorted(client_ids)) or "none configured"
                where = (
                    "lies at the top of the inbox" if "/" not in origin else f"is in {first}/, not a client"
                )
                raise RejectedFile(
                    f"this {kind} file {where}: put a client's files in inbox/<client_id>/ "
                    f"(known clients: {known})"
                )
            client = config.client(first)
            client_id = client.id
            account_id = _resolve_account(client, source, path.name, kind)
            extra = {"client_id": client_id, "account_id": account_id}
            if source.account_from_filename is not None:
                extra["platform"] = account_id  # the cabinet's platform is its account
            data = _arrow(table, result, {**lineage, **extra})
        with store.transaction():
            if table.date_column and client_id and account_id:
                partition = {"client_id": client_id, "account_id": account_id}
                n = store.replace_partition(
                    table, data, partition=partition, date_from=result.date_from, date_to=result.date_to
                )
            else:
                n = store.upsert(table, data)
            outcome = FileOutcome(
                origin, "loaded", kind, target, client_id, account_id, n, result.date_from, result.date_to
            )
            _log_load(store, load_id, sha, outcome)
        return outcome
    except (RejectedFile, ConnectorError) as exc:
        error = f"{origin}: {exc}"
    except (ValueError, TypeError, OverflowError) as exc:  # a value the raw schema cannot hold
        error = f"{origin}: {exc}"
    outcome = FileOutcome(origin, "rejected", kind, target, client_id, account_id, error=error)
    _log_load(store, load_id, sha, outcome)
    return outcome


def _arrow(table: RawTable, result: ParseResult | TableResult, constants: dict[str, Any]) -> pa.Table:
    """The parsed rows with the same ``constants`` on each, in the raw table's schema."""
    if isinstance(result, TableResult):  # a fast reader's columns: no dict per row
        return with_constants(table, result.table, constants)
    return to_arrow(table, [{**row, **constants} for row in result.rows])


def _log_load(store: RawStore, load_id: str, sha: str, outcome: FileOutcome) -> None:
    log_load(
        store,
        load_id=load_id,
        origin=outcome.origin,
        kind=outcome.kind,
        target_table=outcome.target_table,
        client_id=outcome.client_id,
        account_id=outcome.account_id,
        status=outcome.status,
        row_count=outcome.rows,
        date_from=outcome.date_from,
        date_to=outcome.date_to,
        error=outcome.error,
        sha256=sha,
    )
