"""The dbt resource's two shortcuts (decision 39) stay true to what they replace."""

from __future__ import annotations

import subprocess

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
