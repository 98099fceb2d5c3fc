"""The manager's approval, corrections sent on purpose, Telegram through the send path, the reports'
state on the portfolio, and the sensor that sends what was approved.

The agency, its serving file and the local SMTP server are :mod:`tests.reports.test_dispatch`'s;
Telegram is the fake Bot API on 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import duckdb
import pytest

from dashboard import deliveries
from delivery import SendKey, SendLog
from pipelines.load.config import AgencyConfig, parse_config
from reports.build import FORMATS, render_report
from reports.cli import EXIT_OK, main
from reports.status import report_states
from tests.dashboard.serving_fixture import build_serving_db
from tests.fakes.smtp import FakeSmtp, free_port
from tests.fakes.telegram import FakeTelegram
from tests.reports.test_dispatch import (
    ALFA_FAILED,
    GOOD,
    OCTOBER,
    SEND_DAY,
    Agency,
    config_text,
    make_agency,
    parse,
)

TOKEN = "7012345678:AAHk3-FAKE_token_for_tests_only_xyz"


@pytest.fixture(scope="module")
def serving_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_serving_db(tmp_path_factory.mktemp("serving") / "serving.duckdb")


def change_spend(agency: Agency, client: str, day: str, spend: float) -> None:
    """A restatement: the platform revised one day's spend (the nightly run re-published)."""
    with duckdb.connect(str(agency.settings.serving_db)) as con:
        (rows,) = con.execute(
            "select count(*) from client_channel_daily where client_id = ? and date = ?", [client, day]
        ).fetchone() or (0,)
        assert rows > 0, f"the fixture has no {client} row on {day}"
        con.execute(
            "update client_channel_daily set spend = spend + ? where client_id = ? and date = ? "
            "and channel = (select min(channel) from client_channel_daily where client_id = ? and date = ?)",
            [spend, client, day, client, day],
        )


def body(raw: bytes) -> str:
    part = parse(raw).get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_a_correction_goes_once_as_the_next_revision_and_only_when_the_figures_changed(
    tmp_path: Path, serving_template: Path
) -> None:
    with FakeSmtp() as server:
        agency = make_agency(tmp_path, serving_template, server.port, GOOD)
        (sent,) = agency.run(server, clients=["alfa"])
        assert sent.status == "sent" and len(server.received) == 1

        # Re-sending without a change: every recipient already has these figures.
        (same,) = agency.run(server, period=OCTOBER, clients=["alfa"], correction="пересчёт")
        assert same.status == "already_sent" and len(server.received) == 1
        assert [o.status for o in same.outcomes] == ["skipped"]
        assert "already has this version (revision 0" in str(same.outcomes[0].reason)

        # The platform revised a day of October: the manager re-sends with the reason.
        change_spend(agency, "alfa", "2026-10-14", 1234.5)
        reason = "расходы Яндекс Директа за 14 октября пересчитаны площадкой"
        (fixed,) = agency.run(server, period=OCTOBER, clients=["alfa"], correction=reason)
        assert fixed.status == "sent" and fixed.digest != sent.digest
        assert len(server.received) == 2
        mail = parse(server.received[1].content)
        assert mail["Subject"] == "Исправленный отчёт за октябрь 2026 — Альфа Строй"
        assert f"Мы исправили отчёт: {reason}. Эта версия заменяет отправленную ранее." in body(
            server.received[1].content
        )
        history = agency.send_log.history(client="alfa", period="2026-10")
        assert [(r.status, r.revision, r.reason) for r in history] == [
            ("sent", 0, None),
            ("sent", 1, reason),
        ]
        assert history[1].digest == fixed.digest and history[1].files == fixed.files

        # The same correction run again (a retry, a second person): nothing new goes out; the
        # regular morning run does not send revision 0 again either.
        (again,) = agency.run(server, period=OCTOBER, clients=["alfa"], correction=reason)
        assert again.status == "already_sent" and len(server.received) == 2
        assert agency.run(server, SEND_DAY + dt.timedelta(days=1), clients=["alfa"])[0].status == (
            "already_sent"
        )
        assert len(server.received) == 2


def test_a_correction_skips_a_recipient_who_never_had_the_report_and_needs_a_period(
    tmp_path: Path, serving_template: Path
) -> None:
    with FakeSmtp() as server:
        agency = make_agency(tmp_path, serving_template, server.port, GOOD)
        (dispatch,) = agency.run(server, period=OCTOBER, clients=["beta"], correction="typo")
        assert dispatch.status == "already_sent" and server.received == []
        assert {o.reason for o in dispatch.outcomes} == {
            "never sent this report: a correction goes only to those who had it"
        }
        with pytest.raises(ValueError, match="names its period"):
            agency.run(server, clients=["beta"], correction="typo")


def test_the_command_resends_a_correction_and_refuses_one_without_a_period(
    tmp_path: Path,
    serving_template: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeSmtp() as server:
        agency = make_agency(tmp_path, serving_template, server.port, GOOD)
        for name, value in (
            ("AGENCY_SERVING_DB", agency.settings.serving_db),
            ("AGENCY_CONFIG", agency.settings.config_path),
            ("AGENCY_DATA_DIR", agency.settings.data_dir),
        ):
            monkeypatch.setenv(name, str(value))
        assert main(["send", "--date", "2026-11-05", "--client", "alfa"]) == EXIT_OK
        assert main(["send", "--client", "alfa", "--resend", "why"]) == 2
        assert "--resend needs --period" in capsys.readouterr().err
        change_spend(agency, "alfa", "2026-10-20", 99.0)
        assert main(["send", "--period", "2026-10", "--client", "alfa", "--resend", "пересчёт"]) == EXIT_OK
        assert "✓ alfa (Альфа Строй) 2026-10: sent" in capsys.readouterr().out
        assert [mail.rcpt_tos for mail in server.received] == [("director@alfa.example",)] * 2
        assert main(["send", "--period", "2026-10", "--client", "alfa", "--resend", "пересчёт"]) == EXIT_OK
        assert "nothing to correct" in capsys.readouterr().out and len(server.received) == 2


def dashboard_setup(agency: Agency, today: dt.date = SEND_DAY) -> deliveries.Setup:
    return deliveries.Setup(agency.settings, agency.config, today)


def test_a_reviewed_report_waits_for_the_approval_of_its_figures(
    tmp_path: Path, serving_template: Path
) -> None:
    with FakeSmtp() as server:
        agency = make_agency(tmp_path, serving_template, server.port, GOOD)
        setup = dashboard_setup(agency)
        (waiting,) = agency.run(server, clients=["gamma"])
        assert waiting.status == "awaiting_review" and waiting.approval is None and server.received == []

        # Only the viewer's clients, and only a report that is awaiting approval, can be approved.
        with pytest.raises(deliveries.ApprovalRefused, match="not one of the viewer's clients"):
            deliveries.approve(setup, "gamma", "2026-10", allowed=["alfa"], who="Анна Иванова")
        with pytest.raises(deliveries.ApprovalRefused, match="not awaiting approval"):
            deliveries.approve(setup, "alfa", "2026-10", allowed=["alfa"], who="Анна Иванова")

        approval = deliveries.approve(setup, "gamma", "2026-10", allowed=["gamma"], who="Пётр Петров")
        assert approval.digest == waiting.digest and approval.who == "Пётр Петров"
        assert [s.state for s in deliveries.report_states(setup, ["gamma"])] == ["approved"]

        # The platform revised October after the approval: the approved figures are not the ones
        # the report says now, so it waits for a new approval and nothing goes.
        change_spend(agency, "gamma", "2026-10-03", 500.0)
        (changed,) = agency.run(server, clients=["gamma"])
        assert changed.status == "awaiting_review" and changed.approval == approval
        assert server.received == []
        (state,) = deliveries.report_states(setup, ["gamma"])
        assert state.state == "awaiting_review" and state.approval == approval
        assert deliveries.details(state, "ru").startswith("цифры изменились после одобрения Пётр Петров")

        deliveries.approve(setup, "gamma", "2026-10", allowed=["gamma"], who="Пётр Петров")
        (sent,) = agency.run(server, clients=["gamma"])
        assert sent.status == "sent" and server.received[0].rcpt_tos == ("owner@gamma.example",)
        assert [s.state for s in deliveries.report_states(setup, ["gamma"])] == ["sent"]


def test_the_report_states_say_what_waits_and_why_most_urgent_first(
    tmp_path: Path, serving_template: Path
) -> None:
    port = free_port()
    agency = make_agency(tmp_path, serving_template, port, ALFA_FAILED)
    every = ["alfa", "beta", "gamma", "delta"]
    # Before the 3rd working day nothing is due; delta has no recipients and is never listed.
    early = report_states(agency.settings, agency.config, dt.date(2026, 11, 3), every)
    assert [(s.client_id, s.state, s.due_on) for s in early] == [
        ("alfa", "not_due", SEND_DAY),
        ("beta", "not_due", SEND_DAY),
        ("gamma", "not_due", SEND_DAY),
    ]
    assert not agency.settings.send_log.exists()  # reading the states creates nothing

    with FakeSmtp(refuse={"cmo@beta.example": "550 5.1.1 No such user"}) as server:
        agency.settings.config_path.write_text(config_text(server.port), encoding="utf-8")
        agency = dataclasses.replace(agency, config=parse_config_text(config_text(server.port)))
        agency.run(server)
    states = report_states(agency.settings, agency.config, SEND_DAY, every)
    assert [(s.client_id, s.state) for s in states] == [
        ("alfa", "held"),
        ("beta", "failed"),
        ("gamma", "awaiting_review"),
    ]
    alfa, beta, gamma = states
    assert (
        deliveries.details(alfa, "en") == "Account yandex_direct/alfa-direct: the last load failed (error 53)"
    )
    assert beta.failure is not None and beta.failure.key.recipient == "email:cmo@beta.example"
    assert [r.key.recipient for r in beta.sent] == ["email:ceo@beta.example"]
    assert "No such user" in deliveries.details(beta, "ru")
    assert deliveries.details(gamma, "ru") == "данные окончательны; посмотрите PDF и одобрите отправку"

    table = deliveries.states_table(states, "ru")
    assert list(table.columns) == ["Клиент", "Период", "Состояние", "Подробности"]
    assert table["Состояние"].tolist() == ["Задержан", "Не доставлен", "Ждёт одобрения"]
    assert table["Период"].tolist() == ["Октябрь 2026"] * 3

    # Only the asked clients are read: a manager sees their own.
    assert [s.client_id for s in report_states(agency.settings, agency.config, SEND_DAY, ["gamma"])] == [
        "gamma"
    ]


def parse_config_text(text: str) -> AgencyConfig:
    import yaml

    return parse_config(yaml.safe_load(text))


def test_a_telegram_recipient_gets_the_pdf_and_the_workbook_through_the_send_command(
    tmp_path: Path, serving_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agency = make_agency(tmp_path, serving_template, free_port(), GOOD)
    text = config_text(free_port()).replace(
        "recipients: [{email: director@alfa.example}]", "recipients: [{telegram: -1001234567890}]"
    )
    agency.settings.config_path.write_text(text, encoding="utf-8")
    with FakeTelegram(TOKEN) as bot:
        for name, value in (
            ("AGENCY_SERVING_DB", str(agency.settings.serving_db)),
            ("AGENCY_CONFIG", str(agency.settings.config_path)),
            ("AGENCY_DATA_DIR", str(agency.settings.data_dir)),
            ("TELEGRAM_BOT_TOKEN", TOKEN),
            ("TELEGRAM_API_URL", bot.url),
        ):
            monkeypatch.setenv(name, value)
        assert main(["send", "--date", "2026-11-05", "--client", "alfa"]) == EXIT_OK
        assert main(["send", "--date", "2026-11-06", "--client", "alfa"]) == EXIT_OK  # nothing new
    (call,) = bot.calls
    assert call.method == "sendMediaGroup" and call.chat_id == "-1001234567890"
    assert sorted(upload.filename for upload in call.files.values()) == [
        "alfa_2026-10_ru.pdf",
        "alfa_2026-10_ru.xlsx",
    ]
    pdf = next(u for u in call.files.values() if u.filename.endswith(".pdf"))
    assert pdf.content.startswith(b"%PDF-") and pdf.content_type == "application/pdf"
    # The log names the file sent (its hash) and what it said (the digest, branding aside).
    rendered = render_report(agency.settings.serving_db, "alfa", OCTOBER, formats=FORMATS)
    (record,) = SendLog(agency.settings.send_log).history(client="alfa")
    assert record.key.recipient == "telegram:-1001234567890" and record.digest == rendered.digest
    assert dict(record.files)["alfa_2026-10_ru.pdf"] == hashlib.sha256(pdf.content).hexdigest()
    assert TOKEN.split(":")[1] not in agency.settings.send_log.read_bytes().decode("utf-8", "replace")


def test_an_older_send_log_is_upgraded_in_place_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "send_log.sqlite3"
    with sqlite3.connect(path) as db:  # the schema of version 1, as the last release wrote it
        db.executescript(
            """
            CREATE TABLE deliveries (id INTEGER PRIMARY KEY, client TEXT NOT NULL, period TEXT NOT NULL,
                formats TEXT NOT NULL, recipient TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('sent', 'failed')), files TEXT NOT NULL,
                subject TEXT NOT NULL, reason TEXT, who TEXT NOT NULL, at TEXT NOT NULL);
            CREATE UNIQUE INDEX deliveries_sent_once ON deliveries (client, period, formats, recipient)
                WHERE status = 'sent';
            INSERT INTO deliveries (client, period, formats, recipient, status, files, subject, who, at)
                VALUES ('alfa', '2026-10', 'pdf,xlsx', 'email:director@alfa.example', 'sent', '[]',
                        'Отчёт', 'dagster run 1', '2026-11-05T09:00:00+00:00');
            PRAGMA user_version = 1;
            """
        )
    log = SendLog(path, who="test")
    key = SendKey.of("alfa", "2026-10", FORMATS, "email:director@alfa.example")
    old = log.already_sent(key)
    assert old is not None and old.revision == 0 and old.digest is None and old.who == "dagster run 1"
    revised = log.record(key.revised(1), [("alfa_2026-10_ru.pdf", "ab" * 32)], digest="d1")
    assert log.last_sent(key) == revised and revised.revision == 1
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (2,)
        db.execute(
            "INSERT INTO approvals (client, period, formats, digest, who, at) "
            "VALUES ('a', 'p', 'pdf', 'd', 'w', 'now')"
        )
        for statement in ("UPDATE approvals SET who = 'x'", "DELETE FROM approvals"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)


def test_the_sensor_starts_the_send_job_once_per_new_approval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster import RunRequest, SkipReason, build_sensor_context

    from pipelines.defs.reports import approved_reports

    data = tmp_path / "data"
    monkeypatch.setenv("AGENCY_DATA_DIR", str(data))
    first = approved_reports(build_sensor_context())
    assert isinstance(first, SkipReason) and "nothing was approved" in str(first.skip_message)

    log = SendLog(data / "delivery" / "send_log.sqlite3", who="test")
    log.approve("gamma", "2026-10", FORMATS, "d" * 64, who="Пётр Петров")
    context = build_sensor_context()
    request = approved_reports(context)
    assert isinstance(request, RunRequest) and request.run_key == "approvals-1"
    assert request.tags["agency/trigger"] == "approval"
    assert context.cursor == "1"
    again = approved_reports(build_sensor_context(cursor="1"))
    assert isinstance(again, SkipReason) and again.skip_message == "no new approval"
    log.approve("gamma", "2026-10", FORMATS, "e" * 64, who="Пётр Петров")
    later = approved_reports(build_sensor_context(cursor="1"))
    assert isinstance(later, RunRequest) and later.run_key == "approvals-2"

    from pipelines.defs.definitions import defs

    sensor = defs.resolve_sensor_def("approved_reports")
    assert sensor.job_name == "send_reports" and defs.resolve_job_def(sensor.job_name).name == "send_reports"


def test_the_portfolio_shows_the_reports_state_and_a_manager_approves_one(
    tmp_path: Path, serving_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.dashboard.conftest import APP

    agency = make_agency(tmp_path, serving_template, free_port(), ALFA_FAILED)
    for name, value in (
        ("AGENCY_SERVING_DB", str(agency.settings.serving_db)),
        ("AGENCY_CONFIG", str(agency.settings.config_path)),
        ("AGENCY_DATA_DIR", str(agency.settings.data_dir)),
        ("AGENCY_AS_OF", SEND_DAY.isoformat()),
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AGENCY_DASHBOARD_MANAGER", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["viewer"] = "m_petrov"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Отчёты клиентам" in [s.value for s in at.subheader]
    (table,) = [d.value for d in at.dataframe if "Состояние" in d.value.columns]
    # Пётр Петров sees only his clients: gamma waits for him; alfa (held) is Анна Иванова's.
    assert table.to_dict("records") == [
        {
            "Клиент": "Гамма Мебель",
            "Период": "Октябрь 2026",
            "Состояние": "Ждёт одобрения",
            "Подробности": "данные окончательны; посмотрите PDF и одобрите отправку",
        }
    ]
    assert "Ждут вашего одобрения: 1" in [e.label for e in at.expander]
    at.button(key="review_approve_gamma_2026-10").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == [
        "Отчёт Гамма Мебель за Октябрь 2026 одобрен: он уйдёт получателям в ближайшие минуты."
    ]
    (table,) = [d.value for d in at.dataframe if "Состояние" in d.value.columns]
    assert table["Состояние"].tolist() == ["Одобрен"]
    assert table["Подробности"].iloc[0].startswith("одобрил Пётр Петров (dashboard)")
    (approval,) = SendLog(agency.settings.send_log).approvals(client="gamma")
    assert approval[1].who == "Пётр Петров (dashboard)" and approval[1].period == "2026-10"

    # The agency head sees every client's report, the held one with its reason.
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    (table,) = [d.value for d in at.dataframe if "Состояние" in d.value.columns]
    assert table[["Клиент", "Состояние"]].values.tolist() == [
        ["Альфа Строй", "Задержан"],
        ["Гамма Мебель", "Одобрен"],
        ["Бета Клиник", "Уйдёт с рассылкой"],
    ]
    assert "последняя загрузка не удалась (error 53)" in table["Подробности"].iloc[0]
