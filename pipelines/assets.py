"""Ingestion and publishing assets.

Asset keys of raw tables are ``raw/<table>``, exactly the keys dagster-dbt gives the dbt
sources, so the graph reads: configuration + inbox files -> raw tables -> dbt models (with
their tests as checks) -> the published serving database.
"""

from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from pipelines.agency_tables import load_config_tables
from pipelines.config import ConfigError
from pipelines.inbox import KIND_TARGETS, process_inbox
from pipelines.publish import PUBLIC_MARTS, publish
from pipelines.raw_schema import CONFIG_TABLES
from pipelines.resources import AgencyEnvironment
from pipelines.warehouse import DuckDBRawStore

__all__ = ["agency_configuration", "inbox_files", "serving_database"]

CONFIG_KEYS = {name: AssetKey(["raw", name]) for name in CONFIG_TABLES}
INBOX_TABLES = sorted({table for table, _ in KIND_TARGETS.values()} | {"load_log"})
INBOX_KEYS = {name: AssetKey(["raw", name]) for name in INBOX_TABLES}
MART_KEYS = [AssetKey(["marts", name]) for name in PUBLIC_MARTS]
LOAD_LOG_KEY = INBOX_KEYS["load_log"]


@multi_asset(
    name="agency_configuration",
    group_name="raw",
    specs=[
        AssetSpec(key, description=f"`raw.{name}` from the agency configuration YAML.", kinds={"duckdb"})
        for name, key in CONFIG_KEYS.items()
    ],
)
def agency_configuration(context: AssetExecutionContext, agency: AgencyEnvironment) -> Iterator[Any]:
    """Validate the agency YAML and write managers, clients, accounts and plans to the raw layer."""
    try:
        config = agency.load_config()
    except ConfigError as exc:
        raise Failure(description=str(exc)) from None
    settings = agency.settings()
    with DuckDBRawStore(settings.build_db) as store:
        store.ensure_schema()
        counts = load_config_tables(config, store)
    for name, key in CONFIG_KEYS.items():
        yield MaterializeResult(asset_key=key, metadata={"rows": counts[name]})


@multi_asset(
    name="inbox_files",
    group_name="raw",
    specs=[
        AssetSpec(
            key,
            description=f"`raw.{name}`: rows from dropped export files.",
            kinds={"duckdb"},
            deps=list(CONFIG_KEYS.values()),
        )
        for name, key in INBOX_KEYS.items()
    ],
    check_specs=[
        AssetCheckSpec(
            "no_rejected_files",
            asset=LOAD_LOG_KEY,
            description="Every file dropped into the inbox was loaded (rejected files are in quarantine).",
        )
    ],
)
def inbox_files(context: AssetExecutionContext, agency: AgencyEnvironment) -> Iterator[Any]:
    """Load every file waiting in the inbox; bad files go to quarantine, the rest still load."""
    settings = agency.settings()
    config = agency.load_config()
    with DuckDBRawStore(settings.build_db) as store:
        store.ensure_schema()
        report = process_inbox(
            inbox=settings.inbox_dir,
            archive=settings.archive_dir,
            quarantine=settings.quarantine_dir,
            config=config,
            store=store,
            log=context.log.info,
        )
    for outcome in report.rejected:
        context.log.warning(f"quarantined: {outcome.error}")
    rows = report.rows_by_table()
    for name, key in INBOX_KEYS.items():
        files = [o for o in report.loaded if o.target_table == name]
        metadata: dict[str, Any] = {"rows_loaded": rows.get(name, 0), "files_loaded": len(files)}
        if name == "load_log":
            metadata = {"files_loaded": len(report.loaded), "files_rejected": len(report.rejected)}
        if files:
            metadata["clients"] = ", ".join(sorted({o.client_id or "by ИНН" for o in files}))
        yield MaterializeResult(asset_key=key, metadata=metadata)
    yield AssetCheckResult(
        check_name="no_rejected_files",
        asset_key=LOAD_LOG_KEY,
        passed=not report.rejected,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "rejected": len(report.rejected),
            "errors": MetadataValue.md("\n".join(f"- {o.error}" for o in report.rejected) or "none"),
            "quarantine": str(settings.quarantine_dir),
        },
    )


@asset(
    key=AssetKey(["serving", "serving_database"]),
    group_name="publish",
    deps=MART_KEYS,
    kinds={"duckdb"},
    description="The read-only copy of the public marts the dashboard reads, swapped in atomically.",
)
def serving_database(context: AssetExecutionContext, agency: AgencyEnvironment) -> MaterializeResult[None]:
    settings = agency.settings()
    result = publish(
        settings.build_db, settings.serving_db, as_of_date=settings.as_of_date(), run_id=context.run.run_id
    )
    context.log.info(f"published {result.path} ({sum(result.row_counts.values())} rows)")
    return MaterializeResult(
        metadata={
            "path": str(result.path),
            "published_at": result.published_at.isoformat(timespec="seconds") + "Z",
            "data_cutoff": str(result.data_cutoff),
            **{f"rows.{name}": n for name, n in result.row_counts.items()},
        }
    )
