"""Sending the due reports: the schedule, the readiness gate, the send log and a real local SMTP
server (aiosmtpd), through :func:`reports.dispatch.send_due_reports` and ``python -m reports send``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import hashlib
import shutil
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

import duckdb
import pytest
import yaml

from dashboard.periods import Period
from delivery import Channels, SendLog
from pipelines.load.config import AgencyConfig, parse_config
from pipelines.load.settings import Settings
from reports.cli import EXIT_NO_SERVING, EXIT_OK, EXIT_SEND_FAILED, EXIT_USAGE, main
from reports.dispatch import Dispatch, due_periods, hold_reason, send_due_reports
from reports.readiness import Hold
from tests.dashboard.serving_fixture import build_serving_db
from tests.fakes.smtp import FakeSmtp, free_port

OCTOBER = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
SEND_DAY = dt.date(2026, 11, 5)
"""The 3rd working day of November 2026 (the 4th is a public holiday)."""

CONFIG = """
agency:
  name: Агентство «Пример»
  restatement: {ads_days: 3, calls_days: 3}
  branding: {primary_color: "#0B6E4F", contact_line: "hello@primer.example"}
managers:
  - {id: m_ivanova, name: Анна Иванова, email: ivanova@primer.example}
  - {id: m_petrov, name: Пётр Петров}
clients:
  - id: alfa
    name: Альфа Строй
    inn: "7707083893"
    manager: m_ivanova
    start_date: 2024-03-01
    accounts: [{source: yandex_direct, id: alfa-direct}]
    report:
      recipients: [{email: director@alfa.example}]
  - id: beta
    name: Бета Клиник
    inn: "7728168971"
    manager: m_ivanova
    start_date: 2025-06-15
    language: en
    accounts: [{source: yandex_direct, id: beta-direct}]
    report:
      recipients: [{email: ceo@beta.example}, {email: cmo@beta.example}]
  - id: gamma
    name: Гамма Мебель
    inn: "7736050003"
    manager: m_petrov
    start_date: 2023-11-01
    accounts: [{source: yandex_direct, id: gamma-direct}]
    report:
      recipients: [{email: owner@gamma.example}]
      review: true
  - {id: delta, name: Дельта Авто, inn: "7702070139", manager: m_petrov, start_date: 2024-01-10,
     end_date: 2026-10-31}
delivery:
  from: "Агентство «Пример» <reports@primer.example>"
  smtp: {host: 127.0.0.1, port: PORT, starttls: false}
  monthly_on_working_day: 3
"""

Run = tuple[str, str, str, str, str, str, str | None]

GOOD: list[Run] = [
    (client, "yandex_direct", f"{client}-direct", "covered", "2026-09-14", "2026-11-22", None)
    for client in ("alfa", "beta", "gamma")
]
ALFA_FAILED: list[Run] = [
    ("alfa", "yandex_direct", "alfa-direct", "covered", "2026-09-14", "2026-10-27", None),
    ("alfa", "yandex_direct", "alfa-direct", "failed", "2026-10-28", "2026-11-02", "error 53"),
    ("alfa", "yandex_direct", "alfa-direct", "covered", "2026-11-03", "2026-11-22", None),
    *GOOD[1:],
]


@pytest.fixture(scope="module")
def serving_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_serving_db(tmp_path_factory.mktemp("serving") / "serving.duckdb")


def set_coverage(path: Path, runs: Sequence[Run]) -> None:
    """Replace the serving file's ``account_coverage`` with ``runs``."""
    with duckdb.connect(str(path)) as con:
        con.execute("drop table account_coverage")
        con.execute(
            "create table account_coverage (client_id varchar, source varchar, account_id varchar, "
            "status varchar, day_from date, day_to date, last_loaded_at timestamp, "
            "last_failed_at timestamp, last_error varchar)"
        )
        for client, source, account, status, day_from, day_to, error in runs:
            con.execute(
                "insert into account_coverage values (?, ?, ?, ?, ?, ?, null, null, ?)",
                [client, source, account, status, day_from, day_to, error],
            )


@dataclasses.dataclass
class Agency:
    settings: Settings
    config: AgencyConfig
    send_log: SendLog

    def run(self, server: FakeSmtp | None, today: dt.date = SEND_DAY, **kwargs: object) -> list[Dispatch]:
        channels = Channels.from_config(self.config.delivery, env={})
        with channels:
            return send_due_reports(
                self.settings,
                self.config,
                today,
                channels=channels,
                send_log=self.send_log,
                **kwargs,  # type: ignore[arg-type]
            )


def config_text(port: int) -> str:
    return CONFIG.replace("PORT", str(port))


def make_agency(tmp_path: Path, serving_template: Path, port: int, runs: Sequence[Run]) -> Agency:
    data = tmp_path / "data"
    serving = data / "serving" / "serving.duckdb"
    serving.parent.mkdir(parents=True)
    shutil.copy(serving_template, serving)
    set_coverage(serving, runs)
    config_path = tmp_path / "agency.yaml"
    config_path.write_text(config_text(port), encoding="utf-8")
    settings = Settings.for_directory(data, config_path)
    config = parse_config(yaml.safe_load(config_text(port)))
    return Agency(settings, config, SendLog(settings.send_log, who="test"))


def parse(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def by_client(dispatches: Sequence[Dispatch]) -> dict[str, Dispatch]:
    return {d.client_id: d for d in dispatches}


def test_a_failed_account_holds_only_its_clients_report_until_the_coverage_is_fixed(
    tmp_path: Path, serving_template: Path
) -> None:
    with FakeSmtp() as server:
        agency = make_agency(tmp_path, serving_template, server.port, ALFA_FAILED)
        first = by_client(agency.run(server))
        # delta has no recipients: no dispatch; gamma is reviewed first: nothing sent.
        assert set(first) == {"alfa", "beta", "gamma"}
        alfa, beta, gamma = first["alfa"], first["beta"], first["gamma"]
        assert alfa.status == "held" and alfa.period == OCTOBER and alfa.period_name == "2026-10"
        assert alfa.holds == (Hold("account_failed", "yandex_direct", "alfa-direct", error="error 53"),)
        assert alfa.outcomes == () and not alfa.failed
        assert hold_reason(alfa.holds[0], "ru") == (
            "Кабинет yandex_direct/alfa-direct: последняя загрузка не удалась (error 53)"
        )
        assert (
            hold_reason(alfa.holds[0], "en")
            == "Account yandex_direct/alfa-direct: the last load failed (error 53)"
        )
        assert gamma.status == "awaiting_review" and gamma.outcomes == ()
        assert beta.status == "sent"
        assert [(o.recipient.key, o.status) for o in beta.outcomes] == [
            ("email:ceo@beta.example", "sent"),
            ("email:cmo@beta.example", "sent"),
        ]
        assert [name for name, _ in beta.files] == ["beta_2026-10_en.pdf", "beta_2026-10_en.xlsx"]

        # Only beta's report arrived: once per recipient, in English, with the PDF and the workbook.
        assert sorted(r for mail in server.received for r in mail.rcpt_tos) == [
            "ceo@beta.example",
            "cmo@beta.example",
        ]
        mail = parse(server.received[0].content)
        assert mail["Subject"] == "Report for October 2026 — Бета Клиник"
        assert mail["From"].addresses[0].addr_spec == "reports@primer.example"
        attachments = {part.get_filename(): part for part in mail.iter_attachments()}
        assert set(attachments) == {"beta_2026-10_en.pdf", "beta_2026-10_en.xlsx"}
        pdf = attachments["beta_2026-10_en.pdf"]
        assert pdf.get_content_type() == "application/pdf"
        content = pdf.get_content()
        assert isinstance(content, bytes) and content.startswith(b"%PDF-")
        assert dict(beta.files)["beta_2026-10_en.pdf"] == hashlib.sha256(content).hexdigest()
        history = agency.send_log.history(client="beta", period="2026-10")
        assert [(r.key.recipient, r.status) for r in history] == [
            ("email:ceo@beta.example", "sent"),
            ("email:cmo@beta.example", "sent"),
        ]
        assert history[0].files == beta.files

        # A second run the same day (or later) sends nothing new.
        second = by_client(agency.run(server, SEND_DAY + dt.timedelta(days=1)))
        assert {c: d.status for c, d in second.items()} == {
            "alfa": "held",
            "beta": "already_sent",
            "gamma": "awaiting_review",
        }
        assert len(server.received) == 2

        # The failed days are re-pulled: the held report goes out, and only it.
        set_coverage(agency.settings.serving_db, GOOD)
        third = by_client(agency.run(server, SEND_DAY + dt.timedelta(days=2)))
        assert third["alfa"].status == "sent" and third["beta"].status == "already_sent"
        assert len(server.received) == 3
        alfa_mail = parse(server.received[2].content)
        assert server.received[2].rcpt_tos == ("director@alfa.example",)
        assert alfa_mail["Subject"] == "Отчёт за октябрь 2026 — Альфа Строй"
        assert {p.get_filename() for p in alfa_mail.iter_attachments()} == {
            "alfa_2026-10_ru.pdf",
            "alfa_2026-10_ru.xlsx",
        }
        assert "Анна Иванова" in str(alfa_mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]

        fourth = by_client(agency.run(server, SEND_DAY + dt.timedelta(days=3)))
        assert fourth["alfa"].status == fourth["beta"].status == "already_sent"
        assert len(server.received) == 3


def test_nothing_is_due_before_the_nth_working_day(tmp_path: Path, serving_template: Path) -> None:
    agency = make_agency(tmp_path, serving_template, free_port(), GOOD)
    alfa = agency.config.client("alfa")
    # 1-3 November are working days, the 4th a holiday: the 3rd working day is the 5th.
    assert due_periods(agency.config, alfa, dt.date(2026, 11, 4)) == []
    assert due_periods(agency.config, alfa, SEND_DAY) == [OCTOBER]
    assert agency.run(None, dt.date(2026, 11, 4)) == []
    # Weekly reports: the previous ISO week from Monday (weekly_on's default).
    weekly = alfa.model_copy(update={"report": alfa.report.model_copy(update={"weekly": True})})
    assert due_periods(agency.config, weekly, dt.date(2026, 11, 2)) == [
        Period(dt.date(2026, 10, 26), dt.date(2026, 11, 1))
    ]
    assert due_periods(agency.config, weekly, dt.date(2026, 11, 1)) == [  # a Sunday
        Period(dt.date(2026, 10, 19), dt.date(2026, 10, 25))
    ]
    assert due_periods(agency.config, weekly, SEND_DAY) == [
        OCTOBER,
        Period(dt.date(2026, 10, 26), dt.date(2026, 11, 1)),
    ]


def test_a_dry_run_sends_and_records_nothing(tmp_path: Path, serving_template: Path) -> None:
    with FakeSmtp() as server:
        agency = make_agency(tmp_path, serving_template, server.port, GOOD)
        dispatches = by_client(agency.run(server, clients=["alfa"], dry_run=True))
        assert list(dispatches) == ["alfa"]
        assert dispatches["alfa"].status == "would_send"
        assert [name for name, _ in dispatches["alfa"].files] == [
            "alfa_2026-10_ru.pdf",
            "alfa_2026-10_ru.xlsx",
        ]
        assert server.received == []
        assert agency.send_log.history() == []


def test_an_explicit_period_is_sent_whatever_the_day(tmp_path: Path, serving_template: Path) -> None:
    with FakeSmtp() as server:
        agency = make_agency(tmp_path, serving_template, server.port, GOOD)
        week = Period(dt.date(2026, 11, 2), dt.date(2026, 11, 8))
        (dispatch,) = agency.run(server, dt.date(2026, 11, 20), clients=["alfa"], period=week)
        assert dispatch.status == "sent" and dispatch.period_name == "2026-W45"
        assert server.received[0].rcpt_tos == ("director@alfa.example",)


@pytest.fixture
def cli_env(tmp_path: Path, serving_template: Path, monkeypatch: pytest.MonkeyPatch) -> Agency:
    agency = make_agency(tmp_path, serving_template, free_port(), ALFA_FAILED)
    monkeypatch.setenv("AGENCY_SERVING_DB", str(agency.settings.serving_db))
    monkeypatch.setenv("AGENCY_CONFIG", str(agency.settings.config_path))
    monkeypatch.setenv("AGENCY_DATA_DIR", str(agency.settings.data_dir))
    monkeypatch.delenv("AGENCY_SMTP_PASSWORD", raising=False)
    return agency


def serve_on(agency: Agency, server: FakeSmtp) -> None:
    agency.settings.config_path.write_text(config_text(server.port), encoding="utf-8")


def test_the_command_sends_says_why_a_report_is_held_and_exits_0(
    cli_env: Agency, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeSmtp() as server:
        serve_on(cli_env, server)
        assert main(["send", "--date", "2026-11-05", "--dry-run"]) == EXIT_OK
        assert server.received == []
        assert "would send beta_2026-10_en.pdf" in capsys.readouterr().out

        assert main(["send", "--date", "2026-11-05"]) == EXIT_OK
        out = capsys.readouterr().out
        held = "alfa (Альфа Строй) 2026-10: held: Кабинет yandex_direct/alfa-direct: "
        assert held + "последняя загрузка не удалась (error 53)" in out
        assert "✓ beta (Бета Клиник) 2026-10: sent beta_2026-10_en.pdf, beta_2026-10_en.xlsx" in out
        waiting = "gamma (Гамма Мебель) 2026-10: awaiting the manager's approval on the dashboard"
        assert waiting in out
        assert len(server.received) == 2

        assert main(["send", "--date", "2026-11-06", "--lang", "en"]) == EXIT_OK
        out = capsys.readouterr().out
        assert "held: Account yandex_direct/alfa-direct: the last load failed (error 53)" in out
        assert "beta (Бета Клиник) 2026-10: already sent" in out
        assert len(server.received) == 2

        assert main(["send", "--date", "2026-11-04"]) == EXIT_OK
        assert "nothing due" in capsys.readouterr().out


def test_the_command_exits_3_when_a_send_fails(cli_env: Agency, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeSmtp(refuse={"ceo@beta.example": "550 5.1.1 No such user"}) as server:
        serve_on(cli_env, server)
        assert main(["send", "--date", "2026-11-05", "--client", "beta"]) == EXIT_SEND_FAILED
        captured = capsys.readouterr()
        assert "beta (Бета Клиник) 2026-10: partly sent" in captured.err
        assert "email:ceo@beta.example: failed" in captured.err
        assert [mail.rcpt_tos for mail in server.received] == [("cmo@beta.example",)]
    # The refused recipient is retried next time; the other one is not sent again.
    with FakeSmtp() as server:
        serve_on(cli_env, server)
        assert main(["send", "--date", "2026-11-06", "--client", "beta"]) == EXIT_OK
        assert [mail.rcpt_tos for mail in server.received] == [("ceo@beta.example",)]


def test_the_command_exit_codes_for_usage_and_a_missing_serving_file(
    cli_env: Agency, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert main(["send", "--date", "2026-11-05", "--client", "nobody"]) == EXIT_USAGE
    assert "unknown client 'nobody'" in capsys.readouterr().err
    assert main(["send", "--period", "2026-13"]) == EXIT_USAGE
    with pytest.raises(SystemExit) as exited:
        main(["send", "--date", "5.11.2026"])
    assert exited.value.code == EXIT_USAGE
    broken = tmp_path / "broken.yaml"
    broken.write_text("agency: {}\n", encoding="utf-8")
    monkeypatch.setenv("AGENCY_CONFIG", str(broken))
    assert main(["send", "--date", "2026-11-05"]) == EXIT_USAGE
    monkeypatch.setenv("AGENCY_SERVING_DB", str(tmp_path / "none.duckdb"))
    assert main(["send", "--date", "2026-11-05"]) == EXIT_NO_SERVING


@pytest.mark.parametrize(
    ("hold", "ru", "en"),
    [
        (
            Hold("not_served"),
            "Клиент не обслуживался в этом периоде",
            "The client was not served in the period",
        ),
        (
            Hold("account_not_covered", "calltouch", "25918", covered_to=dt.date(2026, 10, 25)),
            "Кабинет calltouch/25918: данные загружены только по 25.10.2026",
            "Account calltouch/25918: data loaded only through 25 Oct 2026",
        ),
        (
            Hold("account_not_covered", "calltouch_requests", "25918"),
            "Кабинет calltouch_requests/25918: за период ничего не загружено",
            "Account calltouch_requests/25918: nothing of the period was loaded",
        ),
        (
            Hold("restatement_open", settles_on=dt.date(2026, 11, 15)),
            "Данные за период ещё пересчитываются площадками: окончательны с 15.11.2026",
            "The platforms may still revise the period's data: final on 15 Nov 2026",
        ),
    ],
)
def test_every_hold_is_worded_in_both_languages(hold: Hold, ru: str, en: str) -> None:
    assert hold_reason(hold, "ru") == ru
    assert hold_reason(hold, "en") == en


def test_the_dagster_job_sends_what_is_settled_lists_holds_and_fails_on_a_failed_send(
    tmp_path: Path, serving_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.defs.reports import send_reports_job
    from pipelines.defs.resources import AgencyEnvironment

    monkeypatch.delenv("AGENCY_SMTP_PASSWORD", raising=False)
    with FakeSmtp() as server:
        agency = make_agency(tmp_path, serving_template, server.port, ALFA_FAILED)
        settings = dataclasses.replace(agency.settings, as_of=SEND_DAY)
        resources = {"agency": AgencyEnvironment.from_settings(settings)}
        result = send_reports_job.execute_in_process(resources=resources)
        assert result.success
        (materialized,) = [e for e in result.all_node_events if e.event_type_value == "STEP_OUTPUT"]
        metadata = materialized.event_specific_data.metadata  # type: ignore[union-attr]
        table = str(metadata["reports"].value)
        assert (
            "| alfa | 2026-10 | held | Account yandex_direct/alfa-direct: the last load failed (error 53) |"
            in table
        )
        assert "| beta | 2026-10 | sent |" in table
        assert metadata["sent"].value == 1 and metadata["held"].value == 1
        assert sorted(r for mail in server.received for r in mail.rcpt_tos) == [
            "ceo@beta.example",
            "cmo@beta.example",
        ]
        # The next morning: nothing new goes out.
        again = send_reports_job.execute_in_process(resources=resources)
        assert again.success and len(server.received) == 2

    # Alfa is settled now, but its mail server refuses the address: the run fails and says so.
    set_coverage(settings.serving_db, GOOD)
    with FakeSmtp(refuse={"director@alfa.example": "550 5.1.1 No such user"}) as server:
        agency.settings.config_path.write_text(config_text(server.port), encoding="utf-8")
        failed = send_reports_job.execute_in_process(resources=resources, raise_on_error=False)
    assert not failed.success
    failure = failed.failure_data_for_node("send_due_client_reports")
    assert failure is not None and failure.error is not None
    assert "could not be sent" in failure.error.message
