"""A one-asset Dagster job with an asset check, for the tests of Dagster's instance storage
(the pooled SQLite event log, dagster-postgres): what a run writes there, read back."""

from dagster import AssetCheckResult, AssetCheckSpec, MaterializeResult, asset
from dagster._core.events.log import EventLogEntry

__all__ = ["event_kind", "spend"]


@asset(check_specs=[AssetCheckSpec("rows_positive", asset="spend")])
def spend() -> MaterializeResult:  # type: ignore[type-arg]  # Dagster reads the annotation
    return MaterializeResult(
        metadata={"rows": 3}, check_results=[AssetCheckResult(check_name="rows_positive", passed=True)]
    )


def event_kind(entry: EventLogEntry) -> str | None:
    """The event's type name (``ASSET_MATERIALIZATION``...), None for a plain log line."""
    return entry.dagster_event.event_type_value if entry.dagster_event else None
