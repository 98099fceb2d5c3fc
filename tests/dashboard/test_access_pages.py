"""Who sees what on the dashboard, through AppTest with sign-in on (``AGENCY_AUTH=local``).

Users and links are made in a real access store (``AGENCY_USERS`` in ``tmp_path``); people sign
in through the form, as in a browser. Each role sees exactly its clients; a URL naming another
client, a tampered, expired or revoked link, and injection strings in every URL parameter
show nothing beyond the scope.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import AccessStore
from tests.dashboard.conftest import APP

PASSWORD = "correct horse battery staple"
SECRET = "test-link-secret-0123456789abcdefghij"
REPORT = "views/client_report.py"
NAMES = {"alfa": "Альфа Строй", "beta": "Бета Клиник", "gamma": "Гамма Мебель", "delta": "Дельта Авто"}
INJECTIONS = (
    "alfa' OR '1'='1",
    "gamma'; DROP TABLE dim_clients; --",
    '" or 1=1 --',
    "%' union select client_id from dim_clients --",
)


@pytest.fixture
def users(serving_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AccessStore]:
    """Sign-in on, a store with one user of each role, the link secret set."""
    path = tmp_path / "access" / "users.sqlite3"
    monkeypatch.setenv("AGENCY_AUTH", "local")
    monkeypatch.setenv("AGENCY_USERS", str(path))
    monkeypatch.setenv("AGENCY_LINK_SECRET", SECRET)
    store = AccessStore(path)
    store.users.add("boss", PASSWORD, "head", by="test", name="Анна Смирнова")
    store.users.add("ivanova", PASSWORD, "manager", by="test", manager_id="m_ivanova")
    store.users.add("ppc", PASSWORD, "specialist", by="test", clients=["beta", "gamma"])
    store.users.add("client.alfa", PASSWORD, "client", by="test", clients=["alfa"])
    yield store


def run(query: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query or {})
    if page is not None:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(at: AppTest, login: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="signin_login").input(login)
    at.text_input(key="signin_password").input(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def signed_in(login: str, query: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    return sign_in(run(query, page), login)


def text(at: AppTest) -> str:
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "error",
        "warning",
        "success",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [e.value.to_string() for e in at.dataframe]
    for widget in at.selectbox:
        parts += [str(o) for o in widget.options]
    return "\n".join(parts)


def clients_shown(at: AppTest) -> set[str]:
    page = text(at)
    return {client for client, name in NAMES.items() if name in page}


def test_nobody_signed_in_sees_the_form_and_no_data(users: AccessStore) -> None:
    for page in (None, REPORT):
        at = run({"client": "alfa"}, page)
        assert [t.value for t in at.title] == ["Вход в отчётность агентства"]
        assert clients_shown(at) == set() and not at.dataframe and not at.metric


def test_an_empty_store_says_how_to_create_the_first_user(
    serving_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENCY_AUTH", "local")
    monkeypatch.setenv("AGENCY_USERS", str(tmp_path / "empty.sqlite3"))
    at = run()
    assert "Пользователей ещё нет" in at.warning[0].value
    assert "user add --login <login> --role head" in at.code[0].value
    assert clients_shown(at) == set()


def test_each_role_sees_exactly_its_clients_on_every_page(users: AccessStore) -> None:
    expected = {
        "boss": {"alfa", "beta", "gamma"},  # delta has churned: hidden on the portfolio by default
        "ivanova": {"alfa", "beta"},
        "ppc": {"beta", "gamma"},
    }
    for login, clients in expected.items():
        at = signed_in(login)
        assert clients_shown(at) == clients, login
        report = signed_in(login, page=REPORT)
        expected_options = clients | ({"delta"} if login == "boss" else set())
        assert set(report.selectbox(key="report_client").options) == {NAMES[c] for c in expected_options}
    # the client user: its one client's report, no portfolio, no sidebar navigation
    at = signed_in("client.alfa")
    assert [t.value for t in at.title] == ["Альфа Строй"]
    assert clients_shown(at) == {"alfa"}
    assert not at.sidebar.button  # no sign-out button, no pages: no sidebar


def test_a_url_naming_another_clients_id_shows_nothing_of_it(users: AccessStore) -> None:
    at = signed_in("ivanova", {"client": "gamma", "period": "last_month"}, REPORT)
    assert at.selectbox(key="report_client").value == "alfa"
    assert "gamma" not in clients_shown(at) and "Гамма" not in text(at)
    # a manager's viewer parameter cannot widen the view either
    at = signed_in("ivanova", {"viewer": "m_petrov"})
    assert clients_shown(at) == {"alfa", "beta"}


def test_the_agency_money_is_hidden_from_a_specialist(users: AccessStore) -> None:
    head = signed_in("boss")
    assert "Просрочено" in {m.label for m in head.metric}
    assert "Неразнесённые платежи" in [s.value for s in head.subheader]
    at = signed_in("ppc")
    labels = {m.label for m in at.metric}
    assert "Просрочено" not in labels and "Дебиторка" not in " ".join(labels)
    assert "Неразнесённые платежи" not in [s.value for s in at.subheader]
    portfolio = next(d.value for d in at.dataframe if "Клиент" in d.value.columns)
    assert not {"Просрочено", "Дебиторка"} & set(portfolio.columns)
    report = signed_in("ppc", {"client": "gamma", "period": "this_month"}, REPORT)
    assert "Платежи за период" not in [s.value for s in report.subheader]


def test_lockout_after_five_wrong_passwords_even_for_the_right_one(users: AccessStore) -> None:
    at = run()
    for _ in range(4):
        sign_in(at, "ivanova", "wrong password!")
        assert [e.value for e in at.error] == ["Неверный логин или пароль."]
    sign_in(at, "ivanova", "wrong password!")
    assert at.error[0].value.startswith("Слишком много неверных паролей подряд")
    sign_in(at, "ivanova")  # the right password, while locked
    assert at.error[0].value.startswith("Слишком много неверных паролей подряд")
    assert clients_shown(at) == set()
    kinds = [e.event for e in users.audit.recent(20)]
    assert kinds.count("sign_in_failed") >= 5 and "locked_out" in kinds and "sign_in" not in kinds


def test_sign_out_ends_the_session(users: AccessStore) -> None:
    at = signed_in("boss")
    assert "Вы вошли как **Анна Смирнова** (руководитель агентства)" in text(at)
    at.sidebar.button(key="sign_out").click().run()
    assert [t.value for t in at.title] == ["Вход в отчётность агентства"]
    assert clients_shown(at) == set()
    assert [e.event for e in users.audit.recent(3)][:2] == ["sign_out", "sign_in"]


def make_link(store: AccessStore, client: str, **kwargs: object) -> str:
    return store.links.create(client, by="boss", **kwargs).token  # type: ignore[arg-type]


def test_a_client_link_opens_one_clients_report_and_nothing_else(users: AccessStore) -> None:
    token = make_link(users, "alfa")
    at = run({"link": token, "client": "beta"})
    assert [t.value for t in at.title] == ["Альфа Строй"]
    assert clients_shown(at) == {"alfa"} and not at.sidebar.button
    assert "Платежи за период" not in [s.value for s in at.subheader]  # no money unless allowed
    assert at.query_params["link"] == [token] or at.query_params["link"] == token
    # a link for one month shows that month only, whatever the URL says
    monthly = make_link(users, "gamma", period="2026-10")
    at = run({"link": monthly, "period": "this_month", "from": "2020-01-01", "to": "2026-11-22"})
    assert "01.10.2026 – 31.10.2026" in text(at) and clients_shown(at) == {"gamma"}
    used = [e for e in users.audit.recent(10) if e.event == "link_used"]
    assert len(used) == 2


@pytest.mark.parametrize("how", ["tampered", "expired", "revoked", "no_secret"])
def test_a_bad_link_is_refused_with_its_reason(
    users: AccessStore, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = make_link(users, "alfa")
    expected = {
        "tampered": "Ссылка повреждена",
        "expired": "Срок действия ссылки истёк",
        "revoked": "Ссылка отозвана",
        "no_secret": "Ссылки на отчёты не настроены",
    }[how]
    if how == "tampered":
        token = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    elif how == "expired":
        past = AccessStore(users.path, clock=lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
        token = make_link(past, "alfa", lifetime=dt.timedelta(days=7))
    elif how == "revoked":
        (link,) = [ln for ln in users.links.all() if ln.client == "alfa"]
        users.links.revoke(link.id, by="boss")
    else:
        monkeypatch.delenv("AGENCY_LINK_SECRET")
    at = run({"link": token})
    assert at.error and at.error[0].value.startswith(expected)
    assert clients_shown(at) == set() and not at.dataframe


def test_injection_strings_in_every_url_parameter_change_nothing(users: AccessStore) -> None:
    for value in INJECTIONS:
        query = {"client": value, "viewer": value, "period": value, "from": value, "to": value, "lang": value}
        at = signed_in("ivanova", query, REPORT)
        assert at.selectbox(key="report_client").value == "alfa"
        assert clients_shown(at) <= {"alfa", "beta"}
        link = run({"link": value, "client": value})
        assert link.error and clients_shown(link) == set()


def test_no_password_or_token_reaches_the_logs_or_the_store(
    users: AccessStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = make_link(users, "beta")
    signed_in("boss")
    sign_in(run(), "ivanova", "my secret attempt 42")
    run({"link": token})
    stored = b"".join(p.read_bytes() for p in users.path.parent.glob(users.path.name + "*"))
    for secret in (PASSWORD, "my secret attempt 42", token, SECRET):
        assert secret not in caplog.text
        assert secret.encode() not in stored


def test_a_wrong_sign_in_mode_is_refused_by_name(serving_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCY_AUTH", "ldap")
    at = run()
    assert at.error[0].value == "AGENCY_AUTH='ldap': use local, oidc or off"
    assert clients_shown(at) == set()


def test_only_the_head_has_the_agency_page(users: AccessStore) -> None:
    head = signed_in("boss", {"month": "2026-10-01"}, "views/agency.py")
    assert [t.value for t in head.title] == ["Агентство"]
    managers = next(d.value for d in head.dataframe if "Менеджер" in d.value.columns)
    assert list(managers["Менеджер"]) == ["Анна Иванова", "Пётр Петров", "Всё агентство"]
    assert "Выручка (вознаграждение)" in managers.columns
    for login in ("ivanova", "ppc"):
        at = signed_in(login, page="views/agency.py")
        assert "Агентство" not in [t.value for t in at.title], login
        assert not any("Менеджер" in d.value.columns and "Отток" in d.value.columns for d in at.dataframe)
    # a specialist sees part of each manager's clients: no manager's or agency's numbers at all
    assert not [s.value for s in signed_in("ppc").subheader if "оказатели" in str(s.value)]
