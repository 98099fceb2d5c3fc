"""Fault injection for the fault suite (``tests/faults``): a named point in the refresh where a
test makes the process die or the disk fill up, deterministically, without sleeps.

``AGENCY_FAULT=<action>:<stage>`` turns one point on: ``kill:load`` (SIGKILL this process, and
its process group when it leads one, after the first client account's rows are committed),
``kill:dbt`` (after dbt's first result), ``kill:publish`` (the new serving copy written, before
the swap), ``enospc:publish-write`` (writing the serving copy fails with "No space left on
device"). Unset in production: a point is then one dictionary lookup.
"""

from __future__ import annotations

import errno
import os
import signal

__all__ = ["FAULT_ENV", "fault_point"]

FAULT_ENV = "AGENCY_FAULT"


def fault_point(stage: str, *, path: str | None = None) -> None:
    """Die (``kill``) or fail as a full disk (``enospc``) here when ``AGENCY_FAULT`` names ``stage``."""
    wanted = os.environ.get(FAULT_ENV)
    if not wanted:
        return
    action, _, where = wanted.partition(":")
    if where != stage:
        return
    if action == "kill":
        if os.getpgid(0) == os.getpid():  # a process group of its own: it and its dbt child, as a
            os.killpg(0, signal.SIGKILL)  # service manager or the OOM killer of a container does
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
