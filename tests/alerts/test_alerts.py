"""Alerts end to end: incidents from the serving file, told once by e-mail (a local SMTP server)
and Telegram (a fake Bot API on 127.0.0.1), resolved once, held through quiet hours."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml

from alerts import IncidentLog, Problem, run_check
from alerts.check import CheckResult, incident_log_path
from delivery import Channels, EmailChannel, TelegramChannel
from pipelines.load.config import AgencyConfig, ConfigError, parse_config
from tests.dashboard.serving_fixture import build_serving_db
from tests.fakes.smtp import FakeSmtp
from tests.fakes.telegram import FakeTelegram
from tests.reports.test_dispatch import GOOD, Agency, config_text, make_agency, parse, set_coverage

TOKEN = "7012345678:AAHk3-FAKE_token_for_tests_only_xyz"
CHAT = -1001234567890
MORNING = dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.UTC)  # 10:30 in Moscow
EXPIRED = "error 53: the OAuth token has expired"
ALFA_EXPIRED = [
    ("alfa", "yandex_direct", "alfa-direct", "covered", "2026-09-14", "2026-11-20", None),
    ("alfa", "yandex_direct", "alfa-direct", "failed", "2026-11-21", "2026-11-22", EXPIRED),
    *GOOD[1:],
]
ALERTS = """
alerts:
  on_call: [{telegram: -1001234567890}, {email: oncall@primer.example}]
"""


@pytest.fixture(scope="module")
def serving_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_serving_db(tmp_path_factory.mktemp("serving") / "serving.duckdb")


def with_alerts(agency: Agency, port: int, extra: str = "") -> Agency:
    text = config_text(port) + ALERTS + extra
    agency.settings.config_path.write_text(text, encoding="utf-8")
    config = parse_config(yaml.safe_load(text))
    return Agency(agency.settings, config, agency.send_log)


@pytest.fixture
def servers() -> Iterator[tuple[FakeSmtp, FakeTelegram]]:
    with FakeSmtp() as smtp, FakeTelegram(TOKEN) as bot:
        yield smtp, bot


def check(agency: Agency, bot: FakeTelegram, now: dt.datetime = MORNING) -> CheckResult:
    with Channels(
        email=EmailChannel.from_config(agency.config.delivery, {}),
        telegram=TelegramChannel(TOKEN, base_url=bot.url),
    ) as channels:
        return run_check(agency.settings, agency.config, channels=channels, now=now)


def subjects(smtp: FakeSmtp) -> list[tuple[tuple[str, ...], str]]:
    return [(mail.rcpt_tos, str(parse(mail.content)["Subject"])) for mail in smtp.received]


def test_an_expired_token_alerts_once_and_its_fix_once(
    tmp_path: Path, serving_template: Path, servers: tuple[FakeSmtp, FakeTelegram]
) -> None:
    smtp, bot = servers
    agency = with_alerts(make_agency(tmp_path, serving_template, smtp.port, ALFA_EXPIRED), smtp.port)
    first = check(agency, bot)
    assert [(what, inc.key) for what, inc in first.changes] == [
        ("opened", "account_failed:yandex_direct:alfa-direct")
    ]
    # the on-call engineer by Telegram and e-mail, and alfa's manager (Анна Иванова) by e-mail
    (call,) = bot.calls
    assert call.method == "sendMessage" and call.chat_id == str(CHAT)
    assert EXPIRED in call.fields["text"] and "Альфа Строй" in call.fields["text"]
    assert "Что делать: проверьте доступ" in call.fields["text"]
    assert sorted(rcpt for rcpt, _ in subjects(smtp)) == [
        ("ivanova@primer.example",),
        ("oncall@primer.example",),
    ]
    assert {s for _, s in subjects(smtp)} == {"⚠️ Проблема: Альфа Строй — кабинет не загружается"}

    # The second night fails the same way: nothing new is sent.
    second = check(agency, bot, MORNING + dt.timedelta(days=1))
    assert second.changes == () and second.announced == ()
    assert len(bot.calls) == 1 and len(smtp.received) == 2

    # The token is renewed and the days re-pulled: "resolved", once.
    set_coverage(agency.settings.serving_db, GOOD)
    third = check(agency, bot, MORNING + dt.timedelta(days=2))
    assert [what for what, _ in third.changes] == ["resolved"]
    assert len(bot.calls) == 2 and "\nРешено · Альфа Строй: загрузка кабинета" in bot.calls[1].fields["text"]
    assert [s for _, s in subjects(smtp)][2:] == ["✅ Решено: Альфа Строй — кабинет не загружается"] * 2
    assert check(agency, bot, MORNING + dt.timedelta(days=2, hours=1)).announced == ()
    assert len(bot.calls) == 2 and len(smtp.received) == 4
    assert TOKEN.split(":")[1] not in incident_log_path(agency.settings).read_bytes().decode(
        "utf-8", "replace"
    )


def set_balance(serving: Path, client: str, amount: str, days_left: str | None, status: str) -> None:
    with duckdb.connect(str(serving)) as con:
        con.execute(
            "update ad_account_balances set amount = ?, avg_daily_spend_7d = 8000, days_left = ?, status = ? "
            "where client_id = ?",
            [amount, days_left, status, client],
        )


def test_a_low_balance_alerts_the_manager_once_and_the_top_up_resolves_it(
    tmp_path: Path, serving_template: Path, servers: tuple[FakeSmtp, FakeTelegram]
) -> None:
    smtp, bot = servers
    agency = with_alerts(make_agency(tmp_path, serving_template, smtp.port, GOOD), smtp.port)
    serving = agency.settings.serving_db
    set_balance(serving, "beta", "12000.00", "1.5", "low")
    first = check(agency, bot)
    assert [(what, inc.key) for what, inc in first.changes] == [
        ("opened", "balance_low:yandex_direct:beta-clinic")
    ]
    (call,) = bot.calls
    assert (
        "Бета Клиник: на счёте yandex_direct/beta-clinic осталось 12\u00a0000,00 RUB — на 1,5 дн. "
        "при расходе 8\u00a0000,00 RUB в день (порог 3 дн.). Что делать: пополните счёт"
        in call.fields["text"]
    )
    assert sorted(rcpt for rcpt, _ in subjects(smtp)) == [
        ("ivanova@primer.example",),
        ("oncall@primer.example",),
    ]
    assert {s for _, s in subjects(smtp)} == {"⚠️ Проблема: Бета Клиник — на счёте кончаются деньги"}

    # The next night the money is gone: the same incident, nothing new is sent.
    set_balance(serving, "beta", "0.00", "0.0", "empty")
    assert check(agency, bot, MORNING + dt.timedelta(days=1)).changes == ()
    assert len(bot.calls) == 1 and len(smtp.received) == 2

    # The client pays, the account is topped up: "resolved", once.
    set_balance(serving, "beta", "96000.00", "12.0", "ok")
    third = check(agency, bot, MORNING + dt.timedelta(days=2))
    assert [(what, inc.kind) for what, inc in third.changes] == [("resolved", "balance_low")]
    assert (
        "Решено · Бета Клиник: на счёте yandex_direct/beta-clinic закончились деньги"
        in bot.calls[1].fields["text"]
    )
    assert check(agency, bot, MORNING + dt.timedelta(days=2, hours=1)).announced == ()
    assert len(bot.calls) == 2 and len(smtp.received) == 4


def test_quiet_hours_hold_the_alert_until_they_end(
    tmp_path: Path, serving_template: Path, servers: tuple[FakeSmtp, FakeTelegram]
) -> None:
    smtp, bot = servers
    agency = make_agency(tmp_path, serving_template, smtp.port, ALFA_EXPIRED)
    agency = with_alerts(agency, smtp.port, '  quiet_hours: "22:00-08:00"\n  notify_managers: false\n')
    night = dt.datetime(2026, 11, 23, 20, 30, tzinfo=dt.UTC)  # 23:30 in Moscow
    held = check(agency, bot, night)
    assert held.quiet and held.announced == () and len(held.waiting) == 1
    assert bot.calls == [] and smtp.received == []
    morning = dt.datetime(2026, 11, 24, 5, 5, tzinfo=dt.UTC)  # 08:05 in Moscow
    told = check(agency, bot, morning)
    assert not told.quiet and len(told.announced) == 1 and told.changes == ()
    assert len(bot.calls) == 1 and [r for r, _ in subjects(smtp)] == [("oncall@primer.example",)]


def test_a_digest_is_one_message_per_recipient_and_an_unreachable_one_is_retried(
    tmp_path: Path, serving_template: Path, servers: tuple[FakeSmtp, FakeTelegram]
) -> None:
    smtp, bot = servers
    runs = [
        *ALFA_EXPIRED[:2],
        ("beta", "yandex_direct", "beta-direct", "covered", "2026-09-14", "2026-11-10", None),
        GOOD[2],
    ]
    agency = make_agency(tmp_path, serving_template, smtp.port, runs)
    agency = with_alerts(agency, smtp.port, "  digest: true\n  notify_managers: false\n")
    bot.blocked.add(str(CHAT))  # the bot was removed from the on-call chat
    result = check(agency, bot)
    assert sorted(inc.kind for _, inc in result.changes) == ["account_failed", "account_stale"]
    (mail,) = smtp.received
    assert parse(mail.content)["Subject"] == "Отчётность агентства: 2 новых проблем, 0 решено"
    body = str(parse(mail.content).get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert "кабинет yandex_direct/beta-direct загружен только по 2026-11-10" in body
    # e-mail reached somebody, so both changes count as told; Telegram failed and said why
    assert len(result.announced) == 2 and result.waiting == ()
    assert any(o.status == "failed" and "blocked" in str(o.reason) for o in result.outcomes)


def test_a_change_nobody_received_waits_for_the_next_check(tmp_path: Path, serving_template: Path) -> None:
    with FakeTelegram(TOKEN) as bot:
        agency = make_agency(tmp_path, serving_template, 1, ALFA_EXPIRED)
        text = config_text(1).replace("  smtp: {host: 127.0.0.1, port: 1, starttls: false}\n", "")
        text = text.replace("      recipients: [{email: director@alfa.example}]\n", "      recipients: []\n")
        text = text.replace(
            "      recipients: [{email: ceo@beta.example}, {email: cmo@beta.example}]\n",
            "      recipients: []\n",
        ).replace("      recipients: [{email: owner@gamma.example}]\n", "      recipients: []\n")
        text += "alerts:\n  on_call: [{telegram: -1001234567890}]\n"
        config = parse_config(yaml.safe_load(text))
        agency = Agency(agency.settings, config, agency.send_log)
        bot.blocked.add(str(CHAT))
        with Channels(telegram=TelegramChannel(TOKEN, base_url=bot.url)) as channels:
            first = run_check(agency.settings, config, channels=channels, now=MORNING)
        assert first.announced == () and len(first.waiting) == 1
        bot.blocked.discard(str(CHAT))
        with Channels(telegram=TelegramChannel(TOKEN, base_url=bot.url)) as channels:
            second = run_check(
                agency.settings, config, channels=channels, now=MORNING + dt.timedelta(hours=1)
            )
        assert second.changes == () and len(second.announced) == 1
        assert "\nПроблема · Альфа Строй" in bot.calls[-1].fields["text"]


def test_incidents_of_kinds_not_checked_stay_open(tmp_path: Path) -> None:
    log = IncidentLog(tmp_path / "incidents.sqlite3")
    run = Problem("run_failed", "run_failed:refresh", None, {"job": "refresh", "error": "boom"})
    assert [w for w, _ in log.reconcile([run], {"run_failed"})] == ["opened"]
    assert log.reconcile([], {"account_failed"}) == []  # a data check does not resolve a run failure
    assert [i.key for i in log.open()] == ["run_failed:refresh"]
    assert [w for w, _ in log.reconcile([], {"run_failed"})] == ["resolved"]
    assert log.to_announce() == []  # opened and cleared before anyone was told: nothing to say


def test_alert_settings_are_checked(tmp_path: Path) -> None:
    base = config_text(25)
    for bad, message in (
        ('alerts: {quiet_hours: "25:00-08:00"}\n', "is not a range of hours"),
        ('alerts: {on_call: [{telegram: "not a chat"}]}\n', "is not a Telegram chat"),
    ):
        with pytest.raises((ConfigError, ValueError), match=message):
            parse_config(yaml.safe_load(base + bad))
    no_mail = base.replace("  smtp: {host: 127.0.0.1, port: 25, starttls: false}\n", "")
    no_mail = (
        no_mail.replace("{email: director@alfa.example}", "{telegram: 1}")
        .replace("{email: ceo@beta.example}, {email: cmo@beta.example}", "{telegram: 2}")
        .replace("{email: owner@gamma.example}", "{telegram: 3}")
    )
    with pytest.raises((ConfigError, ValueError), match=r"alerts.on_call\[0\]: e-mail needs"):
        parse_config(yaml.safe_load(no_mail + "alerts: {on_call: [{email: a@b.example}]}\n"))
    config: AgencyConfig = parse_config(yaml.safe_load(base + 'alerts: {quiet_hours: "22:00-08:00"}\n'))
    assert config.alerts.quiet_at(dt.time(23, 0)) and config.alerts.quiet_at(dt.time(7, 59))
    assert not config.alerts.quiet_at(dt.time(8, 0)) and not config.alerts.quiet_at(dt.time(12, 0))


def test_the_dagster_job_records_a_failed_refresh_once_and_its_recovery(
    tmp_path: Path, serving_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.defs.alerts import check_alerts_job
    from pipelines.defs.definitions import defs
    from pipelines.defs.resources import AgencyEnvironment

    with FakeTelegram(TOKEN) as bot:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_URL", bot.url)
        agency = with_alerts(
            make_agency(tmp_path, serving_template, 1, GOOD), 1, "  notify_managers: false\n"
        )
        text = agency.settings.config_path.read_text(encoding="utf-8")
        agency.settings.config_path.write_text(
            text.replace("{email: oncall@primer.example}", "{telegram: 42}"), encoding="utf-8"
        )
        settings = dataclasses.replace(agency.settings, as_of=dt.date(2026, 11, 23))
        resources = {"agency": AgencyEnvironment.from_settings(settings)}

        def run(**values: str) -> dict[str, int]:
            config = {"ops": {"check_alerts": {"config": values}}}
            result = check_alerts_job.execute_in_process(run_config=config, resources=resources)
            assert result.success
            counts: dict[str, int] = result.output_for_node("check_alerts")
            return counts

        failed = {"failed_job": "refresh", "failed_run": "r1", "error": "Blocking check failed: not_null"}
        assert run(**failed)["opened"] == 1
        assert run(**failed)["opened"] == 0  # the next failing night: the same incident
        texts = [c.fields["text"] for c in bot.calls]
        assert len(texts) == 2 and all(
            "ночное обновление (refresh) упало: Blocking check" in t for t in texts
        )
        # a deadline check on an instance where no refresh succeeded today: late
        assert run(deadline="08:00")["opened"] == 1
        recovered = run(succeeded_job="refresh")
        assert recovered["resolved"] == 2 and recovered["opened"] == 0  # the failure and the late morning
        assert sum("Решено" in c.fields["text"] for c in bot.calls) == 4  # two incidents x two chats
    assert {s.name for s in defs.sensors or ()} >= {"alerts_after_refresh", "alerts_on_run_failure"}
    assert defs.resolve_schedule_def("alerts_morning_deadline").job_name == "check_alerts"


def test_the_command_checks_tells_and_exits_1_while_incidents_are_open(
    tmp_path: Path,
    serving_template: Path,
    servers: tuple[FakeSmtp, FakeTelegram],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from alerts.__main__ import main

    smtp, bot = servers
    agency = with_alerts(make_agency(tmp_path, serving_template, smtp.port, ALFA_EXPIRED), smtp.port)
    for name, value in (
        ("AGENCY_CONFIG", str(agency.settings.config_path)),
        ("AGENCY_DATA_DIR", str(agency.settings.data_dir)),
        ("AGENCY_SERVING_DB", str(agency.settings.serving_db)),
        ("AGENCY_AS_OF", "2026-11-23"),
        ("TELEGRAM_BOT_TOKEN", TOKEN),
        ("TELEGRAM_API_URL", bot.url),
    ):
        monkeypatch.setenv(name, value)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "told: Проблема · Альфа Строй: загрузка кабинета yandex_direct/alfa-direct не удалась" in out
    assert out.rstrip().endswith("1 open incident(s)")
    set_coverage(agency.settings.serving_db, GOOD)
    assert main(["check"]) == 0
    assert "told: Решено · Альфа Строй" in capsys.readouterr().out
    monkeypatch.setenv("AGENCY_SERVING_DB", str(tmp_path / "missing.duckdb"))
    assert main(["check"]) == 4


def test_a_broken_configuration_alerts_from_dagster_and_runs_keep_the_last_good_one(
    tmp_path: Path, serving_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file edited into something that does not load, seen by a run the Dagster UI or a
    schedule launched (not the command line): the resource runs with the last good copy, the
    alert check opens ``config_refused`` once and resolves it when the file loads again."""
    from pipelines.defs.alerts import check_alerts_job
    from pipelines.defs.resources import AgencyEnvironment
    from pipelines.recovery import last_good_config_path

    with FakeTelegram(TOKEN) as bot:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_URL", bot.url)
        agency = with_alerts(
            make_agency(tmp_path, serving_template, 1, GOOD), 1, "  notify_managers: false\n"
        )
        path = agency.settings.config_path
        good = path.read_text(encoding="utf-8").replace("{email: oncall@primer.example}", "{telegram: 42}")
        path.write_text(good, encoding="utf-8")
        settings = dataclasses.replace(agency.settings, as_of=dt.date(2026, 11, 23))
        environment = AgencyEnvironment.from_settings(settings)

        def run() -> dict[str, int]:
            result = check_alerts_job.execute_in_process(resources={"agency": environment})
            assert result.success
            counts: dict[str, int] = result.output_for_node("check_alerts")
            return counts

        names = [c.id for c in environment.load_config().clients]  # loads: remembered as good
        assert last_good_config_path(settings).read_text(encoding="utf-8") == good
        assert run()["opened"] == 0
        path.write_text(good.replace("clients:", "clients: [oops", 1), encoding="utf-8")
        assert [c.id for c in environment.load_config().clients] == names  # the last good one
        refused = environment.config_refusal()
        assert refused is not None and str(path) in str(refused)
        assert run()["opened"] == 1
        told = len(bot.calls)  # once to each on-call chat
        assert run()["opened"] == 0  # still broken: the same incident, no new message
        texts = [c.fields["text"] for c in bot.calls]
        assert told > 0 and len(texts) == told
        assert all("конфигурация не принята" in t and "line 10, column 7" in t for t in texts)
        path.write_text(good, encoding="utf-8")
        assert run()["resolved"] == 1
        assert sum("Решено" in c.fields["text"] for c in bot.calls) == told
