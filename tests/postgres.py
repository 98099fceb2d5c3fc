"""A throwaway PostgreSQL server for the tests: Debian's server programs, a cluster in a temp
directory, listening on 127.0.0.1 at a free port, stopped and deleted at the end.

``make test`` installs the programs (``scripts/ensure_postgres.sh``). When they are missing the
tests that need a server fail with a message saying so: they never skip.

PostgreSQL refuses to run as root. Under root (CI, this machine) the cluster belongs to the
unprivileged ``nobody`` and every server program runs through ``runuser -u nobody --``; the
cluster's directory is made outside pytest's private temp tree, which ``nobody`` cannot enter.
The cluster trusts local TCP connections (no password) and runs with durability off (``fsync``,
``synchronous_commit``, ``full_page_writes``): it holds nothing worth keeping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

__all__ = ["PostgresServer", "postgres_bindir", "running_postgres"]

SERVER_USER = "nobody"
SUPERUSER = "postgres"
_FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def postgres_bindir() -> Path:
    """Where initdb, pg_ctl and postgres are: Debian's newest ``/usr/lib/postgresql/<major>/bin``,
    else the directory of an ``initdb`` on PATH. Raises (never skips) when there is none."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parents[1].name) if p.parents[1].name.isdigit() else 0,
    )
    found = str(candidates[-1]) if candidates else shutil.which("initdb")
    if not found:
        raise RuntimeError(
            "PostgreSQL's server programs (initdb, pg_ctl, postgres) are not installed; "
            "run `bash scripts/ensure_postgres.sh` (make test does) or `apt-get install postgresql`"
        )
    return Path(found).parent


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname={dbname}"

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database (one per test keeps tests apart on one server); its name."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.conninfo(), autocommit=True) as con:
            con.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        return name


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SERVER_USER, "--", *command]


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(
        _as_server_user(command), capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


@contextmanager
def running_postgres(settings: Sequence[str] = ()) -> Iterator[PostgresServer]:
    """Start a fresh cluster; yield how to reach it; stop it and remove its files. ``settings``
    are extra server settings (``work_mem=256MB``...): the benchmark sizes its server with them."""
    bindir = postgres_bindir()
    root = Path(tempfile.mkdtemp(prefix="agency-pg-", dir="/tmp"))
    data = root / "data"
    log = root / "server.log"
    try:
        if os.geteuid() == 0:
            shutil.chown(root, user=SERVER_USER)  # mkdtemp made it 0700: its owner alone gets in
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            "initdb",
        )
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between the look and the start
            port = _free_port()
            options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-c port={port}",
                    "-c unix_socket_directories=''",
                    "-c max_connections=50",
                    *(f"-c {o}" for o in (*_FAST, *settings)),
                ]
            )
            result = subprocess.run(
                _as_server_user(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]
                ),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if result.returncode == 0:
                break
            last_error = result.stdout + result.stderr + (log.read_text() if log.exists() else "")
        else:
            raise RuntimeError(f"PostgreSQL did not start:\n{last_error}")
        try:
            yield PostgresServer(host="127.0.0.1", port=port, user=SUPERUSER)
        finally:
            _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], "pg_ctl stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
