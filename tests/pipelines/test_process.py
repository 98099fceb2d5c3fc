"""``exit_process`` (decision 60): the exit code, the atexit handlers and the streams survive."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = """
import atexit, sys, threading, time
from pipelines.load.process import exit_process
atexit.register(lambda: open(sys.argv[1], "w").write("atexit ran"))
if sys.argv[2] == "thread":  # a thread still working: the normal exit waits for it
    threading.Thread(target=lambda: (time.sleep(0.5), print("thread done", flush=True))).start()
print("no newline at the end", end="")
sys.stderr.write("to stderr")
exit_process(int(sys.argv[3]))
"""


@pytest.mark.parametrize(("mode", "code"), [("plain", 0), ("plain", 3), ("thread", 1)])
def test_exit_process_keeps_code_handlers_and_output(tmp_path: Path, mode: str, code: int) -> None:
    marker = tmp_path / "marker"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), str(marker), mode, str(code)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == code
    assert done.stdout.startswith("no newline at the end")
    assert ("thread done" in done.stdout) == (mode == "thread")
    assert done.stderr == "to stderr"
    assert marker.read_text() == "atexit ran"
