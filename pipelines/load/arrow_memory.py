"""Arrow's memory pool for the processes that load data (decision 52).

pyarrow's Linux wheels allocate through mimalloc by default and also carry jemalloc. On this
project's heaviest parse, a 1 M-row Yandex Direct TSV read into Arrow by a fresh process
(``scripts/benchmark.py --tsv-only``), jemalloc took about half of mimalloc's time (0.34-0.57 s
against 0.65-0.95 s, interleaved runs), and the whole inbox load of the file about a quarter
less. Importing :mod:`pipelines.load.warehouse`, which every load goes through, makes jemalloc
the process's default pool; an operator's ``ARROW_DEFAULT_MEMORY_POOL`` (``mimalloc``,
``jemalloc``, ``system``) is left as it is, and where pyarrow has no jemalloc the default stays.
"""

from __future__ import annotations

import os

import pyarrow as pa

__all__ = ["use_loading_pool"]


def use_loading_pool() -> str:
    """Make jemalloc Arrow's default pool unless the environment chose one; the pool's name."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL", "").strip():
        return str(pa.default_memory_pool().backend_name)
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow built without jemalloc (some platforms' wheels)
        return str(pa.default_memory_pool().backend_name)
    pa.set_memory_pool(pool)
    return str(pool.backend_name)
