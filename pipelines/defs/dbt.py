"""The dbt project as Dagster assets; dbt tests become Dagster asset checks.

Asset groups follow the model folders (``staging``, ``intermediate``, ``marts``, ``seeds``), so
the Dagster UI shows the same layers as the dbt project.
"""

import importlib.metadata
import json
import os
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from pipelines.defs.partitions import REBUILD_MODELS_TAG
from pipelines.defs.resources import AgencyEnvironment
from pipelines.load.build_store import build_state_store, dbt_connection
from pipelines.load.faults import fault_point
from pipelines.load.freshness import STALE, check_freshness, summary_line, write_freshness
from pipelines.load.model_builds import plan_build, prepare_build, record_build
from pipelines.load.process import dbt_executable
from pipelines.load.settings import REPO_ROOT, Settings

__all__ = [
    "DBT_PROJECT_DIR",
    "AgencyDbtCliResource",
    "AgencyDbtTranslator",
    "agency_dbt_assets",
    "dbt_project",
    "dbt_resource",
]

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
_DBT_SOURCES = ("models", "macros", "seeds", "tests", "dbt_project.yml")


def _ensure_dbt_on_path() -> None:
    """`dbt` must be on PATH for the dbt resource; under `uv run` it is, elsewhere add the venv's bin."""
    if shutil.which("dbt") is None:
        bindir = str(Path(sys.executable).parent)
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    """True when the manifest is missing or older than any file of the dbt project."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in _DBT_SOURCES:
        path = project_dir / name
        files = [path] if path.is_file() else path.rglob("*")
        if any(f.is_file() and f.stat().st_mtime > built for f in files):
            return True
    return False


_ensure_dbt_on_path()
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if dbt_project.preparer.using_dagster_dev() or manifest_is_stale(DBT_PROJECT_DIR, dbt_project.manifest_path):
    # Parse again whenever a model, macro, seed or test changed since the last parse.
    dbt_project.preparer.prepare(dbt_project)


class AgencyDbtTranslator(DagsterDbtTranslator):
    """Asset groups after the dbt layer a node lives in (its first folder)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn") or []
        return str(fqn[1]) if len(fqn) > 2 else super().get_group_name(dbt_resource_props)


class AgencyDbtCliResource(DbtCliResource):
    """The dbt resource without two costs of each run that this project does not use.

    - ``_cli_version``: dagster-dbt runs ``dbt --version`` in a new process on every run (3-4 s)
      to tell dbt Core from the Fusion engine. Our executable is the dbt Core of this
      environment (:func:`pipelines.load.process.dbt_executable`), whose version the package metadata gives.
    - ``_initialize_dbt_core_adapter``: dagster-dbt builds an in-process dbt adapter, parsing the
      project's macros (about 2 s per dbt command), only to fetch column metadata and row counts
      on request. We request neither; without an adapter those features say so.

    Both override private methods of the locked dagster-dbt version (decision 39);
    ``tests/pipelines/test_dbt_resource.py`` fails if an upgrade renames them.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def dbt_resource() -> DbtCliResource:
    return AgencyDbtCliResource(
        project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )


def dbt_target(settings: Settings) -> Path:
    """dbt's target folder for this data folder's build database, the same every run.

    dbt keeps its parse state there (``partial_parse.msgpack``) and parses the whole project again
    when the profile (the build database's path) or the ``--vars`` differ from that state's. A
    fresh folder per run, dagster-dbt's default, starts from the project folder's state, written
    by whichever dbt command ran there last (``make setup``'s parse, with another profile), so
    every build parsed everything (decision 39). The last run's artifacts (``run_results.json``)
    stay here too.
    """
    return settings.data_dir / "dbt" / "target"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    name="agency_dbt_models",
    dagster_dbt_translator=AgencyDbtTranslator(),
)
def agency_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, agency: AgencyEnvironment
) -> Iterator[Any]:
    """`dbt build`: seeds, models and their tests (tests arrive as asset checks).

    Incremental models replace only the windows loaded since the last successful build; a
    changed dbt project or configuration, a first build, or the run tag
    ``agency/rebuild_models`` (``refresh --full``, ``--rebuild-models``) rebuild everything
    (``pipelines.load.model_builds``). A failing error-severity test fails this step, so nothing
    downstream (the publish step) runs and the serving file stays on its last good version.
    """
    settings = agency.settings()
    rebuild = context.run.tags.get(REBUILD_MODELS_TAG) == "true"
    with build_state_store(settings) as store:
        plan = plan_build(store, DBT_PROJECT_DIR, rebuild=rebuild)
        args = prepare_build(store, plan, settings.as_of_date())
    how = "full rebuild" if plan.full else "incremental"
    context.log.info(f"dbt build: {how} ({plan.reason})")
    with dbt_connection(settings) as (target_args, target_env):
        os.environ.update(target_env)  # what the profile's target reads (dbt inherits the environment)
        for event in dbt.cli(
            [*args, *target_args], context=context, target_path=dbt_target(settings)
        ).stream():
            yield event
            fault_point("dbt")  # the fault suite: killed after dbt's first result
        # Only after every model and test passed (a failure raised above): the next build's mark.
        with build_state_store(settings) as store:
            record_build(store, plan)
        check_source_freshness(context, settings)


def check_source_freshness(context: AssetExecutionContext, settings: Settings) -> None:
    """The raw tables' freshness after the build, by the rules of `dbt source freshness` (the age
    of each table's newest `_loaded_at` against its source's `freshness` thresholds in the dbt
    project) without a second dbt process (`pipelines.load.freshness.check_freshness`, decision
    58). Never fails the run (stale data is a problem to tell about, not a reason to hold the
    publish): the result goes to the log, to `<data>/logs/source_freshness.json` for the command
    line's summary, and to the alert check (`source_stale`)."""
    try:
        manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
        with build_state_store(settings) as store:
            records = check_freshness(store, manifest)
    except Exception as exc:  # told about, never a reason to fail the build
        context.log.warning(f"source freshness gave no result: {type(exc).__name__}: {exc}")
        return
    for record in records:
        if record["status"] in STALE:
            context.log.warning(
                f"source freshness {record['status']}: raw.{record['source']} last loaded "
                f"{record['max_loaded_at']} ({record['age_hours']} h ago; warn after {record['warn_after']}, "
                f"error after {record['error_after']})"
            )
    path = write_freshness(settings.data_dir, records)
    context.log.info(f"source freshness: {summary_line(records)} ({path})")
