"""Which runs rebuild every dbt model: the run tag the dbt step reads."""

from __future__ import annotations

import dataclasses
import datetime as dt

from pipelines.defs.partitions import REBUILD_MODELS_TAG, run_tags
from pipelines.load.windows import PullRange, nightly_range


def test_only_a_full_refresh_or_an_asked_rebuild_tags_the_run() -> None:
    nightly = nightly_range(None, dt.date(2026, 11, 23))
    assert REBUILD_MODELS_TAG not in run_tags(nightly)
    backfill = PullRange(dt.date(2026, 8, 1), dt.date(2026, 10, 31), clients=("acme",))
    assert REBUILD_MODELS_TAG not in run_tags(backfill)
    full = PullRange(dt.date(2026, 1, 1), dt.date(2026, 11, 22), full_history=True)
    assert run_tags(full)[REBUILD_MODELS_TAG] == "true"
    asked = dataclasses.replace(nightly, rebuild_models=True)
    assert run_tags(asked)[REBUILD_MODELS_TAG] == "true"
