from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipelines.load.config import ConfigError, inn_is_valid, load_config
from pipelines.load.settings import Settings

REPO = Path(__file__).resolve().parents[2]

GOOD = """
agency: {name: Тест}
managers: [{id: ivanova, name: Мария}]
clients:
  - id: romashka
    name: ООО «Ромашка»
    inn: "7707083893"
    manager: ivanova
    start_date: 2025-05-01
    accounts: [{source: calltouch, id: 25918}, {source: comagic, id: "1", timezone: Asia/Yekaterinburg}]
    plans: [{month: 2026-11, budget: 300000, leads: 120, cpl_target: 2500}]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agency.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid() -> None:
    config = load_config(REPO / "config" / "agency.example.yaml")
    assert {c.id for c in config.clients} == {"romashka", "uralstroy"}
    assert {r.channel for r in config.client("romashka").report.recipients} == {"email", "telegram"}
    assert config.client("uralstroy").language == "en"
    assert config.delivery.smtp is not None and config.delivery.sender_address is not None


def test_good_config_loads_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    client = config.client("romashka")
    assert client.accounts[0].id == "25918"  # numbers in YAML become text ids
    assert client.account_timezone(client.accounts[0]) == "Europe/Moscow"
    assert client.account_timezone(client.accounts[1]) == "Asia/Yekaterinburg"
    assert client.plans[0].month == dt.date(2026, 11, 1)
    assert config.agency.target_call_min_talk_seconds == 30
    assert config.client_by_inn("7707083893") is client


def test_every_problem_is_reported_with_its_yaml_path(tmp_path: Path) -> None:
    bad = GOOD.replace('inn: "7707083893"', "inn: 7707083894").replace("start_date: 2025-05-01", "")
    bad = bad.replace("{source: calltouch, id: 25918}", "{source: facebook, id: 1}")
    bad = bad.replace("timezone: Asia/Yekaterinburg", "timezone: Mars/Olympus")
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, bad))
    text = str(err.value)
    assert "agency.yaml" in text
    assert "clients[0].inn: write the ИНН in quotes" in text
    assert "clients[0].start_date: required key is missing" in text
    assert "clients[0].accounts[0].source: 'facebook' is not allowed" in text
    assert "clients[0].accounts[1].timezone: unknown time zone 'Mars/Olympus'" in text
    assert "Traceback" not in text
    assert len(err.value.problems) == 4


def test_cross_references_are_checked(tmp_path: Path) -> None:
    bad = GOOD.replace("manager: ivanova", "manager: petrov")
    with pytest.raises(ConfigError, match=r"clients\[0\]\.manager: 'petrov' is not one of the managers"):
        load_config(write(tmp_path, bad))


def test_secrets_are_refused_and_not_echoed(tmp_path: Path) -> None:
    bad = GOOD.replace("{source: calltouch, id: 25918}", "{source: calltouch, id: 25918, api_token: s3cr3t}")
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, bad))
    assert "clients[0].accounts[0].api_token: secrets do not belong" in str(err.value)
    assert "s3cr3t" not in str(err.value)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 3, column \d+: not valid YAML"):
        load_config(write(tmp_path, "agency:\n  name: x\n  - broken: [\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("inn", "valid"),
    [
        ("7707083893", True),
        ("7707083894", False),
        ("500100732259", True),
        ("500100732250", False),
        ("77", False),
    ],
)
def test_inn_check_digits(inn: str, valid: bool) -> None:
    assert inn_is_valid(inn) is valid


def test_pull_settings_default_to_api_with_the_vendor_token_and_two_restatement_windows(
    tmp_path: Path,
) -> None:
    config = load_config(write(tmp_path, GOOD))
    calltouch, comagic = config.client("romashka").accounts
    assert calltouch.pulled_via_api and calltouch.credentials_env is None
    assert (config.agency.restatement.days("ads"), config.agency.restatement.days("calls")) == (14, 3)
    assert config.agency.history_start is None
    custom = GOOD.replace("agency: {name: Тест}", "agency: {name: Тест, restatement: {ads_days: 30}}")
    custom = custom.replace(
        '{source: comagic, id: "1",', '{source: comagic, id: "1", via: inbox, credentials_env: UIS_B,'
    )
    config = load_config(write(tmp_path, custom))
    assert config.agency.restatement.ads_days == 30 and config.agency.restatement.calls_days == 3
    comagic = config.client("romashka").accounts[1]
    assert not comagic.pulled_via_api and comagic.credentials_env == "UIS_B"


def test_pull_settings_are_validated(tmp_path: Path) -> None:
    bad = GOOD.replace("agency: {name: Тест}", "agency: {name: Тест, restatement: {calls_days: 0}}")
    bad = bad.replace("{source: calltouch, id: 25918}", "{source: cabinet, id: google_ads, via: api}")
    bad = bad.replace('{source: comagic, id: "1",', '{source: comagic, id: "1", credentials_env: "my token",')
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, bad))
    text = str(err.value)
    assert "agency.restatement.calls_days: Input should be greater than or equal to 1" in text
    assert "clients[0].accounts[0]: cabinet accounts have no API" in text
    assert "clients[0].accounts[1].credentials_env:" in text


def test_bitrix24_company_ids_are_text_and_belong_to_one_client(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, GOOD.replace("    start_date:", "    bitrix24_company_id: 17\n    start_date:"))
    )
    assert config.client("romashka").bitrix24_company_id == "17"
    second = (
        GOOD.split("clients:")[1].replace("id: romashka", "id: vtoroy").replace("7707083893", "7736050003")
    )
    twice = GOOD + second
    twice = twice.replace("    start_date:", "    bitrix24_company_id: 17\n    start_date:")
    with pytest.raises(ConfigError, match="Bitrix24 company 17 belongs to two clients"):
        load_config(write(tmp_path, twice))


def test_lead_rule_is_for_call_trackers_only(tmp_path: Path) -> None:
    good = GOOD.replace("{source: calltouch, id: 25918}", "{source: calltouch, id: 25918, lead_rule: agency}")
    account = load_config(write(tmp_path, good)).clients[0].accounts[0]
    assert account.lead_rule == "agency"
    bad = GOOD.replace(
        "{source: calltouch, id: 25918}", "{source: cabinet, id: google_ads, lead_rule: agency}"
    )
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, bad))
    assert "clients[0].accounts[0]: lead_rule applies to call trackers, not to cabinet accounts" in str(
        err.value
    )
    wrong = GOOD.replace("{source: calltouch, id: 25918}", "{source: calltouch, id: 25918, lead_rule: mine}")
    with pytest.raises(ConfigError, match="lead_rule: 'mine' is not allowed"):
        load_config(write(tmp_path, wrong))


def test_lead_sources_goals_attribution_and_priority(tmp_path: Path) -> None:
    leads = GOOD.replace(
        '{source: comagic, id: "1", timezone: Asia/Yekaterinburg}]',
        '{source: comagic, id: "1", timezone: Asia/Yekaterinburg},\n'
        "               {source: calltouch_requests, id: 25918}, {source: amocrm, id: romashka},\n"
        "               {source: yandex_metrika, id: 51234567, goals: [301, 302]}]\n"
        "    lead_priority: [calltouch, amocrm]",
    )
    client = load_config(write(tmp_path, leads)).clients[0]
    metrika = client.accounts[-1]
    assert metrika.goals == (301, 302) and metrika.attribution == "lastsign"
    ranks = client.lead_ranks()
    assert list(ranks)[:3] == ["calltouch", "amocrm", "bitrix24_leads"]
    assert sorted(ranks.values()) == list(range(1, len(ranks) + 1))

    bad = leads.replace("goals: [301, 302]", "attribution: lastclick")
    bad = bad.replace("{source: amocrm, id: romashka}", "{source: amocrm, id: romashka, goals: [1]}")
    bad = bad.replace("lead_priority: [calltouch, amocrm]", "lead_priority: [calltouch, calltouch, cabinet]")
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, bad))
    text = str(err.value)
    assert "clients[0].accounts[3]: goals and attribution apply to Metrika counters, not to amocrm" in text
    assert "clients[0].accounts[4]: yandex_metrika account 51234567: list the goal ids" in text
    assert "clients[0].lead_priority: 'cabinet' is not a lead system" in text


def test_the_contact_salt_is_made_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.for_directory(tmp_path, tmp_path / "agency.yaml")
    salt = settings.contact_salt()
    assert len(salt) == 64 and settings.contact_salt() == salt
    assert settings.contact_salt_file.stat().st_mode & 0o077 == 0
    monkeypatch.setenv("AGENCY_CONTACT_SALT", "shared-salt")
    assert settings.contact_salt() == "shared-salt"


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_branding_and_report_language_are_optional(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    branding = config.agency.branding
    assert (branding.logo, branding.primary_color, branding.contact_line) == (None, "#1F4E79", None)
    assert config.client("romashka").language == "ru"


def test_branding_logo_is_read_from_the_configuration_folder(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "logo.png").write_bytes(PNG_1X1)
    text = GOOD.replace(
        "agency: {name: Тест}",
        "agency:\n  name: Тест\n  branding:\n    logo: brand/logo.png\n    primary_color: '#c0392b'\n"
        "    contact_line: +7 495 000-00-00 · hello@example.ru",
    ).replace("start_date: 2025-05-01", "start_date: 2025-05-01\n    language: en")
    config = load_config(write(tmp_path, text))
    branding = config.agency.branding
    assert branding.logo == tmp_path / "brand" / "logo.png"
    assert branding.primary_color == "#C0392B"
    assert branding.contact_line == "+7 495 000-00-00 · hello@example.ru"
    assert config.client("romashka").language == "en"


def test_branding_is_validated(tmp_path: Path) -> None:
    def problems(branding: str) -> list[str]:
        text = GOOD.replace("agency: {name: Тест}", f"agency:\n  name: Тест\n  branding: {branding}")
        with pytest.raises(ConfigError) as err:
            load_config(write(tmp_path, text))
        return err.value.problems

    assert problems("{primary_color: red, logo: logo.svg, colour: x}") == [
        "agency.branding.logo: 'logo.svg': the logo must be a PNG or JPEG file",
        "agency.branding.primary_color: 'red' is not a colour: write it as #RRGGBB, e.g. #1F4E79",
        "agency.branding.colour: unknown key (check the spelling)",
    ]
    assert problems("{logo: missing.png}") == [
        f"agency.branding.logo: file not found: {tmp_path / 'missing.png'}"
    ]
    (tmp_path / "fake.png").write_text("not an image", encoding="utf-8")
    fake = tmp_path / "fake.png"
    assert problems("{logo: fake.png}") == [f"agency.branding.logo: {fake} is not a PNG or JPEG image"]
    assert problems('{contact_line: "a\\nb"}') == [
        "agency.branding.contact_line: the contact line is one line of text"
    ]
    bad_language = GOOD.replace("start_date: 2025-05-01", "start_date: 2025-05-01\n    language: de")
    with pytest.raises(ConfigError, match=r"clients\[0\]\.language: 'de' is not allowed"):
        load_config(write(tmp_path, bad_language))


DELIVERY = """
delivery:
  from: "Агентство «Пример» <Reports@Agency.RU>"
  reply_to: ivanova@agency.ru
  smtp: {host: smtp.agency.ru, username: reports@agency.ru}
"""

REPORT = """
    report:
      recipients:
        - {email: Director@Romashka.RU}
        - {telegram: -1001234567890}
        - {telegram: "@romashka_reports"}
        - {telegram: "123456789"}
      weekly: true
"""


def with_report(report: str = REPORT, delivery: str = DELIVERY) -> str:
    return GOOD.replace("clients:", delivery.strip() + "\nclients:") + report.rstrip() + "\n"


def test_report_recipients_and_delivery_load_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, with_report()))
    report = config.client("romashka").report
    assert [r.key for r in report.recipients] == [
        "email:director@romashka.ru",
        "telegram:-1001234567890",
        "telegram:@romashka_reports",
        "telegram:123456789",
    ]
    assert report.recipients[0].email == "Director@romashka.ru"  # the domain is normalised, not the name
    assert report.recipients[1].telegram == -1001234567890 and report.recipients[3].telegram == 123456789
    assert (report.weekly, report.review) == (True, False)
    delivery = config.delivery
    assert delivery.sender == "Агентство «Пример» <Reports@agency.ru>"
    assert (delivery.sender_name, delivery.sender_address) == ("Агентство «Пример»", "Reports@agency.ru")
    assert delivery.smtp is not None
    assert (delivery.smtp.port, delivery.smtp.starttls, delivery.smtp.ssl) == (587, True, False)
    assert (delivery.monthly_on_working_day, delivery.weekly_on, delivery.weekly_weekday) == (3, "monday", 0)

    plain = load_config(write(tmp_path, GOOD))  # neither block: no recipients, Russian, monthly only
    assert plain.client("romashka").report.recipients == ()
    assert plain.delivery.smtp is None and plain.delivery.sender is None


def test_report_and_delivery_problems_are_reported_with_their_yaml_paths(tmp_path: Path) -> None:
    bad = with_report(
        REPORT.replace("{email: Director@Romashka.RU}", "{email: director@romashka}")
        .replace("{telegram: -1001234567890}", "{telegram: romashka}")
        .replace('{telegram: "@romashka_reports"}', "{email: a@romashka.ru, telegram: 5}")
        .replace('{telegram: "123456789"}', "{phone: 79990001122}")
        .replace("weekly: true", "weekly: sometimes\n      review: true"),
        DELIVERY.replace("reply_to: ivanova@agency.ru", "reply_to: ivanova").replace(
            "{host: smtp.agency.ru,", "{host: smtp.agency.ru, port: 70000, ssl: true, starttls: true,"
        )
        + "  monthly_on_working_day: 0\n  weekly_on: sunday\n",
    )
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, bad))
    text = str(err.value)
    assert "clients[0].report.recipients[0].email: 'director@romashka' is not an e-mail address" in text
    assert "clients[0].report.recipients[1].telegram: 'romashka' is not a Telegram chat" in text
    assert "clients[0].report.recipients[2]: a recipient is either {email: ...} or {telegram: ...}" in text
    assert "clients[0].report.recipients[3].phone: unknown key" in text
    assert "clients[0].report.weekly: Input should be a valid boolean" in text
    assert "delivery.reply_to: 'ivanova' is not an e-mail address" in text
    assert "delivery.smtp.port: Input should be less than or equal to 65535" in text
    assert "delivery.monthly_on_working_day: Input should be greater than or equal to 1" in text
    assert "delivery.weekly_on: 'sunday' is not allowed" in text
    assert "Traceback" not in text
    assert len(err.value.problems) == 9

    tls = with_report(
        delivery=DELIVERY.replace("{host: smtp.agency.ru,", "{host: smtp.agency.ru, ssl: true,")
    )
    smtp = load_config(write(tmp_path, tls)).delivery.smtp
    assert smtp is not None and smtp.ssl is True
    both = tls.replace("ssl: true,", "ssl: true, starttls: true,")
    with pytest.raises(ConfigError, match=r"delivery\.smtp: ssl \(port 465\) and starttls \(port 587\)"):
        load_config(write(tmp_path, both))


def test_a_recipient_listed_twice_is_refused(tmp_path: Path) -> None:
    twice = with_report(
        REPORT.replace('{telegram: "123456789"}', "{email: director@ROMASHKA.ru}").replace(
            "{telegram: -1001234567890}", '{telegram: "@romashka_reports"}'
        )
    )
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, twice))
    assert err.value.problems == [
        "clients[0].report.recipients: email:director@romashka.ru is listed twice "
        "(recipients[0] and recipients[3])"
    ]
    channel = with_report(REPORT.replace("{telegram: -1001234567890}", '{telegram: "@Romashka_Reports"}'))
    with pytest.raises(ConfigError, match="telegram:@romashka_reports is listed twice"):
        load_config(write(tmp_path, channel))


def test_e_mail_recipients_need_the_agency_mail_server_and_a_sender(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, with_report(delivery="")))
    assert err.value.problems == [
        "clients[0].report.recipients[0]: e-mail needs the agency's mail server: "
        "add delivery.smtp and delivery.from"
    ]
    no_sender = DELIVERY.replace('  from: "Агентство «Пример» <Reports@Agency.RU>"\n', "")
    with pytest.raises(ConfigError, match='delivery: e-mail needs a sender: from: "Агентство'):
        load_config(write(tmp_path, with_report(delivery=no_sender)))
    telegram_only = REPORT.replace("        - {email: Director@Romashka.RU}\n", "")
    config = load_config(write(tmp_path, with_report(telegram_only, delivery="")))
    assert all(r.channel == "telegram" for r in config.clients[0].report.recipients)


def test_delivery_secrets_are_refused_naming_their_variables(tmp_path: Path) -> None:
    bad = with_report(
        delivery=DELIVERY.replace("username: reports@agency.ru}", "username: r@agency.ru, password: hunter2}")
        + "  telegram_bot_token: '123:abc'\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, bad))
    text = str(err.value)
    assert "delivery.smtp.password: secrets do not belong" in text and "AGENCY_SMTP_PASSWORD" in text
    assert "delivery.telegram_bot_token: secrets do not belong" in text and "TELEGRAM_BOT_TOKEN" in text
    assert "hunter2" not in text and "123:abc" not in text


def test_the_revenue_plan_is_validated_and_loaded_into_raw(tmp_path: Path) -> None:
    from decimal import Decimal

    from pipelines.load.agency_tables import config_rows

    two_months = "cpl_target: 2500, fee: 45000.50}, {month: 2026-12, budget: 1}]"
    good = GOOD.replace("cpl_target: 2500}]", two_months)
    rows = config_rows(load_config(write(tmp_path, good)))["agency_monthly_plans"]
    assert [(r["month"], r["fee"]) for r in rows] == [
        (dt.date(2026, 11, 1), Decimal("45000.50")),
        (dt.date(2026, 12, 1), None),  # no revenue plan that month
    ]
    for fee, message in (
        ("-1", "clients[0].plans[0].fee: Input should be greater than or equal to 0"),
        ("1.005", "clients[0].plans[0].fee: Decimal input should have no more than 2 decimal places"),
        ("много", "clients[0].plans[0].fee: Input should be a valid decimal"),
    ):
        bad = GOOD.replace("cpl_target: 2500}", f"cpl_target: 2500, fee: {fee}}}")
        with pytest.raises(ConfigError) as err:
            load_config(write(tmp_path, bad))
        assert err.value.problems == [message]
