"""The files the demo drops into the inbox look like the vendors' real exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from demo_agency import Agency, GroundTruth, WrittenDemo, config_yaml, simulate, write_demo
from demo_agency.__main__ import main

from .conftest import read_text

NAME = re.compile(
    r"^(?:[a-z0-9-]+/(?:yandex_direct_[a-z0-9-]+_\d{4}-\d{2}(?:_reexport)?\.tsv|vk_ads_\d+_\d{4}-\d{2}\.json"
    r"|google_ads_\d{4}-\d{2}\.csv|calltouch_\d+_\d{4}-\d{2}\.json|comagic_\d+_\d{4}-\d{2}\.json"
    r"|calltouch_requests_\d+_\d{4}-\d{2}\.json|yandex_metrika_\d+_\d{4}-\d{2}\.json"
    r"|amocrm_[a-z0-9-]+_\d{4}-\d{2}\.json|bitrix24_leads_[a-z0-9.-]+_\d{4}-\d{2}\.json)"
    r"|accounting/invoices_\d{4}_Q[1-4]\.csv)$"
)
LEAD_FILE = re.compile(r"/(calltouch_requests|yandex_metrika|amocrm|bitrix24_leads)_")
LEAD_SOURCES = {"calltouch_requests", "yandex_metrika", "amocrm", "bitrix24_leads"}


def _files(written: WrittenDemo, pattern: str) -> list[Path]:
    return sorted(p for p in written.files if re.search(pattern, p.relative_to(written.inbox).as_posix()))


def _money(text: str) -> Decimal:
    return Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))


def test_layout_one_file_per_client_source_month(written: WrittenDemo, agency: Agency) -> None:
    rel = [p.relative_to(written.inbox).as_posix() for p in written.files]
    assert all(NAME.match(r) for r in rel), [r for r in rel if not NAME.match(r)]
    assert len(rel) == len(set(rel))
    on_disk = sorted(p.relative_to(written.inbox).as_posix() for p in written.inbox.rglob("*") if p.is_file())
    assert on_disk == sorted(rel)  # nothing else (no leftover .part files)
    assert written.config_path == written.out_dir / "agency.yaml"
    assert {r.split("/")[0] for r in rel} == {c.id for c in agency.clients} | {"accounting"}
    assert (
        len(_files(written, r"/yandex_direct_romashka-direct_\d{4}-\d{2}\.tsv$")) == 19
    )  # 18 months + current
    assert _files(written, r"_2026-11\.") and not _files(written, r"_2026-12\.")
    assert written.rows > 50_000
    total = sum(p.stat().st_size for p in written.files)
    assert total < 60_000_000


def test_direct_report_lines(written: WrittenDemo) -> None:
    files = _files(written, r"/yandex_direct_.*\.tsv$")
    full = bare = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n") and "\r" not in text
        lines = text.split("\n")[:-1]
        if lines[0].startswith('"'):
            full += 1
            assert re.fullmatch(r'"\S+ \(\d{4}-\d{2}-\d{2} - \d{4}-\d{2}-\d{2}\)"', lines[0])
            assert lines[-1] == f"Total rows: {len(lines) - 3}"
            rows = lines[2:-1]
        else:
            bare += 1
            rows = lines[1:]
        header = lines[1] if lines[0].startswith('"') else lines[0]
        assert (
            header == "Date\tCampaignId\tCampaignName\tCampaignType\tImpressions\tClicks\tCost\tConversions"
        )
        for row in rows:
            fields = row.split("\t")
            assert len(fields) == 8
            assert int(fields[6]) % 10_000 == 0  # micros rounded to kopecks
            assert fields[7] == "--" or fields[7].isdigit()
    assert full > 0 and bare > 0
    assert any("\t Бренд | " in p.read_text(encoding="utf-8") for p in files)  # leading space kept


def test_reexport_repeats_the_same_figures(written: WrittenDemo) -> None:
    (again,) = _files(written, r"_reexport\.tsv$")
    original = again.with_name(again.name.replace("_reexport", ""))

    def rows(path: Path) -> list[str]:
        return [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if re.match(r"\d{4}-\d{2}-\d{2}\t", line)
        ]

    assert rows(again) == rows(original) and rows(again)
    assert again.read_bytes() != original.read_bytes()  # exported with other header settings


def test_vk_json_totals_and_both_money_shapes(written: WrittenDemo) -> None:
    kinds = set()
    for path in _files(written, r"/vk_ads_.*\.json$"):
        data = json.loads(path.read_text(encoding="utf-8"))
        spent_total = Decimal(0)
        for item in data["items"]:
            assert isinstance(item["id"], int)
            spent = [Decimal(str(r["base"]["spent"])) for r in item["rows"]]
            kinds |= {type(r["base"]["spent"]) for r in item["rows"]}
            assert Decimal(str(item["total"]["base"]["spent"])) == sum(spent)
            assert item["total"]["base"]["shows"] == sum(r["base"]["shows"] for r in item["rows"])
            spent_total += sum(spent)
        assert Decimal(str(data["total"]["base"]["spent"])) == spent_total
    assert kinds == {str, float}


def test_cabinet_csv_is_cp1251_with_decimal_commas(written: WrittenDemo) -> None:
    files = _files(written, r"/google_ads_.*\.csv$")
    assert files
    for path in files:
        raw = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("cp1251")
        assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert rows[0] == ["Дата", "Кампания", "Показы", "Клики", "Расход"]
        assert rows[-1][0] == "Итого"
        body = rows[1:-1]
        assert all(
            re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", r[0]) and re.fullmatch(r"\d+,\d{2}", r[4]) for r in body
        )
        assert _money(rows[-1][4]) == sum(_money(r[4]) for r in body)
        assert int(rows[-1][2]) == sum(int(r[2]) for r in body)


def test_calltouch_json_shapes_and_moscow_clock(written: WrittenDemo, agency: Agency) -> None:
    moscow = ZoneInfo("Europe/Moscow")
    shapes = set()
    placeholder = False
    for path in _files(written, r"/calltouch_\d+_.*\.json$"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            shapes.add("paged")
            assert data["page"] == data["pageTotal"] == 1 and data["recordsTotal"] == len(data["records"])
            records = data["records"]
        else:
            shapes.add("array")
            records = data
        for r in records:
            local = dt.datetime.strptime(r["date"], "%d/%m/%Y %H:%M:%S").replace(tzinfo=moscow)
            assert int(local.timestamp()) == r["timestamp"]
            assert f"{local:%Y-%m}" in path.name  # one file per month of the shown date
            assert re.fullmatch(r"79\d{9}", r["callerNumber"])
            assert isinstance(r["successful"], bool) and isinstance(r["targetCall"], bool)
            placeholder |= r["utmSource"] == "<не указано>"
    assert shapes == {"paged", "array"}
    assert placeholder


def test_comagic_jsonrpc_in_account_time_zone(written: WrittenDemo, agency: Agency) -> None:
    files = _files(written, r"/comagic_.*\.json$")
    assert files
    client = next(c for c in agency.clients if c.account("comagic") is not None)
    account = client.account("comagic")
    assert account is not None
    zone = ZoneInfo(client.account_timezone(account))
    by_id = {c.call_id: c for c in agency.calls if c.tracker == "comagic"}
    seen = 0
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["jsonrpc"] == "2.0" and "error" not in data
        rows = data["result"]["data"]
        assert data["result"]["metadata"]["total_items"] == len(rows)
        for r in rows:
            call = by_id[r["id"]]
            assert r["start_time"] == call.started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
            assert r["is_lost"] is (not call.answered)
            assert r["total_duration"] == r["wait_duration"] + r["talk_duration"]
            seen += 1
    assert seen == len(by_id)


def test_invoice_registers_alternate_encodings_and_add_up(written: WrittenDemo, truth: GroundTruth) -> None:
    files = _files(written, r"^accounting/")
    assert len(files) == 7  # 2025 Q2 .. 2026 Q4
    encodings = set()
    by_number = {i.invoice_number: i for i in truth.invoices}
    listed = []
    for path in files:
        raw = path.read_bytes()
        encodings.add("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "cp1251")
        text = read_text(path)
        lines = text.split("\r\n")
        assert lines[0].startswith("Реестр счетов на оплату") and lines[1].startswith("Организация:")
        assert re.fullmatch(r"Период: \d{2}\.\d{2}\.\d{4} - \d{2}\.\d{2}\.\d{4}", lines[2]) and lines[3] == ""
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))[4:]
        assert rows[0][:4] == ["Дата", "Номер", "Контрагент", "ИНН"] and rows[0][-1] == "Статус оплаты"
        footer, body = rows[-1], rows[1:-1]
        assert footer[0] == "Итого" and _money(footer[7]) == sum(_money(r[7]) for r in body)
        for r in body:
            inv = by_number[r[1]]
            listed.append(r[1])
            assert _money(r[7]) == inv.amount and _money(r[6]) == inv.vat_amount
            assert _money(r[9]) == inv.paid_amount
            assert r[8] == f"{inv.due_on:%d.%m.%Y}"
            assert r[10] == (f"{inv.paid_on:%d.%m.%Y}" if inv.paid_on else "")
            expected = (
                "Оплачен"
                if inv.outstanding == 0
                else ("Не оплачен" if inv.paid_amount == 0 else "Частично оплачен")
            )
            assert r[11] == expected
            assert r[5] in ("20%", "22%")
    assert sorted(listed) == sorted(by_number)
    assert encodings == {"cp1251", "utf-8-sig"}
    joined = "".join(read_text(p) for p in files)
    assert "\u00a0" in joined and re.search(r"\d \d{3},\d{2}", joined)  # NBSP and plain-space thousands


def test_same_seed_and_day_give_byte_identical_files(written: WrittenDemo, tmp_path: Path) -> None:
    again = write_demo(simulate(dt.date(2026, 11, 17)), tmp_path, vendor_files=True)
    assert [p.relative_to(again.out_dir) for p in again.files] == [
        p.relative_to(written.out_dir) for p in written.files
    ]
    for mine, theirs in zip(again.files, written.files, strict=True):
        assert mine.read_bytes() == theirs.read_bytes(), mine.name
    assert again.config_path.read_bytes() == written.config_path.read_bytes()


def _pipeline_config(path: Path) -> Any:
    """The configuration as the pipeline validates it. While the pipeline's registry has no lead
    sources yet, their accounts and keys are left out first (they are checked by
    ``test_config_yaml_writes_the_lead_accounts``)."""
    config_module = pytest.importorskip("pipelines.load.config")
    sources = pytest.importorskip("pipelines.load.sources")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not set(sources.ACCOUNT_SOURCES) >= LEAD_SOURCES:
        for client in data["clients"]:
            client.pop("lead_priority", None)
            client["accounts"] = [a for a in client["accounts"] if a["source"] not in LEAD_SOURCES]
    return config_module.parse_config(data, source=str(path))


def test_config_yaml_loads_with_the_pipeline_validator(written: WrittenDemo, agency: Agency) -> None:
    config = _pipeline_config(written.config_path)
    assert [c.id for c in config.clients] == [c.id for c in agency.clients]
    assert config.agency.name == "Демо-агентство «Пиксель»"
    romashka = config.client("romashka")
    assert romashka.inn == agency.client("romashka").inn
    written_accounts = {(a.source, a.id) for a in agency.client("romashka").accounts}
    validated = {(a.source, a.id) for a in romashka.accounts}
    assert validated in (written_accounts, {a for a in written_accounts if a[0] not in LEAD_SOURCES})
    churned = next(c for c in agency.clients if c.end_date)
    assert config.client(churned.id).end_date == churned.end_date
    assert romashka.plans and romashka.plans[-1].month == dt.date(2026, 12, 1)


def test_config_yaml_writes_the_lead_accounts(agency: Agency) -> None:
    data = yaml.safe_load(config_yaml(agency))
    clients = {c["id"]: c for c in data["clients"]}
    accounts = {(c, a["source"]): a for c, client in clients.items() for a in client["accounts"]}
    calltouch = {c for c, source in accounts if source == "calltouch"}
    requests = {c for c, source in accounts if source == "calltouch_requests"}
    assert requests < calltouch and len(requests) >= len(calltouch) * 2 / 3  # most Calltouch clients
    for client_id in requests:
        assert accounts[(client_id, "calltouch_requests")]["id"] == accounts[(client_id, "calltouch")]["id"]
    assert accounts[("vektor", "calltouch_requests")]["via"] == "inbox"
    metrika = {c: a for (c, source), a in accounts.items() if source == "yandex_metrika"}
    assert sorted(metrika) == ["romashka", "volgaavto"]
    goals = {(g.counter_id, g.id): g for g in agency.goals}
    for account in metrika.values():
        assert account["attribution"] == "lastsign" and "via" not in account
        listed = [goals[(str(account["id"]), goal_id)] for goal_id in account["goals"]]
        # the user goal and, by mistake, the phone auto-goal; never the call goal
        assert [(g.type, g.automatic) for g in listed] == [("action", False), ("phone", True)]
    assert accounts[("stroymaster", "amocrm")]["id"] == "stroymaster"
    assert clients["stroymaster"]["lead_priority"] == ["amocrm"]
    assert accounts[("uralteplo", "bitrix24_leads")]["id"] == "uralteplo.bitrix24.ru"
    assert clients["okna"]["lead_priority"] == ["calltouch_requests"]
    assert "lead_priority" not in clients["romashka"]


def test_connector_parsers_read_every_file_and_match_ground_truth(
    written: WrittenDemo, truth: GroundTruth
) -> None:
    files_module = pytest.importorskip("connectors.files")
    spend: dict[str, Decimal] = defaultdict(Decimal)
    calls: dict[str, set[int]] = defaultdict(set)
    invoices: dict[str, dict[str, object]] = {}
    for path in written.files:
        if path.name.endswith("_reexport.tsv") or LEAD_FILE.search(path.as_posix()):
            continue  # lead files: test_lead_files_hold_every_record_of_their_source
        result = files_module.parse_file(path.read_bytes(), path.name)
        client_id = path.parent.name
        for row in result.rows:
            if "cost_micros" in row:
                spend[client_id] += Decimal(int(row["cost_micros"])) / 1_000_000
            elif "spent" in row:
                spend[client_id] += Decimal(str(row["spent"]))
            elif "cost" in row:
                spend[client_id] += Decimal(str(row["cost"]))
            elif "call_id" in row:
                calls[client_id].add(int(row["call_id"]))
            else:
                invoices[str(row["invoice_number"])] = row
    for client_id, totals in truth.all_totals().items():
        assert spend[client_id] == totals.spend, client_id
        assert len(calls[client_id]) == totals.calls, client_id
    for inv in truth.invoices:
        row = invoices[inv.invoice_number]
        assert Decimal(str(row["amount"])) == inv.amount
        assert Decimal(str(row["paid_amount"] or 0)) == inv.paid_amount
        assert row["paid_on"] == inv.paid_on and row["due_on"] == inv.due_on


def test_lead_files_hold_every_record_of_their_source(written: WrittenDemo, truth: GroundTruth) -> None:
    """Each lead export parses with its connector's parser and holds what the reconciliation
    counts as that system's records (and excluded records, where the file can tell)."""
    calltouch = pytest.importorskip("connectors.calltouch")
    metrika = pytest.importorskip("connectors.yandex_metrika")
    amocrm = pytest.importorskip("connectors.amocrm")
    bitrix24 = pytest.importorskip("connectors.bitrix24")
    records: dict[tuple[str, str], int] = defaultdict(int)
    excluded: dict[tuple[str, str], int] = defaultdict(int)  # not for Metrika: a report has no goal types
    for path in written.files:
        match = LEAD_FILE.search(path.as_posix())
        if match is None:
            continue
        key, content = (path.parent.name, match[1]), path.read_bytes()
        if key[1] == "calltouch_requests":
            rows = calltouch.parse_requests(content).rows
            records[key] += len(rows)
            excluded[key] += sum(row["uniq_target_request"] is False for row in rows)
        elif key[1] == "yandex_metrika":
            rows = metrika.parse_goal_report(content, attribution="lastsign").rows
            records[key] += sum(int(row["reaches"]) for row in rows)
        elif key[1] == "amocrm":
            rows = amocrm.parse_leads(content).rows
            records[key] += len(rows)
            excluded[key] += sum(bool(row["is_deleted"]) for row in rows)
            assert all(row["contact_id"] for row in rows)
        else:
            rows = bitrix24.parse_leads(content).rows
            records[key] += len(rows)
            excluded[key] += sum(row["status_id"] == "JUNK" for row in rows)
            assert any(row["phone"] for row in rows) and any(row["email"] for row in rows)
    expected: dict[tuple[str, str], int] = defaultdict(int)
    expected_excluded: dict[tuple[str, str], int] = defaultdict(int)
    for r in truth.lead_reconciliation:
        if r.source in LEAD_SOURCES:
            expected[(r.client_id, r.source)] += r.records
            if r.source != "yandex_metrika":
                expected_excluded[(r.client_id, r.source)] += r.excluded_records
    assert dict(records) == dict(expected)
    assert dict(excluded) == dict(expected_excluded)


def test_cli_writes_a_small_demo_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path), "--today", "2026-03-20", "--clients", "4", "--months", "2"]) == 0
    out = capsys.readouterr().out.strip()
    assert re.fullmatch(
        r"demo agency: 4 clients, \d+ inbox files, \d+ rows -> .* served by fake APIs .*", out
    )
    assert (tmp_path / "agency.yaml").exists()
    assert json.loads((tmp_path / "demo_world.json").read_text()) == {
        "today": "2026-03-20",
        "seed": 7,
        "months": 2,
        "clients": 4,
    }
    # by default only the cabinet CSVs, the invoice registers and the requests journal of the
    # client who exports it by hand are files; the rest is served by APIs
    names = {p.relative_to(tmp_path / "inbox").as_posix() for p in (tmp_path / "inbox").rglob("*.*")}
    assert names and all(
        re.match(r"[a-z]+/(google_ads_|invoices_|calltouch_requests_\d+_2026-0[123]\.json$)", n)
        for n in names
    ), names
    assert {n.split("/")[0] for n in names if "/calltouch_requests_" in n} == {"vektor"}
    files = tmp_path / "files"
    assert (
        main(
            [
                "--out",
                str(files),
                "--today",
                "2026-03-20",
                "--clients",
                "4",
                "--months",
                "2",
                "--vendor-files",
            ]
        )
        == 0
    )
    assert {p.name for p in (files / "inbox").iterdir()} == {
        "romashka",
        "stroymaster",
        "uralteplo",
        "vektor",
        "accounting",
    }


def test_cli_rejects_a_bad_date(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--today", "17.11.2026"])
    assert "YYYY-MM-DD" in capsys.readouterr().err
