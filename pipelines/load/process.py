"""How the refresh's processes end: without tearing the interpreter down (decision 60).

A refresh's process (and its dbt child) ends holding Dagster's and dbt's definitions in memory,
hundreds of thousands of objects. CPython's teardown, a last garbage collection and every
module's objects freed one by one, took ~1.9 s in the refresh and ~0.7 s in dbt after their work
was done, to free memory the OS takes back at once. :func:`exit_process` ends the process once
the work is on disk: the ``atexit`` handlers run (logging's flush and close among them), the
standard streams are flushed, then the process exits with its code.

:func:`run_dbt` is dbt's command line (``dbt.cli.main``, as the ``dbt`` script runs it) ending
that way; the refresh's dbt step (and the benchmark) run it as the ``agency-dbt`` script
(pyproject.toml), found by :func:`dbt_executable`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import NoReturn

__all__ = ["dbt_executable", "exit_process", "run_dbt"]


def exit_process(code: int) -> NoReturn:
    """End this process with ``code``, skipping the interpreter's teardown.

    Call it only when everything the process writes is written and closed. If a thread other
    than this one (and not a daemon) still runs, the normal exit, which waits for it, is used.
    """
    others = [t for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon]
    if others:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _exit_code(exc: SystemExit) -> int:
    """The code ``sys.exit(exc.code)`` would end with (a message is printed, then 1)."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def run_dbt() -> NoReturn:
    """``dbt`` with the arguments of this process; dbt's exit code, without the teardown.

    dbt closes its warehouse connections and writes its artifacts (``run_results.json``, the
    parse state) before its command returns.
    """
    from dbt.cli.main import cli

    try:
        cli()  # click's standalone mode: always ends in SystemExit
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc)
    exit_process(code)


def dbt_executable() -> str:
    """This environment's ``agency-dbt`` (:func:`run_dbt`) beside the running Python, else its
    ``dbt``, else the first ``dbt`` on PATH."""
    for name in ("agency-dbt", "dbt"):
        beside = Path(sys.executable).parent / name
        if beside.is_file():
            return str(beside)
    return "dbt"
