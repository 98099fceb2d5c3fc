"""A throwaway Redis server for the tests: Debian's ``redis-server`` on 127.0.0.1 at a free port,
nothing saved to disk, stopped at the end (the broker and result backend of the Celery test).

``make test`` installs the program (``scripts/ensure_redis.sh``). When it is missing the tests
that need a server fail with a message saying so: they never skip.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.postgres import _free_port

__all__ = ["RedisServer", "running_redis"]


@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int

    def url(self, db: int = 0) -> str:
        return f"redis://{self.host}:{self.port}/{db}"


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    """Start a fresh ``redis-server``; yield how to reach it; stop it and remove its folder."""
    program = shutil.which("redis-server")
    if program is None:
        raise RuntimeError(
            "redis-server is not installed; run `bash scripts/ensure_redis.sh` (make test does) "
            "or `apt-get install redis-server`"
        )
    root = Path(tempfile.mkdtemp(prefix="agency-redis-"))
    last_error = ""
    try:
        for _attempt in range(3):  # a free port can be taken between the look and the start
            port = _free_port()
            log = root / f"redis-{port}.log"
            process = subprocess.Popen(
                [
                    *(program, "--bind", "127.0.0.1", "--port", str(port), "--save", ""),
                    *("--appendonly", "no", "--dir", str(root), "--logfile", str(log)),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            client = redis.Redis(host="127.0.0.1", port=port)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if client.ping():
                        break
                except redis.ConnectionError:
                    time.sleep(0.1)
            else:
                process.kill()
                process.wait(10)
                last_error = log.read_text() if log.exists() else ""
                continue
            try:
                yield RedisServer(host="127.0.0.1", port=port)
            finally:
                client.close()
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)
            return
        raise RuntimeError(f"redis-server did not start:\n{last_error}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
