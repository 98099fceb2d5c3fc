"""The dbt resource's two shortcuts (decision 39) stay true to what they replace."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dagster_dbt import DbtCliResource

from pipelines.defs.dbt import AgencyDbtCliResource, dbt_resource


def test_the_overridden_methods_still_exist_in_dagster_dbt() -> None:
    """An upgrade that renames them would silently bring the costs back: fail instead."""
    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource), name
        assert name in vars(AgencyDbtCliResource), name


def test_the_version_without_a_process_is_the_executables_own() -> None:
    resource = dbt_resource()
    assert isinstance(resource, AgencyDbtCliResource)
    printed = subprocess.run(
        [resource.dbt_executable, "--version"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert f"installed: {resource._cli_version}" in printed, printed
    assert resource._cli_version.major < 2  # dbt Core: dagster-dbt's Fusion branch is never taken


def _failing_project(root: Path) -> Path:
    """A dbt project on a DuckDB file whose one model fails."""
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: probe\nversion: '1.0'\nprofile: probe\n")
    (root / "profiles.yml").write_text(
        f"probe:\n  target: t\n  outputs:\n    t:\n      type: duckdb\n      path: {root / 'probe.duckdb'}\n"
    )
    (root / "models" / "ok.sql").write_text("select 1 as one\n")
    (root / "models" / "broken.sql").write_text("select * from no_such_table\n")
    return root


def test_the_refresh_runs_dbt_through_agency_dbt_with_dbts_exit_codes(tmp_path: Path) -> None:
    """``agency-dbt`` (decision 60) is dbt's command line: the same exit codes and results."""
    executable = Path(dbt_resource().dbt_executable)
    assert executable.name == "agency-dbt"
    project = _failing_project(tmp_path / "project")
    dirs = ["--project-dir", str(project), "--profiles-dir", str(project)]
    for args, code in (
        (["--version"], 0),
        (["no-such-command"], 2),  # a usage error
        (["run", *dirs, "--select", "ok"], 0),
        (["run", *dirs], 1),  # a model failed
    ):
        for name in ("dbt", "agency-dbt"):
            done = subprocess.run(
                [executable.parent / name, *args], capture_output=True, text=True, timeout=300, cwd=tmp_path
            )
            assert done.returncode == code, (name, args, done.stdout, done.stderr)
            if args[0] == "run":
                assert ("PASS=1 WARN=0 ERROR=" + ("1" if code else "0")) in done.stdout, done.stdout
