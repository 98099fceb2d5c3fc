"""Ingestion and publishing assets.

Asset keys of raw tables are ``raw/<table>``, exactly the keys dagster-dbt gives the dbt
sources, so the graph reads: configuration + inbox files -> raw tables (API pulls partitioned
by day) -> dbt models (with their tests as checks) -> the published serving database.

The API-fed tables (every source of the registry with an API) are daily-partitioned assets
with a single-run backfill policy: a backfill of 90 days is one run that asks each vendor for
the 90 days at once (chunked as the vendor requires), not 90 runs. Export files of the same
vendors dropped into the inbox land in the same tables through ``inbox_files``, which runs
first, so an API pull of the same days has the last word.
"""

import datetime as dt
import warnings
from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    BackfillPolicy,
    BetaWarning,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)
from pydantic import Field

from pipelines.defs.partitions import API_PARTITIONS
from pipelines.defs.resources import AgencyEnvironment, VendorApiResource
from pipelines.load.agency_tables import load_config_tables
from pipelines.load.balances import pull_balances
from pipelines.load.bitrix24 import pull_bitrix24_invoices
from pipelines.load.build_store import build_store, publish_marts
from pipelines.load.config import ConfigError
from pipelines.load.inbox import process_inbox
from pipelines.load.publish import PUBLIC_MARTS
from pipelines.load.pull import PullReport, pull_source
from pipelines.load.raw_schema import CONFIG_TABLES
from pipelines.load.settings import warehouse_from_env
from pipelines.load.sources import API_SOURCES, BALANCE_SOURCES, SOURCES, Source
from pipelines.load.windows import pull_window

__all__ = [
    "API_ASSETS",
    "PullConfig",
    "ad_account_balances",
    "agency_configuration",
    "bitrix24_invoices",
    "inbox_files",
    "serving_database",
]

WAREHOUSE = warehouse_from_env()
"""The build database's engine (``AGENCY_WAREHOUSE``): the assets' kind in the Dagster UI."""
CONFIG_KEYS = {name: AssetKey(["raw", name]) for name in CONFIG_TABLES}
BITRIX24_KEY = AssetKey(["crm", "bitrix24_invoices"])
BALANCES_KEY = AssetKey(["raw", "ad_account_balances"])
API_TABLES = {SOURCES[name].raw_table.name for name in API_SOURCES}
FILE_TABLES = {s.raw_table.name for s in SOURCES.values() if s.file_kinds}
INBOX_TABLES = sorted((FILE_TABLES - API_TABLES) | {"load_log"})
INBOX_KEYS = {name: AssetKey(["raw", name]) for name in INBOX_TABLES}
MART_KEYS = [AssetKey(["marts", name]) for name in PUBLIC_MARTS]
LOAD_LOG_KEY = INBOX_KEYS["load_log"]


@multi_asset(
    name="agency_configuration",
    group_name="raw",
    specs=[
        AssetSpec(key, description=f"`raw.{name}` from the agency configuration YAML.", kinds={WAREHOUSE})
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
    with build_store(settings) as store:
        store.ensure_schema()
        counts = load_config_tables(config, store, contact_salt=settings.contact_salt())
    for name, key in CONFIG_KEYS.items():
        yield MaterializeResult(asset_key=key, metadata={"rows": counts[name]})


@multi_asset(
    name="inbox_files",
    group_name="raw",
    specs=[
        AssetSpec(
            key,
            description=f"`raw.{name}`: rows from dropped export files.",
            kinds={WAREHOUSE},
            deps=[*CONFIG_KEYS.values(), BITRIX24_KEY],
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
    with build_store(settings) as store:
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


class PullConfig(Config):
    """Run configuration of an API pull (Launchpad, ``--config-json``, ``python -m pipelines``)."""

    clients: list[str] = Field(
        default_factory=list, description="Only these client ids (empty: every client with this source)."
    )
    restatement_only: bool = Field(
        default=False,
        description=(
            "Pull only the source's restatement window (agency.restatement in the configuration: "
            "ads 14 days, calls 3 days by default) at the end of the partition range: the nightly run."
        ),
    )


def _failures_markdown(report: PullReport) -> str:
    if not report.failed:
        return "none"
    lines = ["| client | source | account | days | error |", "|---|---|---|---|---|"]
    for p in report.failed:
        error = (p.error or "").splitlines()[0].replace("|", "\\|")
        days = f"{p.date_from} – {p.date_to}"
        lines.append(f"| {p.client_id} | {p.source} | {p.account_id} | {days} | {p.error_type}: {error} |")
    return "\n".join(lines)


def _api_asset(source: Source) -> AssetsDefinition:
    key = AssetKey(["raw", source.raw_table.name])
    how = "replaces the pulled days of each account" if source.replaces_days else "upserts calls by id"

    @asset(
        key=key,
        group_name="raw",
        partitions_def=API_PARTITIONS,
        backfill_policy=BackfillPolicy.single_run(),
        deps=[LOAD_LOG_KEY, *CONFIG_KEYS.values()],
        kinds={WAREHOUSE, "api"},
        tags={"agency/source": source.name},
        description=(
            f"`{source.raw_table.qualified}` pulled from the {source.title} API for the partition's days "
            f"({how}); each client account loads on its own, a failing one is reported by the "
            "`every_account_pulled` check and never stops the others."
        ),
        check_specs=[
            AssetCheckSpec(
                "every_account_pulled",
                asset=key,
                description=f"Every {source.title} account pulled via the API loaded in the last run.",
            )
        ],
    )
    def _pull(
        context: AssetExecutionContext,
        config: PullConfig,
        agency: AgencyEnvironment,
        vendor_apis: VendorApiResource,
    ) -> Iterator[Any]:
        settings = agency.settings()
        agency_config = agency.load_config()
        window = context.partition_key_range
        restatement = (
            agency_config.agency.restatement.days(source.restatement_kind)
            if config.restatement_only
            else None
        )
        date_from, date_to = pull_window(
            dt.date.fromisoformat(window.start),
            dt.date.fromisoformat(window.end),
            restatement_days=restatement,
            history_start=agency_config.agency.history_start,
        )
        context.log.info(f"{source.title}: pulling {date_from} – {date_to}")
        with build_store(settings) as store, vendor_apis.open() as apis:
            store.ensure_schema()
            report = pull_source(
                source.name,
                config=agency_config,
                store=store,
                apis=apis,
                date_from=date_from,
                date_to=date_to,
                clients=config.clients or None,
                log_line=context.log.info,
            )
        for line in report.failure_lines():
            context.log.error(f"{source.title} pull failed: {line}")
        yield MaterializeResult(
            asset_key=key,
            metadata={
                "days": f"{date_from} – {date_to}",
                "rows_loaded": report.rows,
                "accounts_loaded": len(report.loaded),
                "accounts_failed": len(report.failed),
                "clients": ", ".join(sorted({p.client_id for p in report.loaded})) or "none",
            },
        )
        yield AssetCheckResult(
            check_name="every_account_pulled",
            asset_key=key,
            passed=not report.failed,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "failed": len(report.failed),
                "failures": MetadataValue.md(_failures_markdown(report)),
                "failed_accounts": MetadataValue.json(
                    [
                        {
                            "client_id": p.client_id,
                            "source": p.source,
                            "account_id": p.account_id,
                            "days": f"{p.date_from} – {p.date_to}",
                            "error": f"{p.error_type}: {(p.error or '').splitlines()[0]}",
                        }
                        for p in report.failed
                    ]
                ),
            },
        )

    return _pull


with warnings.catch_warnings():
    # `backfill_policy` is marked beta in Dagster 1.13; single-run backfills are what we want and
    # the warning would reach every user of the CLI. Silenced for this definition only.
    warnings.simplefilter("ignore", BetaWarning)
    API_ASSETS = [_api_asset(SOURCES[name]) for name in API_SOURCES]


class InvoicePullConfig(Config):
    full: bool = Field(
        default=False, description="Pull every invoice, not only those changed since the last pull."
    )


@asset(
    key=BITRIX24_KEY,
    group_name="raw",
    deps=list(CONFIG_KEYS.values()),
    kinds={WAREHOUSE, "api"},
    tags={"agency/source": SOURCES["bitrix24"].name},
    description=(
        "Invoices of configured clients (`bitrix24_company_id`) from the agency's Bitrix24, upserted "
        "into `raw.invoice_register_rows` (origin `api:bitrix24/...`) before the inbox's 1C registers "
        "load, so a register dropped the same night has the last word. Incremental: invoices changed "
        "since the last pull (less 3 days). Skipped when no webhook and no company ids are configured."
    ),
    check_specs=[
        AssetCheckSpec(
            "bitrix24_invoices_pulled",
            asset=BITRIX24_KEY,
            description="The Bitrix24 invoice pull succeeded (or Bitrix24 is not used).",
        )
    ],
)
def bitrix24_invoices(
    context: AssetExecutionContext,
    config: InvoicePullConfig,
    agency: AgencyEnvironment,
    vendor_apis: VendorApiResource,
) -> Iterator[Any]:
    settings = agency.settings()
    agency_config = agency.load_config()
    with build_store(settings) as store, vendor_apis.open() as apis:
        store.ensure_schema()
        pull = pull_bitrix24_invoices(config=agency_config, store=store, apis=apis, full=config.full)
    if pull.status == "failed":
        context.log.error(f"Bitrix24 invoices: {pull.error}")
    elif pull.status == "not_configured":
        context.log.info("Bitrix24 is not configured (no webhook, no client with bitrix24_company_id)")
    skipped = sum(pull.skipped.values())
    if skipped:
        context.log.info(f"Bitrix24: {skipped} invoice(s) of companies that are no configured client skipped")
    yield MaterializeResult(
        asset_key=BITRIX24_KEY,
        metadata={
            "status": pull.status,
            "updated_since": str(pull.updated_since or "all"),
            "rows_loaded": pull.rows,
            "skipped_other_companies": skipped,
        },
    )
    yield AssetCheckResult(
        check_name="bitrix24_invoices_pulled",
        asset_key=BITRIX24_KEY,
        passed=pull.status != "failed",
        severity=AssetCheckSeverity.ERROR,
        metadata={"error": pull.error or "none"},
    )


class BalanceConfig(Config):
    clients: list[str] = Field(
        default_factory=list, description="Only these client ids (empty: every client served)."
    )


@asset(
    key=BALANCES_KEY,
    group_name="raw",
    deps=[LOAD_LOG_KEY, *CONFIG_KEYS.values()],
    kinds={WAREHOUSE, "api"},
    tags={"agency/source": ",".join(BALANCE_SOURCES)},
    description=(
        "`raw.ad_account_balances`: a snapshot of the money left on each API account of the clients "
        f"served ({', '.join(SOURCES[n].title for n in BALANCE_SOURCES)}: the shared account), appended on "
        "every refresh; a failing account is logged in `raw.load_log` (kind `balance:<source>`) and "
        "reported by the `every_balance_read` check."
    ),
    check_specs=[
        AssetCheckSpec(
            "every_balance_read",
            asset=BALANCES_KEY,
            description="The balance of every API account that has one was read in the last run.",
        )
    ],
)
def ad_account_balances(
    context: AssetExecutionContext,
    config: BalanceConfig,
    agency: AgencyEnvironment,
    vendor_apis: VendorApiResource,
) -> Iterator[Any]:
    settings = agency.settings()
    agency_config = agency.load_config()
    with build_store(settings) as store, vendor_apis.open() as apis:
        store.ensure_schema()
        report = pull_balances(
            config=agency_config,
            store=store,
            apis=apis,
            today=settings.as_of_date(),
            clients=config.clients or None,
            log_line=context.log.info,
        )
    for pull in report.failed:
        context.log.error(f"balance of {pull.where} not read: {pull.error}")
    yield MaterializeResult(
        asset_key=BALANCES_KEY,
        metadata={"accounts_read": len(report.loaded), "accounts_failed": len(report.failed)},
    )
    yield AssetCheckResult(
        check_name="every_balance_read",
        asset_key=BALANCES_KEY,
        passed=not report.failed,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "failed": len(report.failed),
            "failures": MetadataValue.md(
                "\n".join(f"- {p.where}: {(p.error or '').splitlines()[0]}" for p in report.failed) or "none"
            ),
        },
    )


@asset(
    key=AssetKey(["serving", "serving_database"]),
    group_name="publish",
    deps=MART_KEYS,
    kinds={WAREHOUSE},
    description="The read-only copy of the public marts the dashboard reads, swapped in atomically.",
)
def serving_database(context: AssetExecutionContext, agency: AgencyEnvironment) -> MaterializeResult[None]:
    settings = agency.settings()
    result = publish_marts(settings, run_id=context.run.run_id)
    context.log.info(f"published {result.path} ({sum(result.row_counts.values())} rows)")
    return MaterializeResult(
        metadata={
            "path": str(result.path),
            "published_at": result.published_at.isoformat(timespec="seconds") + "Z",
            "data_cutoff": str(result.data_cutoff),
            **{f"rows.{name}": n for name, n in result.row_counts.items()},
        }
    )
