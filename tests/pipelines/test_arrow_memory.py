"""Arrow's memory pool in a loading process (decision 52): jemalloc once the loading code is
imported, unless the environment chose a pool. Each case runs in a fresh interpreter (the pool is
process-wide and pyarrow reads ``ARROW_DEFAULT_MEMORY_POOL`` when it starts)."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pytest

from pipelines.load.settings import REPO_ROOT

PROBE = (
    "import pyarrow as pa; before = pa.default_memory_pool().backend_name; "
    "import pipelines.load.warehouse; "
    "table = pa.table({'x': list(range(1000))}); "  # an allocation through the new default
    "print(before, pa.default_memory_pool().backend_name, pa.total_allocated_bytes() > 0)"
)


def _pools(**env: str) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO_ROOT,
        env={**environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return out.stdout.split()


def _has_jemalloc() -> bool:
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        return False
    return True


@pytest.mark.skipif(not _has_jemalloc(), reason="this pyarrow build has no jemalloc")
def test_the_loading_code_makes_jemalloc_the_default_pool() -> None:
    before, after, allocated = _pools()
    assert before != "jemalloc"  # pyarrow's own default (mimalloc on Linux wheels)
    assert after == "jemalloc"
    assert allocated == "True"


@pytest.mark.parametrize("chosen", ["system", "mimalloc"])
def test_the_environment_s_choice_is_kept(chosen: str) -> None:
    before, after, _ = _pools(ARROW_DEFAULT_MEMORY_POOL=chosen)
    assert before == after == chosen
