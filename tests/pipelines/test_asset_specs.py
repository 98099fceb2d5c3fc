"""A snapshot of every asset spec (key, group, upstream keys, checks, partitions, kinds), so a
change of lineage never slips in unseen: when you change the graph on purpose, rewrite the
snapshot with ``UPDATE_SNAPSHOTS=1 uv run pytest tests/pipelines/test_asset_specs.py`` and review
the diff like code."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pipelines.defs.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_specs.json"


def asset_specs() -> dict[str, Any]:
    graph = defs.resolve_asset_graph()
    checks: dict[str, list[str]] = {}
    for check in graph.asset_check_keys:
        checks.setdefault(check.asset_key.to_user_string(), []).append(check.name)
    specs: dict[str, Any] = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        partitions = node.partitions_def
        specs[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "checks": sorted(checks.get(key.to_user_string(), [])),
            "partitions": None if partitions is None else f"{type(partitions).__name__}",
            "partitions_start": None if partitions is None else partitions.get_first_partition_key(),
            "kinds": sorted(node.kinds),
            "executable": node.is_executable,
        }
    return specs


def test_asset_specs_match_the_snapshot() -> None:
    current = json.dumps(asset_specs(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_SNAPSHOTS=1"
    expected = SNAPSHOT.read_text(encoding="utf-8")
    assert current == expected, (
        "the asset graph changed; if on purpose, run UPDATE_SNAPSHOTS=1 uv run pytest "
        "tests/pipelines/test_asset_specs.py and review the snapshot's diff"
    )
