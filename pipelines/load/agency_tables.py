"""Write the agency configuration into the raw layer (full replace on every run)."""

from __future__ import annotations

from typing import Any

from pipelines.load.config import AgencyConfig
from pipelines.load.raw_schema import CONFIG_TABLES
from pipelines.load.sources import SOURCES
from pipelines.load.warehouse import RawStore, to_arrow

__all__ = ["config_rows", "load_config_tables"]


def config_rows(config: AgencyConfig, *, contact_salt: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The configuration as rows of the ``raw.agency_*`` tables.

    ``contact_salt`` salts the hashes of contact phones and e-mails the lead ledger publishes
    (see :func:`pipelines.load.settings.Settings.contact_salt`)."""
    agency = config.agency
    return {
        "agency_settings": [
            {
                "agency_name": agency.name,
                "reporting_currency": agency.reporting_currency,
                "target_call_min_talk_seconds": agency.target_call_min_talk_seconds,
                "unique_call_window_days": agency.unique_call_window_days,
                "default_vat_rate": agency.default_vat_rate,
                "churn_window_months": agency.churn_window_months,
                "contact_hash_salt": contact_salt,
                "balance_days_left": config.alerts.balance_days_left,
            }
        ],
        "agency_managers": [{"manager_id": m.id, "name": m.name, "email": m.email} for m in config.managers],
        "agency_clients": [
            {
                "client_id": c.id,
                "name": c.name,
                "inn": c.inn,
                "manager_id": c.manager,
                "currency": c.currency,
                "timezone": c.timezone,
                "start_date": c.start_date,
                "end_date": c.end_date,
                "payment_terms_days": c.payment_terms_days,
                "fee_share": c.fee_share,
            }
            for c in config.clients
        ],
        "agency_client_accounts": [
            {
                "client_id": c.id,
                "source": a.source,
                "account_id": a.id,
                "timezone": c.account_timezone(a),
                "lead_rule": a.lead_rule,
                "attribution": a.attribution if SOURCES[a.source].lead_goals else None,
            }
            for c in config.clients
            for a in c.accounts
        ],
        "agency_client_lead_priority": [
            {"client_id": c.id, "source": source, "priority_rank": rank}
            for c in config.clients
            for source, rank in c.lead_ranks().items()
        ],
        "agency_lead_goals": [
            {"client_id": c.id, "account_id": a.id, "goal_id": goal_id}
            for c in config.clients
            for a in c.accounts
            for goal_id in a.goals
        ],
        "agency_monthly_plans": [
            {
                "client_id": c.id,
                "month": p.month,
                "budget": p.budget,
                "leads": p.leads,
                "cpl_target": p.cpl_target,
                "fee": p.fee,
            }
            for c in config.clients
            for p in c.plans
        ],
    }


def load_config_tables(
    config: AgencyConfig, store: RawStore, *, contact_salt: str | None = None
) -> dict[str, int]:
    """Replace every ``raw.agency_*`` table in one transaction; returns row counts."""
    counts: dict[str, int] = {}
    with store.transaction():
        for name, rows in config_rows(config, contact_salt=contact_salt).items():
            table = CONFIG_TABLES[name]
            counts[name] = store.replace_table(table, to_arrow(table, rows))
    return counts
