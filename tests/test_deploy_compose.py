"""The deployment of deploy/ (compose.yaml, Dockerfile, dagster.yaml, workspace.yaml,
postgres-init.sql), checked without Docker (there is no container registry here):
every service's command names a program, module or file the image has; every variable it sets is
one the code reads; the workers listen on the queue the executor sends to; Dagster's instance file
loads (against a real PostgreSQL) with the one-writer queue; the workspace's code location loads
with the celery executor from the compose environment; the init script makes the roles and
databases the services connect to (run by psql on a throwaway server).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from dagster import DagsterInstance
from dagster._core.instance.config import dagster_instance_config
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_postgres import PostgresRunStorage

from pipelines.load.settings import REPO_ROOT
from tests.postgres import PostgresServer, postgres_bindir, running_postgres

DEPLOY = REPO_ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
OURS = {name: s for name, s in SERVICES.items() if s.get("image") == "agency-reporting:latest"}
SECRETS = {
    "AGENCY_PG_PASSWORD": "warehouse-secret",
    "DAGSTER_PG_PASSWORD": "dagster-secret",
    "REDIS_PASSWORD": "redis-secret",
    "POSTGRES_SUPERUSER_PASSWORD": "superuser-secret",
    "AGENCY_LINK_SECRET": "link-secret",
}
# Where the code reads its variables: the packages, dbt's profile and the deploy files themselves.
SOURCES = [
    *(
        p
        for pkg in ("pipelines", "dashboard", "delivery", "alerts", "reports", "connectors")
        for p in (REPO_ROOT / pkg).rglob("*.py")
    ),
    REPO_ROOT / "dbt_project" / "profiles.yml",
    DEPLOY / "dagster.yaml",
    DEPLOY / "postgres-init.sql",
]


def _interpolated(value: str) -> str:
    """Compose's ${NAME}, ${NAME:?message} and ${NAME:-default}, with the test's secrets."""

    def one(match: re.Match[str]) -> str:
        name, _, rest = match["body"].partition(":")
        return SECRETS.get(name, rest[1:] if rest.startswith("-") else "")

    return re.sub(r"\$\{(?P<body>[^}]+)\}", one, value)


def _env(service: str) -> dict[str, str]:
    return {k: _interpolated(str(v)) for k, v in (SERVICES[service].get("environment") or {}).items()}


def _option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def test_the_stack_has_its_services() -> None:
    assert set(SERVICES) == {
        "postgres",
        "redis",
        "dagster-webserver",
        "dagster-daemon",
        "worker1",
        "worker2",
        "dashboard",
    }
    assert set(OURS) == set(SERVICES) - {"postgres", "redis"}


@pytest.mark.parametrize("service", sorted(OURS))
def test_every_command_names_a_program_and_files_the_image_has(service: str) -> None:
    command = [str(part) for part in OURS[service]["command"]]
    assert (Path(sys.executable).parent / command[0]).exists(), f"{command[0]} is not installed"
    if "-A" in command:  # celery's app module
        module = _option(command, "-A")
        assert (REPO_ROOT / (module.replace(".", "/") + ".py")).is_file(), module
    if "-w" in command:
        assert (REPO_ROOT / _option(command, "-w")).is_file()
    if command[:2] == ["streamlit", "run"]:
        assert (REPO_ROOT / command[2]).is_file()


def test_the_workers_listen_where_the_executor_sends() -> None:
    from pipelines.defs.celery_app import app

    workers = [name for name in OURS if "celery" in OURS[name]["command"]]
    assert len(workers) >= 2
    routes = {route["queue"] for route in app.conf.task_routes.values()}
    names = set()
    for name in workers:
        command = [str(part) for part in OURS[name]["command"]]
        assert {_option(command, "-Q")} == routes
        assert _option(command, "--concurrency") == "1"
        names.add(_option(command, "-n"))
        assert _env(name)["AGENCY_EXECUTOR"] == "celery"
    assert len(names) == len(workers), "every worker has a name of its own"


def test_every_variable_set_is_one_the_code_reads() -> None:
    text = "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)
    for name, service in SERVICES.items():
        for variable in service.get("environment") or {}:
            if variable.startswith(("AGENCY_", "DAGSTER_PG_")) or variable in {"TELEGRAM_BOT_TOKEN"}:
                assert re.search(rf"\b{variable}\b", text), f"{name}: nothing reads {variable}"


def test_the_pipeline_services_agree_on_the_warehouse_broker_and_storage() -> None:
    shared = (
        "AGENCY_WAREHOUSE",
        "AGENCY_PG_HOST",
        "AGENCY_PG_DBNAME",
        "AGENCY_CELERY_BROKER",
        "DAGSTER_PG_DB",
    )
    seen = {tuple(_env(name).get(v) for v in shared) for name in OURS if name != "dashboard"}
    assert len(seen) == 1, seen
    env = _env("worker1")
    assert env["AGENCY_CELERY_BROKER"] == "redis://:redis-secret@redis:6379/0"
    assert env["AGENCY_CELERY_BACKEND"] == "redis://:redis-secret@redis:6379/1"


def test_the_dockerfile_copies_what_exists_and_installs_the_lock() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "uv sync --frozen" in text
    for line in text.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                assert (REPO_ROOT / source).exists(), source
    home = _env("worker1")["DAGSTER_HOME"]
    assert f"cp deploy/dagster.yaml {home}/dagster.yaml" in text


def test_the_workspace_loads_the_code_location_with_the_celery_executor(tmp_path: Path) -> None:
    """The compose environment, in a fresh process (as the webserver and a worker load it)."""
    workspace = yaml.safe_load((DEPLOY / "workspace.yaml").read_text(encoding="utf-8"))
    [location] = workspace["load_from"]
    module = location["python_module"]["module_name"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENCY_", "DAGSTER_"))}
    env |= _env("worker1") | {"AGENCY_DATA_DIR": str(tmp_path), "PYTHON_DOTENV_DISABLED": "1"}
    env["AGENCY_CONFIG"] = str(REPO_ROOT / "config" / "agency.example.yaml")
    probe = (
        f"import json, {module} as m; d = m.defs; "
        "print(json.dumps({j: d.resolve_job_def(j).executor_def.name for j in "
        "('refresh', 'inbox_refresh', 'send_reports', 'check_alerts')}))"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", probe],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "refresh": "celery",
        "inbox_refresh": "celery",
        "send_reports": "in_process",
        "check_alerts": "in_process",
    }


def test_dagsters_instance_file_loads_on_postgresql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_server: PostgresServer
) -> None:
    shutil.copy(DEPLOY / "dagster.yaml", tmp_path / "dagster.yaml")
    dagster_instance_config(str(tmp_path))  # Dagster's schema: raises on an unknown or bad key
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    for name, value in {
        "HOST": postgres_server.host,
        "PORT": str(postgres_server.port),
        "USER": postgres_server.user,
        "PASSWORD": "",
        "DB": postgres_server.create_database("deploy"),
    }.items():
        monkeypatch.setenv(f"DAGSTER_PG_{name}", value)
    with DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        coordinator = instance.run_coordinator
        assert isinstance(coordinator, QueuedRunCoordinator)
        limits = coordinator.get_run_queue_config().tag_concurrency_limits
        assert [dict(limit) for limit in limits] == [{"key": "agency/warehouse", "limit": 1}]


def test_the_init_script_makes_the_roles_and_databases_the_services_use() -> None:
    """Run as the postgres image runs it (psql, ON_ERROR_STOP, the passwords in the environment)."""
    warehouse = dagster = _env("worker1")
    with running_postgres() as server:
        psql, script = str(postgres_bindir() / "psql"), str(DEPLOY / "postgres-init.sql")
        where = ("-h", server.host, "-p", str(server.port), "-U", server.user, "-d", "postgres")
        done = subprocess.run(
            [psql, "-v", "ON_ERROR_STOP=1", "-f", script, *where],
            env={**os.environ, **_env("postgres")},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        with psycopg.connect(server.conninfo()) as con:
            owners: dict[str, str] = dict(
                con.execute(
                    "select d.datname, r.rolname from pg_database d join pg_roles r on r.oid = d.datdba"
                ).fetchall()
            )
            assert owners[warehouse["AGENCY_PG_DBNAME"]] == warehouse["AGENCY_PG_USER"]
            assert owners[dagster["DAGSTER_PG_DB"]] == dagster["DAGSTER_PG_USER"]
            with_password = {
                r for (r,) in con.execute("select rolname from pg_authid where rolpassword is not null")
            }
            assert {warehouse["AGENCY_PG_USER"], dagster["DAGSTER_PG_USER"]} <= with_password
            [(ctype,)] = con.execute(
                "select datctype from pg_database where datname = %s", [warehouse["AGENCY_PG_DBNAME"]]
            ).fetchall()
            assert ctype == "C.UTF-8"
        with psycopg.connect(server.conninfo(warehouse["AGENCY_PG_DBNAME"]), user="agency") as con:
            con.execute("create schema raw")  # the owner of the warehouse can build in it
