"""Client links: signed, expiring, revocable; refused without AGENCY_LINK_SECRET."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.access import (
    CLIENT_REPORT,
    INVOICES,
    AccessStore,
    InvalidInputError,
    LinkExpiredError,
    LinkRevokedError,
    LinkSecretMissingError,
    LinkTamperedError,
)
from dashboard.access.links import parse_lifetime
from tests.access.conftest import Clock, cheap_hasher, file_bytes

pytestmark = pytest.mark.usefixtures("link_secret_env")


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["link"][0]


def test_a_link_opens_one_clients_report_only(store: AccessStore) -> None:
    made = store.links.create("alfa", by="ivanova", base_url="https://reports.agency.ru/")
    assert made.url.startswith("https://reports.agency.ru/?link=")
    assert token_of(made.url) == made.token
    link, scope = store.links.open(made.token)
    assert link.id == made.link.id
    assert scope.clients == frozenset({"alfa"})
    assert not scope.sees("beta")
    assert scope.pages == frozenset({CLIENT_REPORT})
    assert (scope.money, scope.contacts, scope.sidebar, scope.period) == (False, False, False, None)


def test_a_link_may_name_one_period_and_allow_the_money(store: AccessStore) -> None:
    made = store.links.create("alfa", by="ivanova", period="2026-10", money=True)
    _, scope = store.links.open(made.token)
    assert scope.period == "2026-10"
    assert scope.money
    assert scope.pages == frozenset({CLIENT_REPORT, INVOICES})


def test_the_token_tells_nothing_of_the_client(store: AccessStore) -> None:
    made = store.links.create("alfa-secret-client", by="ivanova", period="2026-10")
    payload = made.token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert made.link.id.encode() in decoded
    assert b"alfa" not in decoded and b"2026" not in decoded
    assert made.token not in repr(made)


@pytest.mark.parametrize(
    "base_url", ["reports.agency.ru", "ftp://agency.ru", "https://", "https://a.ru/?x=1"]
)
def test_a_link_needs_a_web_address(store: AccessStore, base_url: str) -> None:
    with pytest.raises(InvalidInputError, match="not the dashboard's address"):
        store.links.create("alfa", by="ivanova", base_url=base_url)
    assert store.links.all() == []


def flipped(token: str, index: int) -> str:
    char = token[index]
    return token[:index] + ("A" if char != "A" else "B") + token[index + 1 :]


@pytest.mark.parametrize("where", [0, 5, -1, -10])
def test_a_tampered_link_is_refused(store: AccessStore, where: int) -> None:
    made = store.links.create("alfa", by="ivanova")
    with pytest.raises(LinkTamperedError):
        store.links.open(flipped(made.token, where))
    assert store.links.open(made.token)  # the original still opens


def test_a_link_signed_with_another_secret_is_refused(
    store: AccessStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = store.links.create("alfa", by="ivanova")
    monkeypatch.setenv("AGENCY_LINK_SECRET", "another-secret-of-enough-length-0123456789")
    with pytest.raises(LinkTamperedError):
        store.links.open(made.token)


def test_a_link_of_another_store_is_refused(store: AccessStore, tmp_path: Path, clock: Clock) -> None:
    made = store.links.create("alfa", by="ivanova")
    other = AccessStore(tmp_path / "other.sqlite3", hasher=cheap_hasher(), clock=clock)
    with pytest.raises(LinkRevokedError):
        other.links.open(made.token)


def test_an_expired_link_is_refused(store: AccessStore, clock: Clock) -> None:
    made = store.links.create("alfa", by="ivanova", lifetime=dt.timedelta(days=7))
    clock.advance(days=6, hours=23, minutes=59)
    assert store.links.open(made.token)
    clock.advance(minutes=1)
    with pytest.raises(LinkExpiredError, match="expired on 2026-11-10 09:00 UTC"):
        store.links.open(made.token)


def test_a_revoked_link_is_refused(store: AccessStore, clock: Clock) -> None:
    made = store.links.create("alfa", by="ivanova")
    other = store.links.create("alfa", by="ivanova")
    clock.advance(hours=1)
    revoked = store.links.revoke(made.link.id, by="petrov")
    assert revoked.revoked_at == clock.now
    assert revoked.revoked_by == "petrov"
    with pytest.raises(LinkRevokedError):
        store.links.open(made.token)
    assert store.links.open(other.token)  # only that link
    clock.advance(hours=1)
    assert store.links.revoke(made.link.id, by="boss").revoked_at == revoked.revoked_at


def test_revoking_an_unknown_link_says_so(store: AccessStore) -> None:
    with pytest.raises(InvalidInputError, match="no link with the id"):
        store.links.revoke("nope", by="boss")


@pytest.mark.parametrize("secret", ["", "   ", "too-short-31-characters-0123456"])
def test_without_a_proper_secret_links_are_neither_made_nor_opened(
    store: AccessStore, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    made = store.links.create("alfa", by="ivanova")
    monkeypatch.setenv("AGENCY_LINK_SECRET", secret)
    with pytest.raises(LinkSecretMissingError, match="Set AGENCY_LINK_SECRET"):
        store.links.create("alfa", by="ivanova")
    with pytest.raises(LinkSecretMissingError, match="Set AGENCY_LINK_SECRET"):
        store.links.open(made.token)
    monkeypatch.delenv("AGENCY_LINK_SECRET")
    with pytest.raises(LinkSecretMissingError, match="AGENCY_LINK_SECRET is not set"):
        store.links.open(made.token)
    assert len(store.links.all()) == 1  # the refused creation left no row


def test_opening_links_is_audited_without_the_token(store: AccessStore, clock: Clock) -> None:
    made = store.links.create("alfa", by="ivanova", lifetime=dt.timedelta(hours=1))
    store.links.open(made.token)
    with pytest.raises(LinkTamperedError):
        store.links.open(flipped(made.token, 3))
    clock.advance(hours=2)
    with pytest.raises(LinkExpiredError):
        store.links.open(made.token)
    store.links.revoke(made.link.id, by="ivanova")
    events = [(e.event, e.detail.get("reason")) for e in reversed(store.audit.recent(10))]
    assert events == [
        ("link_created", None),
        ("link_used", None),
        ("link_refused", "tampered"),
        ("link_refused", "expired"),
        ("link_revoked", None),
    ]
    stored = file_bytes(store.path)
    assert made.link.id.encode() in stored
    assert made.token.encode() not in stored
    assert made.token.split(".")[-1].encode() not in stored  # not even the signature


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"client_id": "Alfa Bank"}, "not a client id"),
        ({"client_id": "alfa", "period": "2026-13"}, "not a period"),
        ({"client_id": "alfa", "period": "October"}, "not a period"),
        ({"client_id": "alfa", "lifetime": dt.timedelta(days=400)}, "at most 366 days"),
    ],
)
def test_a_wrong_link_request_is_refused(store: AccessStore, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        store.links.create(by="boss", **kwargs)  # type: ignore[arg-type]
    assert store.links.all() == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", dt.timedelta(days=7)),
        ("12h", dt.timedelta(hours=12)),
        ("90m", dt.timedelta(minutes=90)),
        ("2w", dt.timedelta(weeks=2)),
    ],
)
def test_lifetimes(text: str, expected: dt.timedelta) -> None:
    assert parse_lifetime(text) == expected


@pytest.mark.parametrize("text", ["", "7", "0d", "-1d", "7y", "400d", "1e3d"])
def test_wrong_lifetimes(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_lifetime(text)
