"""``dbt source freshness`` results, as the refresh keeps them for the summary and the alerts.

The dbt step runs ``dbt source freshness`` after the build (:mod:`pipelines.defs.dbt`): for each
raw table with a ``freshness`` config, the age of its newest ``_loaded_at`` against
``warn_after``/``error_after``. :func:`freshness_records` turns dbt's ``sources.json`` into one
record per table (a table that was never loaded is ``empty``, not an error: a source no client
uses; coverage per account is the alerts' ``account_stale``), :func:`write_freshness` keeps them in
``<data>/logs/source_freshness.json``, which the command line's summary and the alert check
(``source_stale``) read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "STALE",
    "freshness_file",
    "freshness_records",
    "read_freshness",
    "summary_line",
    "write_freshness",
]

STALE = frozenset({"warn", "error"})
"""The statuses that make a ``source_stale`` problem (``runtime error`` is the dbt step's log)."""


def freshness_file(data_dir: Path) -> Path:
    return data_dir / "logs" / "source_freshness.json"


def freshness_records(sources_json: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One record per source table: ``source``, ``status`` (pass, warn, error, runtime error,
    empty), ``max_loaded_at``, ``age_hours``, ``warn_after``/``error_after`` as dbt states them."""
    records = []
    for result in sources_json.get("results", []):
        max_loaded_at = result.get("max_loaded_at")
        status = str(result.get("status"))
        empty = max_loaded_at is None or str(max_loaded_at).startswith("0001-")
        criteria = result.get("criteria") or {}
        age = result.get("max_loaded_at_time_ago_in_s")
        records.append(
            {
                "source": str(result.get("unique_id", "")).rsplit(".", 1)[-1],
                "status": "empty" if empty else status,
                "max_loaded_at": None if empty else max_loaded_at,
                "age_hours": None if empty or age is None else round(float(age) / 3600, 1),
                "warn_after": _period(criteria.get("warn_after")),
                "error_after": _period(criteria.get("error_after")),
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
