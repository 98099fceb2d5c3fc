"""The raw layer: one table per vendor feed, vendor field names, lineage on every row.

This module is the contract between ingestion (connectors + ``pipelines.load.inbox``) and the dbt
project (``dbt_project/models/staging``). Every raw table ends with the same lineage columns:

- ``_origin``      where the row came from: the inbox-relative file path, or ``api:<request id>``
- ``_origin_line`` 1-based line (or record index for JSON) inside that file, if known
- ``_load_id``     the batch that loaded it (joins ``raw.load_log.load_id``)
- ``_loaded_at``   UTC timestamp of the load

``client_id`` and ``account_id`` (the source account: Direct login, VK account, Calltouch site
id, CoMagic account) are set by the loader, not by the parser.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CONFIG_TABLES",
    "LINEAGE_COLUMNS",
    "PARTITION_COLUMNS",
    "RAW_SCHEMA",
    "RAW_TABLES",
    "RawTable",
    "ddl_statements",
]

RAW_SCHEMA = "raw"

LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_origin", "VARCHAR NOT NULL"),
    ("_origin_line", "INTEGER"),
    ("_load_id", "VARCHAR NOT NULL"),
    ("_loaded_at", "TIMESTAMP NOT NULL"),
)


@dataclass(frozen=True)
class RawTable:
    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    """Natural key: a later load replaces earlier rows with the same key (never duplicates)."""
    date_column: str | None = None
    """Column that partitions the table by day (replace-a-partition loads)."""
    lineage: bool = True
    additive: tuple[str, ...] = ()
    """Metric columns summed when one load carries several rows with the same key
    (e.g. a Direct report split by AdNetworkType): the key's total is what we keep."""

    @property
    def column_names(self) -> list[str]:
        cols = [c for c, _ in self.columns]
        if self.lineage:
            cols += [c for c, _ in LINEAGE_COLUMNS]
        return cols

    @property
    def qualified(self) -> str:
        return f"{RAW_SCHEMA}.{self.name}"

    def ddl(self) -> str:
        cols = list(self.columns) + (list(LINEAGE_COLUMNS) if self.lineage else [])
        body = ",\n  ".join(f"{name} {typ}" for name, typ in cols)
        return f"CREATE TABLE IF NOT EXISTS {self.qualified} (\n  {body}\n)"


YANDEX_DIRECT_CAMPAIGN_STATS = RawTable(
    name="yandex_direct_campaign_stats",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("account_id", "VARCHAR NOT NULL"),  # Direct Client-Login
        ("date", "DATE NOT NULL"),
        ("campaign_id", "VARCHAR NOT NULL"),
        ("campaign_name", "VARCHAR"),
        ("campaign_type", "VARCHAR"),
        ("impressions", "BIGINT"),
        ("clicks", "BIGINT"),
        ("cost_micros", "BIGINT"),  # net of VAT (IncludeVAT=NO), account currency, x 1 000 000
        ("conversions", "BIGINT"),  # NULL where the report said "--"
    ),
    key=("client_id", "account_id", "date", "campaign_id"),
    date_column="date",
    additive=("impressions", "clicks", "cost_micros", "conversions"),
)

VK_ADS_CAMPAIGN_STATS = RawTable(
    name="vk_ads_campaign_stats",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("account_id", "VARCHAR NOT NULL"),
        ("date", "DATE NOT NULL"),
        ("campaign_id", "VARCHAR NOT NULL"),  # items[].id
        ("shows", "BIGINT"),
        ("clicks", "BIGINT"),
        ("goals", "BIGINT"),
        ("spent", "DECIMAL(18,2)"),  # account currency, net of VAT
    ),
    key=("client_id", "account_id", "date", "campaign_id"),
    date_column="date",
    additive=("shows", "clicks", "goals", "spent"),
)

CABINET_CAMPAIGN_STATS = RawTable(
    name="cabinet_campaign_stats",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("account_id", "VARCHAR NOT NULL"),  # the platform, as named in the file name (e.g. google_ads)
        ("platform", "VARCHAR NOT NULL"),  # canonical channel of the cabinet
        ("date", "DATE NOT NULL"),
        ("campaign_name", "VARCHAR NOT NULL"),
        ("impressions", "BIGINT"),
        ("clicks", "BIGINT"),
        ("cost", "DECIMAL(18,2)"),
        ("cost_includes_vat", "BOOLEAN NOT NULL"),  # header said "Расход (с НДС)"
        ("vat_rate", "DECIMAL(5,2)"),  # percent to strip when cost_includes_vat
    ),
    key=("client_id", "platform", "date", "campaign_name"),
    date_column="date",
    additive=("impressions", "clicks", "cost"),
)

CALLTOUCH_CALLS = RawTable(
    name="calltouch_calls",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("account_id", "VARCHAR NOT NULL"),  # Calltouch site id
        ("call_id", "BIGINT NOT NULL"),
        ("call_date_local", "TIMESTAMP"),  # "date" dd/mm/yyyy HH:MM:SS, cabinet time zone
        ("call_timestamp_utc", "TIMESTAMP"),  # "timestamp", unix seconds UTC
        ("duration", "INTEGER"),  # seconds; can be negative in real data (kept)
        ("waiting_connect", "INTEGER"),
        ("successful", "BOOLEAN"),
        ("unique_call", "BOOLEAN"),
        ("target_call", "BOOLEAN"),
        ("uniq_target_call", "BOOLEAN"),
        ("caller_number", "VARCHAR"),
        ("phone_number", "VARCHAR"),
        ("source", "VARCHAR"),
        ("medium", "VARCHAR"),
        ("utm_source", "VARCHAR"),  # "<не указано>" -> NULL
        ("utm_medium", "VARCHAR"),
        ("utm_campaign", "VARCHAR"),
        ("utm_content", "VARCHAR"),
        ("utm_term", "VARCHAR"),
        ("city", "VARCHAR"),
    ),
    key=("client_id", "account_id", "call_id"),
    date_column=None,
)

COMAGIC_CALLS = RawTable(
    name="comagic_calls",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("account_id", "VARCHAR NOT NULL"),
        ("call_id", "BIGINT NOT NULL"),  # result.data[].id
        ("start_time", "TIMESTAMP"),  # account time zone
        ("finish_time", "TIMESTAMP"),
        ("direction", "VARCHAR"),
        ("is_lost", "BOOLEAN"),
        ("finish_reason", "VARCHAR"),
        ("talk_duration", "INTEGER"),
        ("wait_duration", "INTEGER"),
        ("total_duration", "INTEGER"),
        ("contact_phone_number", "VARCHAR"),
        ("virtual_phone_number", "VARCHAR"),
        ("campaign_name", "VARCHAR"),
        ("utm_source", "VARCHAR"),
        ("utm_medium", "VARCHAR"),
        ("utm_campaign", "VARCHAR"),
        ("tags", "VARCHAR"),  # JSON text of tags[]
    ),
    key=("client_id", "account_id", "call_id"),
    date_column=None,
)

INVOICE_REGISTER_ROWS = RawTable(
    name="invoice_register_rows",
    columns=(
        ("client_id", "VARCHAR"),  # matched by ИНН; NULL when the ИНН is not a configured client
        ("inn", "VARCHAR NOT NULL"),
        ("invoice_number", "VARCHAR NOT NULL"),
        ("issued_on", "DATE NOT NULL"),
        ("due_on", "DATE"),
        ("counterparty", "VARCHAR"),
        ("amount_net", "DECIMAL(18,2)"),
        ("vat_rate", "DECIMAL(5,2)"),  # percent: 20, 22, 10, 0; NULL for "Без НДС"
        ("vat_amount", "DECIMAL(18,2)"),
        ("amount", "DECIMAL(18,2) NOT NULL"),  # total incl. VAT
        ("paid_amount", "DECIMAL(18,2)"),
        ("paid_on", "DATE"),
        ("payment_status", "VARCHAR"),
        ("currency", "VARCHAR"),
    ),
    key=("inn", "invoice_number"),
    date_column=None,
)

BANK_STATEMENT_PAYMENTS = RawTable(
    name="bank_statement_payments",
    columns=(
        ("client_id", "VARCHAR"),  # the counterparty's ИНН matched to a client; NULL otherwise
        ("document_number", "VARCHAR NOT NULL"),
        ("document_date", "DATE NOT NULL"),
        ("document_type", "VARCHAR"),
        ("amount", "DECIMAL(18,2) NOT NULL"),
        ("direction", "VARCHAR NOT NULL"),  # in: to the agency's account; out: from it
        ("received_on", "DATE"),  # ДатаПоступило
        ("written_off_on", "DATE"),  # ДатаСписано
        ("payer_name", "VARCHAR"),
        ("payer_inn", "VARCHAR"),
        ("payer_kpp", "VARCHAR"),
        ("payer_account", "VARCHAR"),
        ("recipient_name", "VARCHAR"),
        ("recipient_inn", "VARCHAR"),
        ("recipient_account", "VARCHAR"),
        ("purpose", "VARCHAR"),  # НазначениеПлатежа: carries the invoice number
    ),
    key=("payer_account", "document_date", "document_number", "direction", "amount"),
    date_column=None,
)

CALLTOUCH_REQUESTS = RawTable(
    name="calltouch_requests",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("account_id", "VARCHAR NOT NULL"),  # Calltouch site id
        ("request_id", "BIGINT NOT NULL"),  # requestId
        ("request_number", "VARCHAR"),  # the site's own id of the request
        ("request_date_local", "TIMESTAMP"),  # "dateStr" dd/mm/yyyy HH:MM:SS, cabinet time zone
        ("request_timestamp_utc", "TIMESTAMP"),  # "date", Unix milliseconds
        ("request_type", "VARCHAR"),
        ("subject", "VARCHAR"),  # the form's name on the site
        ("status", "VARCHAR"),
        ("request_url", "VARCHAR"),
        ("site_id", "BIGINT"),
        ("target_request", "BOOLEAN"),
        ("unique_request", "BOOLEAN"),
        ("uniq_target_request", "BOOLEAN"),
        ("session_id", "BIGINT"),
        ("source", "VARCHAR"),
        ("medium", "VARCHAR"),
        ("keyword", "VARCHAR"),
        ("utm_source", "VARCHAR"),
        ("utm_medium", "VARCHAR"),
        ("utm_campaign", "VARCHAR"),
        ("utm_content", "VARCHAR"),
        ("utm_term", "VARCHAR"),
        ("city", "VARCHAR"),
        ("client_phone", "VARCHAR"),  # personal data: only its salted hash leaves staging
        ("client_email", "VARCHAR"),
        ("call_id", "BIGINT"),
        ("order_count", "INTEGER"),
        ("order_id", "BIGINT"),
        ("order_number", "VARCHAR"),
        ("order_status", "VARCHAR"),
        ("order_sum", "DECIMAL(18,2)"),
    ),
    key=("client_id", "account_id", "request_id"),
    date_column=None,
)

YANDEX_METRIKA_GOAL_REACHES = RawTable(
    name="yandex_metrika_goal_reaches",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("account_id", "VARCHAR NOT NULL"),  # the counter id
        ("date", "DATE NOT NULL"),  # the counter's day
        ("counter_id", "BIGINT"),
        ("goal_id", "BIGINT NOT NULL"),
        ("goal_name", "VARCHAR"),  # from the counter's goal list (NULL when unknown)
        ("goal_type", "VARCHAR"),
        ("is_automatic", "BOOLEAN"),  # Metrika created the goal itself: never a lead
        ("attribution", "VARCHAR"),  # the attribution model the numbers were asked with
        ("traffic_source", "VARCHAR"),  # ym:s:<attribution>TrafficSource id (ad, organic, ...)
        ("traffic_source_name", "VARCHAR"),
        ("utm_source", "VARCHAR"),
        ("utm_medium", "VARCHAR"),
        ("utm_campaign", "VARCHAR"),
        ("reaches", "BIGINT NOT NULL"),
        ("sampled", "BOOLEAN"),
        ("contains_sensitive_data", "BOOLEAN"),
    ),
    key=(
        "client_id",
        "account_id",
        "date",
        "goal_id",
        "attribution",
        "traffic_source",
        "utm_source",
        "utm_medium",
        "utm_campaign",
    ),
    date_column="date",
    additive=("reaches",),
)

AMOCRM_LEADS = RawTable(
    name="amocrm_leads",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("account_id", "VARCHAR NOT NULL"),  # the amoCRM subdomain
        ("lead_id", "BIGINT NOT NULL"),
        ("name", "VARCHAR"),
        ("status_id", "BIGINT"),
        ("pipeline_id", "BIGINT"),
        ("price", "DECIMAL(18,2)"),
        ("created_at", "TIMESTAMP"),  # UTC
        ("updated_at", "TIMESTAMP"),
        ("closed_at", "TIMESTAMP"),
        ("responsible_user_id", "BIGINT"),
        ("is_deleted", "BOOLEAN"),
        ("utm_source", "VARCHAR"),
        ("utm_medium", "VARCHAR"),
        ("utm_campaign", "VARCHAR"),
        ("utm_content", "VARCHAR"),
        ("utm_term", "VARCHAR"),
        ("contact_id", "BIGINT"),
        ("contact_phone", "VARCHAR"),  # personal data: only its salted hash leaves staging
        ("contact_email", "VARCHAR"),
        ("tags", "VARCHAR"),  # JSON list of tag names
    ),
    key=("client_id", "account_id", "lead_id"),
    date_column=None,
)

BITRIX24_LEADS = RawTable(
    name="bitrix24_leads",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("account_id", "VARCHAR NOT NULL"),  # the client's portal
        ("lead_id", "BIGINT NOT NULL"),
        ("title", "VARCHAR"),
        ("created_at", "TIMESTAMP"),  # UTC
        ("updated_at", "TIMESTAMP"),
        ("status_id", "VARCHAR"),  # NEW, IN_PROCESS, CONVERTED, JUNK, ...
        ("source_id", "VARCHAR"),
        ("assigned_by_id", "BIGINT"),
        ("company_id", "BIGINT"),
        ("contact_id", "BIGINT"),
        ("phone", "VARCHAR"),  # personal data: only its salted hash leaves staging
        ("email", "VARCHAR"),
        ("utm_source", "VARCHAR"),
        ("utm_medium", "VARCHAR"),
        ("utm_campaign", "VARCHAR"),
        ("utm_content", "VARCHAR"),
        ("utm_term", "VARCHAR"),
    ),
    key=("client_id", "account_id", "lead_id"),
    date_column=None,
)

AD_ACCOUNT_BALANCES = RawTable(
    name="ad_account_balances",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("source", "VARCHAR NOT NULL"),  # the registry source whose account it is (yandex_direct)
        ("account_id", "VARCHAR NOT NULL"),  # the configured account (Direct Client-Login)
        ("balance_account_id", "VARCHAR"),  # the vendor's id of the balance (Direct AccountID)
        ("amount", "DECIMAL(18,2) NOT NULL"),  # money left, in `currency`
        ("currency", "VARCHAR NOT NULL"),  # the account's own currency (RUB, KZT, ...)
        ("as_of", "TIMESTAMP NOT NULL"),  # UTC moment the vendor was asked
    ),
    key=("client_id", "source", "account_id", "as_of"),
    date_column=None,
)

LOAD_LOG = RawTable(
    name="load_log",
    columns=(
        ("load_id", "VARCHAR NOT NULL"),
        ("origin", "VARCHAR NOT NULL"),
        ("kind", "VARCHAR"),  # detected file kind / API feed
        ("target_table", "VARCHAR"),
        ("client_id", "VARCHAR"),
        ("account_id", "VARCHAR"),
        ("status", "VARCHAR NOT NULL"),  # loaded | rejected
        ("row_count", "BIGINT"),
        ("date_from", "DATE"),
        ("date_to", "DATE"),
        ("error", "VARCHAR"),
        ("sha256", "VARCHAR"),
        ("loaded_at", "TIMESTAMP NOT NULL"),
    ),
    key=("load_id",),
    lineage=False,
)

# Tables written from the agency configuration YAML on every run (full replace).
AGENCY_SETTINGS = RawTable(
    name="agency_settings",
    columns=(
        ("agency_name", "VARCHAR NOT NULL"),
        ("reporting_currency", "VARCHAR NOT NULL"),
        ("target_call_min_talk_seconds", "INTEGER NOT NULL"),
        ("unique_call_window_days", "INTEGER NOT NULL"),
        ("default_vat_rate", "DECIMAL(5,2) NOT NULL"),
        ("contact_hash_salt", "VARCHAR"),  # salts the published hashes of phones and e-mails
        ("churn_window_months", "INTEGER"),  # whole months without activity that make a client churned
        ("balance_days_left", "INTEGER"),  # alerts.balance_days_left: fewer days of spend left is low
    ),
    key=("agency_name",),
    lineage=False,
)
AGENCY_MANAGERS = RawTable(
    name="agency_managers",
    columns=(("manager_id", "VARCHAR NOT NULL"), ("name", "VARCHAR NOT NULL"), ("email", "VARCHAR")),
    key=("manager_id",),
    lineage=False,
)
AGENCY_CLIENTS = RawTable(
    name="agency_clients",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("name", "VARCHAR NOT NULL"),
        ("inn", "VARCHAR NOT NULL"),
        ("manager_id", "VARCHAR NOT NULL"),
        ("currency", "VARCHAR NOT NULL"),
        ("timezone", "VARCHAR NOT NULL"),
        ("start_date", "DATE NOT NULL"),
        ("end_date", "DATE"),
        ("payment_terms_days", "INTEGER NOT NULL"),
        ("fee_share", "DECIMAL(7,6)"),  # share of each invoice that is the agency's fee (NULL = 1)
    ),
    key=("client_id",),
    lineage=False,
)
AGENCY_CLIENT_ACCOUNTS = RawTable(
    name="agency_client_accounts",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("source", "VARCHAR NOT NULL"),  # yandex_direct | vk_ads | calltouch | comagic | cabinet
        ("account_id", "VARCHAR NOT NULL"),
        ("timezone", "VARCHAR NOT NULL"),  # account's own time zone (defaults to the client's)
        ("lead_rule", "VARCHAR"),  # call trackers: tracker (its flags, the default) | agency
        ("attribution", "VARCHAR"),  # Metrika counters: the attribution model of the goal reaches
    ),
    key=("client_id", "source", "account_id"),
    lineage=False,
)
AGENCY_CLIENT_LEAD_PRIORITY = RawTable(
    name="agency_client_lead_priority",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("source", "VARCHAR NOT NULL"),  # a lead system (calls or leads feed)
        ("priority_rank", "INTEGER NOT NULL"),  # 1 wins a merged lead
    ),
    key=("client_id", "source"),
    lineage=False,
)
AGENCY_LEAD_GOALS = RawTable(
    name="agency_lead_goals",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("account_id", "VARCHAR NOT NULL"),  # Metrika counter
        ("goal_id", "BIGINT NOT NULL"),  # a goal the client counts as a lead
    ),
    key=("client_id", "account_id", "goal_id"),
    lineage=False,
)
AGENCY_MONTHLY_PLANS = RawTable(
    name="agency_monthly_plans",
    columns=(
        ("client_id", "VARCHAR NOT NULL"),
        ("month", "DATE NOT NULL"),  # first day of month
        ("budget", "DECIMAL(18,2)"),  # spend plan, net of VAT
        ("leads", "INTEGER"),
        ("cpl_target", "DECIMAL(18,2)"),
        ("fee", "DECIMAL(18,2)"),  # the agency's revenue (fee) plan, net of VAT
    ),
    key=("client_id", "month"),
    lineage=False,
)

RAW_TABLES: dict[str, RawTable] = {
    t.name: t
    for t in (
        YANDEX_DIRECT_CAMPAIGN_STATS,
        VK_ADS_CAMPAIGN_STATS,
        CABINET_CAMPAIGN_STATS,
        CALLTOUCH_CALLS,
        COMAGIC_CALLS,
        INVOICE_REGISTER_ROWS,
        BANK_STATEMENT_PAYMENTS,
        CALLTOUCH_REQUESTS,
        YANDEX_METRIKA_GOAL_REACHES,
        AMOCRM_LEADS,
        BITRIX24_LEADS,
        AD_ACCOUNT_BALANCES,
        LOAD_LOG,
    )
}
CONFIG_TABLES: dict[str, RawTable] = {
    t.name: t
    for t in (
        AGENCY_SETTINGS,
        AGENCY_MANAGERS,
        AGENCY_CLIENTS,
        AGENCY_CLIENT_ACCOUNTS,
        AGENCY_CLIENT_LEAD_PRIORITY,
        AGENCY_LEAD_GOALS,
        AGENCY_MONTHLY_PLANS,
    )
}


def ddl_statements() -> list[str]:
    return [f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}"] + [
        t.ddl() for t in (*RAW_TABLES.values(), *CONFIG_TABLES.values())
    ]


PARTITION_COLUMNS: dict[str, tuple[str, ...]] = {
    # what replace_partition's `partition` names: the client's account of the vendor
    "yandex_direct_campaign_stats": ("client_id", "account_id"),
    "vk_ads_campaign_stats": ("client_id", "account_id"),
    "yandex_metrika_goal_reaches": ("client_id", "account_id"),
    # a cabinet's account is its platform (the inbox sets both); the key names the platform
    "cabinet_campaign_stats": ("client_id", "platform"),
    # upserted feeds: the account whose calls, requests or leads they are
    "calltouch_calls": ("client_id", "account_id"),
    "comagic_calls": ("client_id", "account_id"),
    "calltouch_requests": ("client_id", "account_id"),
    "amocrm_leads": ("client_id", "account_id"),
    "bitrix24_leads": ("client_id", "account_id"),
    "ad_account_balances": ("client_id", "source", "account_id"),
    # matched to clients by ИНН (client_id may be NULL): the counterparty's ИНН
    "invoice_register_rows": ("inn",),
    # the only NOT NULL column of the key with few values (payer_account may be NULL)
    "bank_statement_payments": ("direction",),
    # load_log and the configuration tables: small, unpartitioned
}
"""The partition columns of each raw table on Spark (``pipelines.load.spark``), named here with the
raw tables; tables not named here are unpartitioned. Every partition column is part of the
table's natural key (checked when the Spark store is imported), so an upsert's replaced rows lie
in the partitions of its incoming rows."""
