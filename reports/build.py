"""Render one client's report into bytes, or a batch of them into files with a manifest.

:func:`render_report` is what the dashboard's download buttons and a scheduled job call: one
client, one period, in memory. :func:`build_reports` renders a batch into a folder and writes a
manifest (JSON) listing every file with its sha256, the serving file's run id and data cut-off,
the period and the language, plus the clients that failed and why. A batch reads the serving
file through one read-only connection, so all its reports come from the same published run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, get_args

from dashboard.fmt import Lang
from dashboard.periods import Period
from reports.branding import Branding
from reports.configuration import AgencySetup
from reports.content import build_content, content_digest
from reports.data import ClientInfo, Serving, ServingMeta, ServingReader
from reports.errors import ReportError, UnknownClientError
from reports.figures import read_figures
from reports.pdf import render_pdf
from reports.periods import period_slug
from reports.xlsx import render_xlsx

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "BatchResult",
    "ClientFailure",
    "Format",
    "RenderedReport",
    "WrittenFile",
    "build_reports",
    "render_client",
    "render_report",
    "select_clients",
]

Format = Literal["pdf", "xlsx"]
FORMATS: Final[tuple[Format, ...]] = get_args(Format)
MEDIA_TYPES: Final[dict[Format, str]] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class WrittenFile:
    """One report file on disk, as the manifest lists it."""

    client_id: str
    client_name: str
    format: Format
    path: Path
    sha256: str
    size: int
    lang: Lang
    period: Period
    """The days asked for."""
    covered: Period
    """The days with data the report covers (the period up to the data cut-off)."""
    run_id: str | None
    data_cutoff: dt.date | None
    has_data: bool

    def manifest_entry(self, folder: Path) -> dict[str, object]:
        return {
            "client_id": self.client_id,
            "client_name": self.client_name,
            "format": self.format,
            "file": self.path.relative_to(folder).as_posix(),
            "sha256": self.sha256,
            "bytes": self.size,
            "language": self.lang,
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "covered": (
                None
                if self.covered.is_empty
                else {"start": self.covered.start.isoformat(), "end": self.covered.end.isoformat()}
            ),
            "has_data": self.has_data,
            "run_id": self.run_id,
            "data_cutoff": None if self.data_cutoff is None else self.data_cutoff.isoformat(),
        }


@dataclass(frozen=True)
class RenderedReport:
    """One client's report for one period, rendered in memory."""

    client_id: str
    client_name: str
    period: Period
    covered: Period
    lang: Lang
    run_id: str | None
    """The serving file's run id (``_publish_meta.run_id``)."""
    data_cutoff: dt.date | None
    """The serving file's data cut-off (its last day with data)."""
    has_data: bool
    """Whether the period had any row for the client (the report says so when not)."""
    files: Mapping[Format, bytes]
    digest: str = ""
    """What the report says about the period (:func:`~reports.content.content_digest`): equal for
    two renderings that tell the client the same, whatever the publication."""

    def file_name(self, kind: Format) -> str:
        """``alfa_2026-10_ru.pdf``: client, period (:func:`~reports.periods.period_slug`), language."""
        return f"{self.client_id}_{period_slug(self.period)}_{self.lang}.{kind}"

    def sha256(self, kind: Format) -> str:
        return _sha256(self.files[kind])

    def write(self, folder: Path) -> list[WrittenFile]:
        """Write every format into ``folder`` (created if needed), each file atomically."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for kind, data in self.files.items():
            path = folder / self.file_name(kind)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
            written.append(
                WrittenFile(
                    client_id=self.client_id,
                    client_name=self.client_name,
                    format=kind,
                    path=path,
                    sha256=_sha256(data),
                    size=len(data),
                    lang=self.lang,
                    period=self.period,
                    covered=self.covered,
                    run_id=self.run_id,
                    data_cutoff=self.data_cutoff,
                    has_data=self.has_data,
                )
            )
        return written


def render_client(
    reader: ServingReader,
    meta: ServingMeta,
    client: ClientInfo,
    period: Period,
    *,
    lang: Lang = "ru",
    formats: Sequence[Format] = FORMATS,
    branding: Branding | None = None,
) -> RenderedReport:
    """Render ``client``'s report through an open reader (a batch shares one)."""
    figures = read_figures(reader, meta, client, period)
    content = build_content(figures, lang)
    look = branding or Branding()
    renderers: dict[Format, Callable[[], bytes]] = {
        "pdf": lambda: render_pdf(content, look),
        "xlsx": lambda: render_xlsx(content, look),
    }
    return RenderedReport(
        client_id=client.client_id,
        client_name=client.name,
        period=period,
        covered=figures.period,
        lang=lang,
        run_id=meta.run_id,
        data_cutoff=meta.data_cutoff,
        has_data=figures.has_data,
        files={kind: renderers[kind]() for kind in dict.fromkeys(formats)},
        digest=content_digest(content),
    )


def render_report(
    serving_db: Serving,
    client_id: str,
    period: Period,
    *,
    lang: Lang = "ru",
    formats: Sequence[Format] = FORMATS,
    branding: Branding | None = None,
) -> RenderedReport:
    """One client's report for ``period`` from the serving file at ``serving_db``, in memory.

    Raises :class:`~reports.errors.ServingNotFoundError` when nothing is published and
    :class:`~reports.errors.UnknownClientError` for a client the file does not know. A period
    without data still gives a report, which says so (``has_data`` is False).
    """
    with ServingReader(serving_db) as reader:
        meta = reader.meta()
        clients = {c.client_id: c for c in reader.clients()}
        if client_id not in clients:
            raise UnknownClientError(client_id, clients)
        return render_client(
            reader, meta, clients[client_id], period, lang=lang, formats=formats, branding=branding
        )


def report_digest(serving_db: Serving, client_id: str, period: Period, *, lang: Lang = "ru") -> str:
    """What ``client_id``'s report for ``period`` in ``lang`` says (:attr:`RenderedReport.digest`),
    without drawing it: to tell whether an approval still names the figures."""
    with ServingReader(serving_db) as reader:
        meta = reader.meta()
        clients = {c.client_id: c for c in reader.clients()}
        if client_id not in clients:
            raise UnknownClientError(client_id, clients)
        return content_digest(build_content(read_figures(reader, meta, clients[client_id], period), lang))


def select_clients(
    clients: Sequence[ClientInfo], period: Period, client_ids: Sequence[str] = (), manager: str | None = None
) -> list[ClientInfo]:
    """The clients a batch covers: the ones named (in the order given), else the manager's, else
    every client served during the period (started by its last day, not ended before its first);
    ``--manager`` with ``--client`` keeps the named clients of that manager. Raises
    :class:`ReportError` for an unknown client or manager, and when no client is left."""
    by_id = {c.client_id: c for c in clients}
    unknown = [c for c in client_ids if c not in by_id]
    if unknown:
        raise UnknownClientError(unknown[0], by_id)
    if manager is not None and not any(c.manager_id == manager for c in clients):
        managers = ", ".join(sorted({c.manager_id for c in clients}))
        raise ReportError(
            f"unknown manager {manager!r}: no published client has this manager (known: {managers})"
        )
    if client_ids:
        named = [by_id[c] for c in dict.fromkeys(client_ids)]
        chosen = [c for c in named if manager is None or c.manager_id == manager]
    else:
        chosen = [
            c
            for c in clients
            if (manager is None or c.manager_id == manager)
            and (c.start_date is None or c.start_date <= period.end)
            and (c.end_date is None or c.end_date >= period.start)
        ]
    if not chosen:
        raise ReportError(
            f"no client to report for {period_slug(period)}: none of the chosen clients is served in the "
            "period" + (f" by manager {manager!r}" if manager else "")
        )
    return chosen


@dataclass(frozen=True)
class ClientFailure:
    client_id: str
    client_name: str
    error: str


@dataclass(frozen=True)
class BatchResult:
    """What a batch wrote: its files, the clients that failed, and the manifest."""

    folder: Path
    manifest_path: Path
    meta: ServingMeta
    period: Period
    files: list[WrittenFile] = field(default_factory=list)
    failures: list[ClientFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _manifest(result: BatchResult, formats: Sequence[Format], built_at: dt.datetime) -> dict[str, object]:
    meta = result.meta
    return {
        "period": {
            "name": period_slug(result.period),
            "start": result.period.start.isoformat(),
            "end": result.period.end.isoformat(),
        },
        "serving": {
            "path": str(meta.path),
            "run_id": meta.run_id,
            "data_cutoff": None if meta.data_cutoff is None else meta.data_cutoff.isoformat(),
            "published_at": None if meta.published_at is None else meta.published_at.isoformat(),
        },
        "built_at": built_at.isoformat(),
        "formats": list(formats),
        "reports": [f.manifest_entry(result.folder) for f in result.files],
        "failed": [
            {"client_id": f.client_id, "client_name": f.client_name, "error": f.error}
            for f in result.failures
        ],
    }


def build_reports(
    serving_db: Serving,
    period: Period,
    folder: Path,
    *,
    setup: AgencySetup | None = None,
    client_ids: Sequence[str] = (),
    manager: str | None = None,
    formats: Sequence[Format] = FORMATS,
    lang: Lang | None = None,
    on_start: Callable[[int], None] | None = None,
    on_client: Callable[[ClientInfo, list[WrittenFile] | ClientFailure], None] | None = None,
) -> BatchResult:
    """Render the reports of a batch (:func:`select_clients`) into ``folder`` and write its manifest,
    ``manifest_<period>_<UTC time>.json``.

    Each client's language is ``lang`` when given, else the configuration's (``setup``). A client
    whose report fails is listed in :attr:`BatchResult.failures` with the error and the others are
    still built. ``on_start`` gets the number of clients, ``on_client`` each client's outcome
    (a progress bar).
    """
    agency = setup or AgencySetup()
    folder.mkdir(parents=True, exist_ok=True)
    with ServingReader(serving_db) as reader:
        meta = reader.meta()
        chosen = select_clients(reader.clients(), period, client_ids, manager)
        if on_start is not None:
            on_start(len(chosen))
        files: list[WrittenFile] = []
        failures: list[ClientFailure] = []
        for client in chosen:
            outcome: list[WrittenFile] | ClientFailure
            try:
                rendered = render_client(
                    reader,
                    meta,
                    client,
                    period,
                    lang=lang or agency.language(client.client_id),
                    formats=formats,
                    branding=agency.branding,
                )
                outcome = rendered.write(folder)
                files += outcome
            except Exception as exc:  # one client's failure must not stop the batch
                outcome = ClientFailure(client.client_id, client.name, f"{type(exc).__name__}: {exc}")
                failures.append(outcome)
            if on_client is not None:
                on_client(client, outcome)
    built_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    manifest_path = folder / f"manifest_{period_slug(period)}_{built_at:%Y%m%dT%H%M%SZ}.json"
    result = BatchResult(folder, manifest_path, meta, period, files, failures)
    tmp = manifest_path.with_name(f".{manifest_path.name}.tmp")
    tmp.write_text(
        json.dumps(_manifest(result, formats, built_at), ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    tmp.replace(manifest_path)
    return result
