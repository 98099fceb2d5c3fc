"""The small hand-made raw layer the dbt tests build on, one definition for every warehouse
(``test_dbt_build`` on DuckDB, ``test_postgres_build`` on PostgreSQL, ``test_incremental``), and
how the tests run dbt.

The scenario (as of 2026-11-23; "last 30 days" = 24 Oct - 22 Nov, the 30 before = 24 Sep - 23 Oct):

- c1 "Альфа" (Moscow): Direct + VK + Calltouch. Three leads in October for 3 000 RUB, one lead in
  the last 30 days for 2 500 RUB; one invoice 24 days overdue.
- c2 "Бета" (Yekaterinburg): a Google Ads cabinet export with VAT, CoMagic calls whose cabinet runs
  on Moscow time, a configured Direct login that never delivered data, two long-overdue invoices.
- c3 "Гамма": churned at the end of October.
- One invoice in the register belongs to nobody (unknown ИНН).
- A bank statement: c1 pays A-3 naming it (written with a Cyrillic "А") and the rest of A-2 by
  amount alone; c2 pays B-2's rest and B-5 in one payment, split; c2 names an invoice that does
  not exist; a payer that is no client pays; the agency's own outgoing payment is ignored.
  Invoice A-4 was declined in Bitrix24: kept, but owes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from pipelines.load.raw_schema import CONFIG_TABLES, RAW_TABLES, ddl_statements

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
AS_OF = "2026-11-23"
LOADED = datetime(2026, 11, 23, 3, 0)
EARLIER = datetime(2026, 11, 22, 3, 0)

Row = dict[str, Any]


def _lineage(origin: str, loaded_at: datetime = LOADED) -> Row:
    return {
        "_origin": origin,
        "_origin_line": 1,
        "_load_id": f"load-{loaded_at:%d%H}",
        "_loaded_at": loaded_at,
    }


def _direct(
    client: str,
    account: str,
    day: str,
    campaign: str,
    cost_rub: str,
    impressions: int,
    clicks: int,
    loaded_at: datetime = LOADED,
) -> Row:
    micros = int(Decimal(cost_rub) * 1_000_000)
    return {
        "client_id": client,
        "account_id": account,
        "date": date.fromisoformat(day),
        "campaign_id": campaign,
        "campaign_name": f"Кампания {campaign}",
        "campaign_type": "TEXT_CAMPAIGN",
        "impressions": impressions,
        "clicks": clicks,
        "cost_micros": micros,
        "conversions": None,
        **_lineage("api:direct", loaded_at),
    }


def _cabinet(day: str, campaign: str, cost: str, includes_vat: bool, vat_rate: str | None) -> Row:
    return {
        "client_id": "c2",
        "account_id": "google_ads",
        "platform": "google_ads",
        "date": date.fromisoformat(day),
        "campaign_name": campaign,
        "impressions": 1000,
        "clicks": 10,
        "cost": Decimal(cost),
        "cost_includes_vat": includes_vat,
        "vat_rate": Decimal(vat_rate) if vat_rate else None,
        **_lineage("inbox/c2/google_ads.csv"),
    }


def _calltouch(
    call_id: int,
    utc: str,
    caller: str | None,
    *,
    duration: int = 60,
    successful: bool = True,
    target: bool = True,
    unique: bool = True,
    utm: tuple[str | None, str | None] = (None, None),
    session: tuple[str | None, str | None] = (None, None),
    loaded_at: datetime = LOADED,
) -> Row:
    return {
        "client_id": "c1",
        "account_id": "111",
        "call_id": call_id,
        "call_date_local": None,
        "call_timestamp_utc": datetime.fromisoformat(utc),
        "duration": duration,
        "waiting_connect": 5,
        "successful": successful,
        "unique_call": unique,
        "target_call": target,
        "uniq_target_call": unique and target,
        "caller_number": caller,
        "phone_number": "74950000000",
        "source": session[0],
        "medium": session[1],
        "utm_source": utm[0],
        "utm_medium": utm[1],
        "utm_campaign": None,
        "utm_content": None,
        "utm_term": None,
        "city": "moscow",
        **_lineage("api:calltouch", loaded_at),
    }


def _comagic(
    call_id: int,
    moscow_time: str,
    caller: str,
    *,
    direction: str = "in",
    lost: bool = False,
    talk: int = 60,
    utm: tuple[str | None, str | None] = (None, None),
) -> Row:
    return {
        "client_id": "c2",
        "account_id": "cm1",
        "call_id": call_id,
        "start_time": datetime.fromisoformat(moscow_time),
        "finish_time": None,
        "direction": direction,
        "is_lost": lost,
        "finish_reason": None,
        "talk_duration": talk,
        "wait_duration": 3,
        "total_duration": talk + 3,
        "contact_phone_number": caller,
        "virtual_phone_number": "73430000000",
        "campaign_name": None,
        "utm_source": utm[0],
        "utm_medium": utm[1],
        "utm_campaign": None,
        "tags": "[]",
        **_lineage("api:comagic"),
    }


def _invoice(
    client: str | None,
    inn: str,
    number: str,
    issued: str,
    due: str | None,
    amount: str,
    paid: str | None,
    status: str | None = None,
    paid_on: str | None = None,
) -> Row:
    return {
        "client_id": client,
        "inn": inn,
        "invoice_number": number,
        "issued_on": date.fromisoformat(issued),
        "due_on": date.fromisoformat(due) if due else None,
        "counterparty": f"ООО {inn}",
        "amount_net": None,
        "vat_rate": Decimal("22"),
        "vat_amount": None,
        "amount": Decimal(amount),
        "paid_amount": Decimal(paid) if paid is not None else None,
        "paid_on": date.fromisoformat(paid_on) if paid_on else None,
        "payment_status": status,
        "currency": "RUB",
        **_lineage("inbox/invoices.csv"),
    }


AGENCY_ACCOUNT = "40702810900000012345"


def _payment(
    number: str,
    day: str,
    amount: str,
    payer: tuple[str | None, str | None],
    purpose: str,
    *,
    client: str | None = None,
    direction: str = "in",
    loaded_at: datetime = LOADED,
) -> Row:
    """One document of a 1C bank statement; ``payer`` is (name, ИНН)."""
    name, inn = payer
    incoming = direction == "in"
    return {
        "client_id": client,
        "document_number": number,
        "document_date": date.fromisoformat(day),
        "document_type": "Платежное поручение",
        "amount": Decimal(amount),
        "direction": direction,
        "received_on": date.fromisoformat(day) if incoming else None,
        "written_off_on": None if incoming else date.fromisoformat(day),
        "payer_name": name,
        "payer_inn": inn,
        "payer_kpp": None,
        "payer_account": f"40702810{number:0>12}" if incoming else AGENCY_ACCOUNT,
        "recipient_name": 'ООО "Агентство"' if incoming else "ООО Яндекс",
        "recipient_inn": "7705123456" if incoming else "7736207543",
        "recipient_account": AGENCY_ACCOUNT if incoming else "40702810000000099999",
        "purpose": purpose,
        **_lineage("inbox/bank/statement.txt", loaded_at),
    }


ALFA, BETA, SIDOROV = ("ООО Альфа", "7701000001"), ("ООО Бета", "7702000002"), ("ИП Сидоров", "500100732259")

RAW_ROWS: dict[str, list[Row]] = {
    "agency_settings": [
        {
            "agency_name": "Агентство",
            "reporting_currency": "RUB",
            "target_call_min_talk_seconds": 30,
            "unique_call_window_days": 30,
            "default_vat_rate": Decimal("22"),
        },
    ],
    "agency_managers": [
        {"manager_id": "m1", "name": "Анна Петрова", "email": None},
        {"manager_id": "m2", "name": "Борис Орлов", "email": None},
    ],
    "agency_clients": [
        {
            "client_id": "c1",
            "name": "Альфа",
            "inn": "7701000001",
            "manager_id": "m1",
            "currency": "RUB",
            "timezone": "Europe/Moscow",
            "start_date": date(2026, 1, 1),
            "end_date": None,
            "payment_terms_days": 10,
        },
        {
            "client_id": "c2",
            "name": "Бета",
            "inn": "7702000002",
            "manager_id": "m2",
            "currency": "RUB",
            "timezone": "Asia/Yekaterinburg",
            "start_date": date(2026, 1, 1),
            "end_date": None,
            "payment_terms_days": 5,
        },
        {
            "client_id": "c3",
            "name": "Гамма",
            "inn": "7703000003",
            "manager_id": "m1",
            "currency": "RUB",
            "timezone": "Europe/Moscow",
            "start_date": date(2026, 1, 1),
            "end_date": date(2026, 10, 31),
            "payment_terms_days": 5,
        },
    ],
    "agency_client_accounts": [
        {
            "client_id": "c1",
            "source": "yandex_direct",
            "account_id": "alfa-direct",
            "timezone": "Europe/Moscow",
        },
        {"client_id": "c1", "source": "vk_ads", "account_id": "vk1", "timezone": "Europe/Moscow"},
        {"client_id": "c1", "source": "calltouch", "account_id": "111", "timezone": "Europe/Moscow"},
        {
            "client_id": "c2",
            "source": "cabinet",
            "account_id": "google_ads",
            "timezone": "Asia/Yekaterinburg",
        },
        {"client_id": "c2", "source": "comagic", "account_id": "cm1", "timezone": "Europe/Moscow"},
        {
            "client_id": "c2",
            "source": "yandex_direct",
            "account_id": "beta-direct",
            "timezone": "Asia/Yekaterinburg",
        },
        {
            "client_id": "c3",
            "source": "yandex_direct",
            "account_id": "gamma-direct",
            "timezone": "Europe/Moscow",
        },
    ],
    "agency_monthly_plans": [
        {
            "client_id": "c1",
            "month": date(2026, 11, 1),
            "budget": Decimal("3000"),
            "leads": 10,
            "cpl_target": Decimal("300"),
            "fee": Decimal("500"),
        },
        {
            "client_id": "c2",
            "month": date(2026, 11, 1),
            "budget": Decimal("30000"),
            "leads": 5,
            "cpl_target": None,
        },
    ],
    "yandex_direct_campaign_stats": [
        _direct("c1", "alfa-direct", "2026-10-10", "d1", "3000.00", 2000, 100),
        _direct("c1", "alfa-direct", "2026-11-21", "d1", "765.44", 1000, 50),
        _direct("c1", "alfa-direct", "2026-11-22", "d1", "1234.56", 1000, 50),
        _direct("c3", "gamma-direct", "2026-09-15", "g1", "100.00", 10, 1),
    ],
    # Balances: c1's Direct shared account holds 1 000 RUB; c2's login was never read (a failed
    # read); c3 is churned.
    "ad_account_balances": [
        {
            "client_id": c,
            "source": "yandex_direct",
            "account_id": login,
            "balance_account_id": "4711",
            "amount": Decimal(amount),
            "currency": "RUB",
            "as_of": at,
            **_lineage("api:yandex_direct/balance", at),
        }
        for c, login, amount, at in (
            ("c1", "alfa-direct", "50000.00", EARLIER),
            ("c1", "alfa-direct", "1000.00", LOADED),
            ("c3", "gamma-direct", "10.00", LOADED),
        )
    ],
    "load_log": [
        {
            "load_id": "balance-c2",
            "origin": "api:yandex_direct/balance/20261123T030000",
            "kind": "balance:yandex_direct",
            "target_table": "ad_account_balances",
            "client_id": "c2",
            "account_id": "beta-direct",
            "status": "failed",
            "row_count": 0,
            "error": "AccessDeniedError: Нет прав [54]",
            "loaded_at": LOADED,
        }
    ],
    "vk_ads_campaign_stats": [
        {
            "client_id": "c1",
            "account_id": "vk1",
            "date": date(2026, 11, 22),
            "campaign_id": "555",
            "shows": 10000,
            "clicks": 20,
            "goals": 1,
            "spent": Decimal("500.00"),
            **_lineage("api:vk"),
        },
    ],
    "cabinet_campaign_stats": [
        _cabinet("2026-11-17", "Поиск", "12200.00", True, "22"),  # 10 000.00 net
        _cabinet("2026-11-18", "Поиск", "1220.00", True, None),  # agency default 22 % -> 1 000.00
        _cabinet("2026-11-19", "КМС", "500.00", False, None),  # already net
    ],
    "calltouch_calls": [
        # October: three first-time target calls from Direct = 3 leads.
        _calltouch(1, "2026-10-10 07:00:00", "79160000001", utm=("yandex", "cpc")),
        _calltouch(2, "2026-10-10 08:00:00", "79160000002", utm=("yandex", "cpc")),
        _calltouch(3, "2026-10-10 09:00:00", "79160000003", utm=("yandex", "cpc")),
        # 42 days later the same number is unique again; utm empty -> the tracker's yandex/cpc.
        _calltouch(4, "2026-11-21 07:00:00", "79160000001", session=("yandex", "cpc")),
        # A repeat the next day: a target call but not unique (Calltouch agrees), so not a lead.
        _calltouch(5, "2026-11-22 07:00:00", "79160000001", unique=False, utm=("yandex", "cpc")),
        _calltouch(
            6, "2026-11-22 08:00:00", "79160000004", duration=20, target=False, session=("google", "organic")
        ),
        # Negative duration: not answered, flagged by a warn test; (direct)/(none) -> direct.
        _calltouch(
            7,
            "2026-11-22 09:00:00",
            "79160000005",
            duration=-30,
            target=False,
            session=("(direct)", "(none)"),
        ),
        # 22:30 UTC on 22 Nov is 01:30 on 23 Nov in Moscow.
        _calltouch(8, "2026-11-22 22:30:00", "79160000006", target=False, utm=("vk", "cpm")),
    ],
    "comagic_calls": [
        # The CoMagic cabinet runs on Moscow time; the client is in Yekaterinburg (+2 h).
        _comagic(1, "2026-11-18 08:00:00", "79001112233", talk=45, utm=("google", "cpc")),
        _comagic(2, "2026-11-19 09:00:00", "79004445566", talk=29),  # too short to be a target call
        _comagic(3, "2026-11-19 09:30:00", "79007778899", direction="out", talk=300),  # outgoing: ignored
        _comagic(4, "2026-11-18 22:30:00", "79001110000", lost=True, talk=0, utm=("google", "cpc")),
        _comagic(5, "2026-11-19 10:00:00", "79001112233", talk=120, utm=("google", "cpc")),  # repeat caller
    ],
    "invoice_register_rows": [
        _invoice("c1", "7701000001", "A-1", "2026-10-01", None, "12000.00", "12000.00"),
        # 1 000 paid on 25.10 per the register; the bank pays the other 5 100 on 10.11.
        _invoice(
            "c1", "7701000001", "A-2", "2026-10-20", "2026-10-30", "6100.00", "1000.00", paid_on="2026-10-25"
        ),
        _invoice("c1", "7701000001", "A-3", "2026-11-20", None, "2440.00", None),
        # Declined in Bitrix24: past due but not a receivable.
        _invoice("c1", "7701000001", "A-4", "2026-10-05", "2026-10-15", "3000.00", "0", status="Отклонён"),
        # The loader did not match this ИНН (client configured later): matched by ИНН now.
        _invoice(None, "7702000002", "B-1", "2026-07-01", "2026-07-10", "24000.00", "0"),
        _invoice(
            "c2", "7702000002", "B-2", "2026-09-15", "2026-09-20", "1000.00", "200.00", paid_on="2026-09-18"
        ),
        _invoice("c2", "7702000002", "B-3", "2026-10-01", "2026-10-15", "3000.00", None, status="Оплачен"),
        _invoice("c2", "7702000002", "B-5", "2026-11-10", "2026-11-15", "1500.00", None),
        _invoice(None, "5000000000", "X-1", "2026-11-01", None, "999.00", None),
    ],
    "bank_statement_payments": [
        # No invoice number: A-2's outstanding 5 100 (6 100 - the register's 1 000) is the only match.
        _payment("201", "2026-11-10", "5100.00", ALFA, "Оплата за рекламные услуги", client="c1"),
        # B-2's rest (800) and B-5 (1 500) in one payment: split.
        _payment(
            "301",
            "2026-11-18",
            "2300.00",
            BETA,
            "Оплата по счетам № B-2, B-5. НДС не облагается",
            client="c2",
        ),
        _payment("302", "2026-11-19", "777.00", BETA, "Оплата по счету № B-9 от 01.11.2026", client="c2"),
        _payment("77", "2026-11-20", "1000.00", SIDOROV, "Оплата по счету 1"),
        # "А-3" with a Cyrillic А names the register's "A-3".
        _payment("202", "2026-11-21", "2440.00", ALFA, "Оплата по счету № А-3 от 20.11.2026", client="c1"),
        # The agency's own spending: not matched, not listed.
        _payment(
            "88",
            "2026-11-12",
            "150000.00",
            ('ООО "Агентство"', "7705123456"),
            "Оплата по счету № 5 за рекламу",
            direction="out",
        ),
    ],
}


def run_dbt(
    args: Sequence[str], work_dir: Path, env: Mapping[str, str], extra_vars: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``dbt <args>`` on the project with the scenario's reporting day (``--vars``, with
    ``extra_vars`` if any), its target and log folders in ``work_dir``; ``env`` adds the
    profile's variables (the build file, or the PostgreSQL server's address)."""
    dbt = Path(sys.executable).parent / "dbt"
    command = [
        str(dbt),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
        "--vars",
        json.dumps({"as_of_date": AS_OF, **(extra_vars or {})}),
    ]
    return subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env={**os.environ, **env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def create_raw_database(path: Path, rows: dict[str, list[Row]]) -> None:
    """A DuckDB build file holding the raw layer with ``rows`` (table name -> rows)."""
    tables = {**RAW_TABLES, **CONFIG_TABLES}
    with duckdb.connect(str(path)) as con:
        for statement in ddl_statements():
            con.execute(statement)
        for name, table_rows in rows.items():
            columns = tables[name].column_names
            placeholders = ", ".join("?" for _ in columns)
            con.executemany(
                f"insert into {tables[name].qualified} ({', '.join(columns)}) values ({placeholders})",
                [[row.get(c) for c in columns] for row in table_rows],
            )


class Warehouse:
    """A finished DuckDB build of the scenario: its file, dbt's results by unique id, its manifest."""

    def __init__(self, database: Path, run_results: dict[str, Any], manifest: dict[str, Any]) -> None:
        self.database = database
        self.results = {r["unique_id"]: r for r in run_results["results"]}
        self.manifest = manifest

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql, list(params)).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
        rows = self.query(sql, params)
        assert len(rows) == 1, rows
        return rows[0]

    def status_of(self, name_part: str) -> str:
        matches = [r["status"] for uid, r in self.results.items() if name_part in uid]
        assert len(matches) == 1, (name_part, matches)
        return str(matches[0])

    def failures_of(self, name_part: str) -> int:
        matches = [r["failures"] for uid, r in self.results.items() if name_part in uid]
        assert len(matches) == 1, (name_part, matches)
        return int(matches[0])


def build_on_duckdb(work_dir: Path) -> Warehouse:
    """``dbt build`` of the scenario on a fresh DuckDB file in ``work_dir`` (asserts it succeeded)."""
    database = work_dir / "build.duckdb"
    create_raw_database(database, RAW_ROWS)
    result = run_dbt(["build"], work_dir, {"AGENCY_BUILD_DB": str(database)})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    run_results = json.loads((work_dir / "target" / "run_results.json").read_text(encoding="utf-8"))
    manifest = json.loads((work_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    return Warehouse(database, run_results, manifest)


def run_generic_test(
    test_name: str, models: Sequence[str], database: Path, work_dir: Path
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """``dbt test --store-failures`` of the generic test ``test_name`` on each of ``models`` in the
    build file ``database``: dbt's result, and the tests' entries of its ``run_results.json``."""
    result = run_dbt(
        ["test", "--store-failures", "--select", *(f"test_name:{test_name},{model}" for model in models)],
        work_dir,
        {"AGENCY_BUILD_DB": str(database)},
    )
    results_file = work_dir / "target" / "run_results.json"
    if not results_file.is_file():  # dbt stopped before running anything: its output tells why
        return result, []
    run_results = json.loads(results_file.read_text(encoding="utf-8"))
    return result, [r for r in run_results["results"] if r["unique_id"].startswith("test.")]
