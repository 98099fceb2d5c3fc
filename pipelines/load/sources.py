"""The source registry: the one list of the data sources the agency's warehouse is fed from.

Every other place reads this list: the configuration's account sources, the API pulls and
their credentials, the inbox's file kinds, the Dagster assets, the dbt union models and the
freshness mart (through the generated macro ``dbt_project/macros/agency_sources.sql``), and
the dashboard's source names (the published ``dim_sources`` mart).

To add a source: a registry entry here, a parser or client in ``connectors/<vendor>/``, its raw
table in :mod:`pipelines.load.raw_schema`, a staging model in
``dbt_project/models/staging/<source>/`` that exposes its feed's conformed columns; then
``uv run python -m pipelines.load.sources --write-dbt`` (a test fails until you do).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from connectors.cabinet_csv import platform_from_filename
from pipelines.load import vendors
from pipelines.load.raw_schema import RAW_TABLES, RawTable
from pipelines.load.vendors import BalanceFetch, Fetch

__all__ = [
    "ACCOUNT_SOURCES",
    "API_SOURCES",
    "BALANCE_SOURCES",
    "DBT_MACRO_PATH",
    "LEAD_PRIORITY",
    "SOURCES",
    "Feed",
    "Source",
    "by_file_kind",
    "render_dbt_macro",
]

Feed = Literal["ad_stats", "calls", "leads", "invoices", "payments"]
"""What a source delivers; each feed has one conformed staging shape and one union model.
``leads`` are form, chat and CRM leads (calls are leads too: the ``calls`` feed)."""

RESTATEMENT_KIND: dict[Feed, Literal["ads", "calls"]] = {
    "ad_stats": "ads",
    "calls": "calls",
    "leads": "calls",
}


def _counterparty_inn(row: Mapping[str, object]) -> str | None:
    inn = row.get("inn")
    return str(inn) if inn else None


def _bank_counterparty_inn(row: Mapping[str, object]) -> str | None:
    """An incoming payment belongs to its payer, an outgoing one to its recipient."""
    inn = row.get("payer_inn") if row.get("direction") == "in" else row.get("recipient_inn")
    return str(inn) if inn else None


@dataclass(frozen=True)
class Source:
    name: str
    """The code everywhere: ``source:`` of a configured account, ``raw.load_log.kind``
    (``api:<name>``), the dbt staging folder, ``source_freshness.source``."""
    title: str
    """How logs and errors name it (English)."""
    label_ru: str
    label_en: str
    feed: Feed
    raw_table: RawTable
    staging_model: str
    file_kinds: tuple[str, ...] = ()
    """Kinds of dropped export files (``connectors.files.detect_kind``) whose rows it takes."""
    credentials: tuple[str, ...] = ()
    """Environment variables of its API; an account's ``credentials_env`` replaces the last one."""
    fetch: Fetch | None = None
    """Pulls one account's days from the API (daily-partitioned pulls)."""
    accounts: bool = True
    """Configured per client account (``accounts:`` in the YAML); otherwise rows are matched to
    clients by ИНН (``inn_of``) or by a field on the client (Bitrix24 company)."""
    freshness: Literal["account", "client", "none"] = "account"
    """``source_freshness`` rows: one per configured account, one per client, or none."""
    account_from_filename: Callable[[str], str | None] | None = None
    """For exports that do not say their account: read it from the file name (cabinet CSVs)."""
    inn_of: Callable[[Mapping[str, object]], str | None] | None = None
    """For agency-wide exports: the ИНН that ties a row to a client."""
    shares_staging_with: str | None = None
    """Lands in another source's raw table and staging model (Bitrix24 invoices)."""
    lead_rank: int | None = None
    """Lead systems (calls and leads feeds): the default order in which they win a lead merged
    from several systems (1 first); a client's ``lead_priority`` reorders them."""
    lead_goals: bool = False
    """Its accounts list the goals the client counts as leads (Metrika counters)."""
    balance: BalanceFetch | None = None
    """Reads the money left on its accounts (Direct's shared account) into ``raw.ad_account_balances``;
    pulled on every refresh for the accounts pulled ``via: api``."""

    @property
    def has_api(self) -> bool:
        return self.fetch is not None

    @property
    def restatement_kind(self) -> Literal["ads", "calls"]:
        return RESTATEMENT_KIND.get(self.feed, "ads")

    @property
    def replaces_days(self) -> bool:
        """Day-partitioned tables (ad statistics) replace the loaded days; others upsert by key."""
        return self.raw_table.date_column is not None


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            name="yandex_direct",
            title="Yandex.Direct",
            label_ru="Яндекс Директ",
            label_en="Yandex Direct",
            feed="ad_stats",
            raw_table=RAW_TABLES["yandex_direct_campaign_stats"],
            staging_model="stg_yandex_direct__campaign_stats",
            file_kinds=("yandex_direct_tsv",),
            credentials=("YANDEX_DIRECT_TOKEN",),
            fetch=vendors.fetch_yandex_direct,
            balance=vendors.fetch_yandex_direct_balances,
        ),
        Source(
            name="vk_ads",
            title="VK Ads",
            label_ru="VK Реклама",
            label_en="VK Ads",
            feed="ad_stats",
            raw_table=RAW_TABLES["vk_ads_campaign_stats"],
            staging_model="stg_vk_ads__campaign_stats",
            file_kinds=("vk_ads_stats_json",),
            credentials=("VK_ADS_CLIENT_ID", "VK_ADS_CLIENT_SECRET"),
            fetch=vendors.fetch_vk_ads,
        ),
        Source(
            name="cabinet",
            title="cabinet CSV",
            label_ru="Выгрузка из кабинета",
            label_en="Cabinet export",
            feed="ad_stats",
            raw_table=RAW_TABLES["cabinet_campaign_stats"],
            staging_model="stg_cabinet__campaign_stats",
            file_kinds=("cabinet_csv",),
            account_from_filename=platform_from_filename,
        ),
        Source(
            name="calltouch",
            title="Calltouch",
            label_ru="Calltouch",
            label_en="Calltouch",
            feed="calls",
            raw_table=RAW_TABLES["calltouch_calls"],
            staging_model="stg_calltouch__calls",
            file_kinds=("calltouch_calls_json",),
            credentials=("CALLTOUCH_API_TOKEN",),
            fetch=vendors.fetch_calltouch,
            lead_rank=3,
        ),
        Source(
            name="comagic",
            title="CoMagic/UIS",
            label_ru="CoMagic",
            label_en="CoMagic",
            feed="calls",
            raw_table=RAW_TABLES["comagic_calls"],
            staging_model="stg_comagic__calls",
            file_kinds=("comagic_calls_json",),
            credentials=("COMAGIC_ACCESS_TOKEN",),
            fetch=vendors.fetch_comagic,
            lead_rank=4,
        ),
        Source(
            name="calltouch_requests",
            title="Calltouch requests",
            label_ru="Заявки Calltouch",
            label_en="Calltouch requests",
            feed="leads",
            raw_table=RAW_TABLES["calltouch_requests"],
            staging_model="stg_calltouch_requests__requests",
            file_kinds=("calltouch_requests_json", "calltouch_requests_export"),
            credentials=("CALLTOUCH_API_TOKEN",),
            fetch=vendors.fetch_calltouch_requests,
            lead_rank=5,
        ),
        Source(
            name="yandex_metrika",
            title="Yandex Metrika",
            label_ru="Яндекс Метрика",
            label_en="Yandex Metrica",
            feed="leads",
            raw_table=RAW_TABLES["yandex_metrika_goal_reaches"],
            staging_model="stg_yandex_metrika__goal_reaches",
            file_kinds=("yandex_metrika_goal_reaches", "yandex_metrika_goals_export"),
            credentials=("YANDEX_METRIKA_TOKEN",),
            fetch=vendors.fetch_yandex_metrika,
            lead_rank=6,
            lead_goals=True,
        ),
        Source(
            name="amocrm",
            title="amoCRM",
            label_ru="amoCRM",
            label_en="amoCRM",
            feed="leads",
            raw_table=RAW_TABLES["amocrm_leads"],
            staging_model="stg_amocrm__leads",
            file_kinds=("amocrm_leads_json", "amocrm_leads_export"),
            credentials=("AMOCRM_TOKEN",),
            fetch=vendors.fetch_amocrm,
            lead_rank=1,
        ),
        Source(
            name="bitrix24_leads",
            title="Bitrix24 leads",
            label_ru="Лиды Bitrix24",
            label_en="Bitrix24 leads",
            feed="leads",
            raw_table=RAW_TABLES["bitrix24_leads"],
            staging_model="stg_bitrix24_leads__leads",
            file_kinds=("bitrix24_leads_json", "bitrix24_leads_export"),
            credentials=("BITRIX24_LEADS_WEBHOOK_URL",),
            fetch=vendors.fetch_bitrix24_leads,
            lead_rank=2,
        ),
        Source(
            name="invoice_register",
            title="invoice register",
            label_ru="Реестр счетов",
            label_en="Invoice register",
            feed="invoices",
            raw_table=RAW_TABLES["invoice_register_rows"],
            staging_model="stg_invoice_register__invoices",
            file_kinds=("invoice_register",),
            accounts=False,
            freshness="client",
            inn_of=_counterparty_inn,
        ),
        Source(
            name="bitrix24",
            title="Bitrix24",
            label_ru="Bitrix24",
            label_en="Bitrix24",
            feed="invoices",
            raw_table=RAW_TABLES["invoice_register_rows"],
            staging_model="stg_invoice_register__invoices",
            credentials=(vendors.BITRIX24_WEBHOOK_ENV,),
            accounts=False,
            freshness="none",
            shares_staging_with="invoice_register",
        ),
        Source(
            name="bank_statement",
            title="1C bank statement",
            label_ru="Банковская выписка",
            label_en="Bank statement",
            feed="payments",
            raw_table=RAW_TABLES["bank_statement_payments"],
            staging_model="stg_bank_statement__payments",
            file_kinds=("bank_statement_1c",),
            accounts=False,
            freshness="none",
            inn_of=_bank_counterparty_inn,
        ),
    )
}

ACCOUNT_SOURCES: tuple[str, ...] = tuple(s.name for s in SOURCES.values() if s.accounts)
"""Sources a client account in the configuration can have."""

API_SOURCES: tuple[str, ...] = tuple(s.name for s in SOURCES.values() if s.has_api)
"""Sources pulled day by day through the vendor's API (``via: api``, the default for them)."""

BALANCE_SOURCES: tuple[str, ...] = tuple(s.name for s in SOURCES.values() if s.balance is not None)
"""Sources whose accounts' balances are read (VK Ads gives no per-client balance we could verify)."""

LEAD_PRIORITY: tuple[str, ...] = tuple(
    s.name for s in sorted(SOURCES.values(), key=lambda s: s.lead_rank or 0) if s.lead_rank is not None
)
"""The lead systems in the default order they win a merged lead: the CRM (the client's system of
record where it keeps one), then call trackers, then forms."""

_BY_FILE_KIND = {kind: s for s in SOURCES.values() for kind in s.file_kinds}


def by_file_kind(kind: str) -> Source:
    """The source that takes the rows of an export file of ``kind``."""
    return _BY_FILE_KIND[kind]


# --------------------------------------------------------------------------------------------
# The registry as dbt sees it
# --------------------------------------------------------------------------------------------

DBT_MACRO_PATH = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "agency_sources.sql"


def _jinja_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dbt_macro() -> str:
    """``agency_sources(feed=none)``: the registry's sources with their own staging model."""
    entries = []
    for s in SOURCES.values():
        if s.shares_staging_with is not None:
            continue
        fields = {
            "name": s.name,
            "feed": s.feed,
            "staging_model": s.staging_model,
            "freshness": s.freshness,
            "label_ru": s.label_ru,
            "label_en": s.label_en,
            "file_kinds": ",".join(s.file_kinds),
        }
        body = ", ".join(f"{_jinja_str(k)}: {_jinja_str(v)}" for k, v in fields.items())
        entries.append(f"        {{{body}}},")
    listing = "\n".join(entries)
    return (
        "{#- Generated from the source registry (pipelines/load/sources.py) by\n"
        "    `uv run python -m pipelines.load.sources --write-dbt`; do not edit by hand.\n"
        "    A test fails when this file and the registry disagree. -#}\n"
        "{% macro agency_sources(feed=none) %}\n"
        "    {%- set sources = [\n"
        f"{listing}\n"
        "    ] -%}\n"
        "    {%- if feed is none -%}\n"
        "        {{ return(sources) }}\n"
        "    {%- else -%}\n"
        '        {{ return(sources | selectattr("feed", "equalto", feed) | list) }}\n'
        "    {%- endif -%}\n"
        "{% endmacro %}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.load.sources", description="List the registered sources."
    )
    parser.add_argument("--write-dbt", action="store_true", help=f"rewrite {DBT_MACRO_PATH.name}")
    args = parser.parse_args(argv)
    if args.write_dbt:
        DBT_MACRO_PATH.write_text(render_dbt_macro(), encoding="utf-8")
        print(f"wrote {DBT_MACRO_PATH}")
        return 0
    for s in SOURCES.values():
        how = ", ".join(filter(None, ["api" if s.has_api else "", "files" if s.file_kinds else ""]))
        print(f"{s.name:18} {s.feed:9} raw.{s.raw_table.name:30} {s.staging_model:36} {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
