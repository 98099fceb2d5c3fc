"""The raw tables' freshness, as the refresh keeps it for the summary and the alerts.

The dbt step checks it after the build (:mod:`pipelines.defs.dbt`): for each raw table whose dbt
source has a ``freshness`` config, the age of its newest ``loaded_at_field`` (``_loaded_at``)
against ``warn_after``/``error_after``, the rules of ``dbt source freshness``.
:func:`check_freshness` reads the thresholds from dbt's manifest and the newest loads with one
query on the build database (decision 58: a second dbt process cost a small agency's refresh
~4 s), one record per table (a table that was never loaded is ``empty``, not an error: a source
no client uses; coverage per account is the alerts' ``account_stale``). :func:`write_freshness`
keeps them in ``<data>/logs/source_freshness.json``, which the command line's summary and the
alert check (``source_stale``) read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "STALE",
    "check_freshness",
    "freshness_file",
    "read_freshness",
    "summary_line",
    "write_freshness",
]

STALE = frozenset({"warn", "error"})
"""The statuses that make a ``source_stale`` problem (``runtime error`` is the dbt step's log)."""


def freshness_file(data_dir: Path) -> Path:
    return data_dir / "logs" / "source_freshness.json"


class FreshnessStore(Protocol):
    """What the check needs of a warehouse's store (``SqlRawStore``, ``SparkRawStore``)."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def has_table(self, qualified: str) -> bool: ...


_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def _seconds(value: Mapping[str, Any] | None) -> float | None:
    if not value or value.get("count") is None:
        return None
    return float(value["count"]) * _SECONDS[str(value.get("period"))]


def check_freshness(
    store: FreshnessStore, manifest: Mapping[str, Any], now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """``dbt source freshness`` without a dbt process: every source of the ``manifest`` with a
    ``loaded_at_field`` and a ``warn_after`` or ``error_after``, its newest load read from the
    build database in one query, and the status dbt gives it (``error`` past ``error_after``, else
    ``warn`` past ``warn_after``, else ``pass``; ``empty`` when never loaded, ``runtime error``
    when its table is missing). ``now`` is UTC (default: the clock); loads are UTC timestamps."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    checked = []
    for source in manifest.get("sources", {}).values():
        freshness = source.get("freshness") or {}
        field = source.get("loaded_at_field")
        if not field or not (_seconds(freshness.get("warn_after")) or _seconds(freshness.get("error_after"))):
            continue
        checked.append((source["name"], f"{source['schema']}.{source['identifier']}", field, freshness))
    present = [c for c in checked if store.has_table(c[1])]
    present_names = {c[0] for c in present}
    newest: dict[str, Any] = {}
    if present:
        sql = " union all ".join(
            f"select '{name}' as source, max({field}) as loaded from {table}"  # noqa: S608 - manifest names
            + (f" where {freshness['filter']}" if freshness.get("filter") else "")
            for name, table, field, freshness in present
        )
        newest = dict(store.query(sql))
    records = []
    for name, _, _, freshness in checked:
        warn, error = _seconds(freshness.get("warn_after")), _seconds(freshness.get("error_after"))
        loaded = newest.get(name)
        if isinstance(loaded, dt.datetime) and loaded.tzinfo is not None:
            loaded = loaded.astimezone(dt.UTC).replace(tzinfo=None)
        age = (now - loaded).total_seconds() if isinstance(loaded, dt.datetime) else None
        shown = f"{loaded.isoformat()}+00:00" if isinstance(loaded, dt.datetime) else None
        if name not in present_names:
            status = "runtime error"
        elif age is None:
            status = "empty"
        elif error is not None and age > error:
            status = "error"
        elif warn is not None and age > warn:
            status = "warn"
        else:
            status = "pass"
        records.append(
            {
                "source": name,
                "status": status,
                "max_loaded_at": shown,
                "age_hours": None if age is None else round(age / 3600, 1),
                "warn_after": _period(freshness.get("warn_after")),
                "error_after": _period(freshness.get("error_after")),
            }
        )
    return sorted(records, key=lambda r: r["source"])


def _period(value: Mapping[str, Any] | None) -> str | None:
    if not value or value.get("count") is None:
        return None
    return f"{value['count']} {value.get('period')}"


def write_freshness(data_dir: Path, records: list[dict[str, Any]]) -> Path:
    path = freshness_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(records, indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path


def read_freshness(data_dir: Path) -> list[dict[str, Any]] | None:
    """The records of the last check, or None when no refresh has checked yet."""
    path = freshness_file(data_dir)
    if not path.is_file():
        return None
    try:
        return list(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def summary_line(records: list[dict[str, Any]]) -> str:
    """``9 fresh, 1 warn (vk_ads_campaign_stats), 2 never loaded``."""
    counts = Counter(r["status"] for r in records)
    parts = [f"{counts.get('pass', 0)} fresh"]
    for status in ("warn", "error", "runtime error"):
        names = [r["source"] for r in records if r["status"] == status]
        if names:
            parts.append(f"{len(names)} {status} ({', '.join(names)})")
    if counts.get("empty"):
        parts.append(f"{counts['empty']} never loaded")
    return ", ".join(parts)
