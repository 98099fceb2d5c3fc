from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.load.config import AgencyConfig, parse_config
from pipelines.load.inbox import process_inbox
from pipelines.load.warehouse import DuckDBRawStore

FIXTURES = Path(__file__).resolve().parents[1] / "connectors" / "fixtures"

CONFIG = {
    "agency": {"name": "Тест"},
    "managers": [{"id": "ivanova", "name": "Мария"}],
    "clients": [
        {
            "id": "romashka",
            "name": "Ромашка",
            "inn": "7707083893",
            "manager": "ivanova",
            "start_date": "2025-01-01",
            "accounts": [
                {"source": "yandex_direct", "id": "romashka-direct"},
                {"source": "vk_ads", "id": "9001"},
                {"source": "calltouch", "id": "25918"},
                {"source": "comagic", "id": "77"},
                {"source": "cabinet", "id": "google_ads"},
            ],
        },
        {
            "id": "ivanov",
            "name": "ИП Иванов",
            "inn": "500100732259",
            "manager": "ivanova",
            "start_date": "2025-01-01",
        },
    ],
}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / name for name in ("inbox", "archive", "quarantine")}
    paths["db"] = tmp_path / "build.duckdb"
    return paths


def drop(env: dict[str, Path], fixture: str, rel: str) -> None:
    dest = env["inbox"] / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / fixture, dest)


def run(env: dict[str, Path], config: AgencyConfig | None = None):
    with DuckDBRawStore(env["db"]) as store:
        store.ensure_schema()
        report = process_inbox(
            inbox=env["inbox"],
            archive=env["archive"],
            quarantine=env["quarantine"],
            config=config or parse_config(CONFIG),
            store=store,
        )
        return report, store.con.execute(
            "SELECT count(*), sum(cost_micros) FROM raw.yandex_direct_campaign_stats"
        ).fetchone()


def test_good_files_load_bad_files_are_quarantined_with_a_reason(env: dict[str, Path]) -> None:
    drop(env, "yandex_direct_report.tsv", "romashka/yandex_direct_2026-03.tsv")
    drop(env, "vk_ads_campaigns_day.json", "romashka/vk_2026-03.json")
    drop(env, "calltouch_calls_paged.json", "romashka/calltouch.json")
    drop(env, "comagic_calls_report.json", "romashka/comagic.json")
    drop(env, "google_ads_cabinet_cp1251.csv", "romashka/google_ads_2026-03.csv")
    drop(env, "invoices_1c_cp1251.csv", "accounting/2026/реестр.csv")
    # a register with a broken amount on its second data row
    bad = (FIXTURES / "invoices_1c_cp1251.csv").read_bytes().replace(b"50\xa0000,00;", b"50\xa00x0,00;", 1)
    (env["inbox"] / "accounting" / "bad.csv").write_bytes(bad)
    drop(env, "yandex_direct_report.tsv", "stranger/direct.tsv")  # not a configured client
    drop(env, "yandex_direct_report.tsv", "direct_at_top.tsv")  # no client folder
    drop(env, "google_ads_cabinet_cp1251.csv", "romashka/cabinet_export.csv")  # platform unknown
    (env["inbox"] / "romashka" / "notes.txt").write_text("позвонить клиенту", encoding="utf-8")

    report, direct = run(env)

    assert sorted(o.origin for o in report.loaded) == [
        "accounting/2026/реестр.csv",
        "romashka/calltouch.json",
        "romashka/comagic.json",
        "romashka/google_ads_2026-03.csv",
        "romashka/vk_2026-03.json",
        "romashka/yandex_direct_2026-03.tsv",
    ]
    # the file's own totals: 4 rows, 1234.56 + 2050 + 0 + 5310 RUB in micros
    assert direct == (4, 8_594_560_000)
    rejected = {o.origin: o.error or "" for o in report.rejected}
    assert set(rejected) == {
        "accounting/bad.csv",
        "stranger/direct.tsv",
        "direct_at_top.tsv",
        "romashka/cabinet_export.csv",
        "romashka/notes.txt",
    }
    assert "line 7" in rejected["accounting/bad.csv"] and "0x0,00" in rejected["accounting/bad.csv"]
    assert "known clients: ivanov, romashka" in rejected["stranger/direct.tsv"]
    assert "google_ads_2026-10.csv" in rejected["romashka/cabinet_export.csv"]
    sidecar = env["quarantine"] / "accounting" / "bad.csv.error.txt"
    assert sidecar.read_text(encoding="utf-8").startswith("accounting/bad.csv: line 7")
    assert "kind: invoice_register" in sidecar.read_text(encoding="utf-8")
    assert (env["quarantine"] / "accounting" / "bad.csv").exists()
    assert not any(p.is_file() for p in env["inbox"].rglob("*"))
    assert len([p for p in env["archive"].rglob("*") if p.is_file()]) == 6


def test_same_file_twice_and_overlapping_exports_never_duplicate(env: dict[str, Path]) -> None:
    drop(env, "yandex_direct_report.tsv", "romashka/a.tsv")
    _, first = run(env)
    drop(env, "yandex_direct_report.tsv", "romashka/a.tsv")
    report, second = run(env)
    assert first == second == (4, 8_594_560_000)
    assert len(report.loaded) == 1
    # the archive keeps both copies
    assert len([p for p in env["archive"].rglob("*.tsv")]) == 2


def test_invoices_match_clients_by_inn_and_keep_unknown_ones(env: dict[str, Path]) -> None:
    drop(env, "invoices_1c_cp1251.csv", "r1.csv")
    drop(env, "invoices_excel_utf8sig.csv", "r2.csv")
    run(env)
    with DuckDBRawStore(env["db"]) as store:
        rows = store.con.execute(
            "SELECT invoice_number, inn, client_id FROM raw.invoice_register_rows ORDER BY ALL"
        ).fetchall()
    assert ("148", "500100732259", "ivanov") in rows
    assert any(client is None for _, _, client in rows)  # unknown ИНН kept, not dropped
    assert len(rows) == len({(n, i) for n, i, _ in rows})


def test_a_rejected_file_does_not_touch_rows_loaded_before(env: dict[str, Path]) -> None:
    drop(env, "yandex_direct_report.tsv", "romashka/a.tsv")
    _, before = run(env)
    truncated = (
        (FIXTURES / "yandex_direct_report.tsv").read_bytes().replace(b"Total rows: 4", b"Total rows: 9")
    )
    (env["inbox"] / "romashka").mkdir(parents=True, exist_ok=True)
    (env["inbox"] / "romashka" / "a.tsv").write_bytes(truncated)
    report, after = run(env)
    assert [o.origin for o in report.rejected] == ["romashka/a.tsv"]
    assert after == before


def test_a_bank_statement_anywhere_in_the_inbox_loads_with_payers_matched_by_inn(
    env: dict[str, Path],
) -> None:
    drop(env, "bank_statement_cp1251.txt", "bank/2026-03/kl_to_1c.txt")
    drop(env, "bank_statement_dos_cp866.txt", "bank/dos.txt")
    report, _ = run(env)
    assert [o.kind for o in report.loaded] == ["bank_statement_1c", "bank_statement_1c"]
    report_again, _ = run(env)  # nothing left in the inbox
    assert report_again.outcomes == []
    drop(env, "bank_statement_cp1251.txt", "bank/again.txt")  # the same statement dropped twice
    run(env)
    with DuckDBRawStore(env["db"]) as store:
        rows = store.con.execute(
            "SELECT direction, payer_inn, client_id, amount FROM raw.bank_statement_payments ORDER BY ALL"
        ).fetchall()
        keys = store.con.execute(
            "SELECT count(*), count(DISTINCT "
            "(payer_account, document_date, document_number, direction, amount)) "
            "FROM raw.bank_statement_payments"
        ).fetchone()
    assert keys is not None and keys[0] == keys[1]  # never duplicated
    incoming = [r for r in rows if r[0] == "in"]
    assert ("in", "500100732259", "ivanov") in [r[:3] for r in incoming]  # payer matched to the client
    assert any(client is None for _, _, client, _ in incoming)  # unknown payers kept, not dropped
    assert any(direction == "out" for direction, *_ in rows)  # the agency's own payments kept too


def _raw_direct_rows(env: dict[str, Path]) -> list[tuple[object, ...]]:
    with DuckDBRawStore(env["db"]) as store:
        return store.con.execute(
            "SELECT * EXCLUDE (_load_id, _loaded_at) FROM raw.yandex_direct_campaign_stats "
            "ORDER BY date, campaign_id, _origin_line"
        ).fetchall()


@pytest.mark.parametrize("dotted", [False, True], ids=["micros", "dotted money"])
def test_the_fast_direct_reader_loads_the_same_raw_rows_as_the_row_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dotted: bool
) -> None:
    from connectors import files
    from tests.connectors.test_yandex_direct_fast import generated_report

    content = generated_report(20_000, dotted=dotted, seed=7)
    loaded = {}
    for how in ("fast", "rows"):
        if how == "rows":
            monkeypatch.setattr(files, "_TABLE_PARSERS", {})
        paths = {name: tmp_path / how / name for name in ("inbox", "archive", "quarantine")}
        paths["db"] = tmp_path / how / "build.duckdb"
        (paths["inbox"] / "romashka").mkdir(parents=True)
        (paths["inbox"] / "romashka" / "direct.tsv").write_bytes(content)
        report, _ = run(paths)
        assert [o.status for o in report.outcomes] == ["loaded"]
        loaded[how] = (report.outcomes[0].rows, _raw_direct_rows(paths))
    assert loaded["fast"] == loaded["rows"]
    assert loaded["fast"][0] > 19_000  # a few random keys collide and are summed
