"""E-mail through a real SMTP server on 127.0.0.1 (aiosmtpd), parsed back with the stdlib."""

from __future__ import annotations

import email
import email.header
import email.policy
import ssl
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import pytest

from delivery import Attachment, Channels, DeliveryError, EmailChannel, Message, deliver
from pipelines.load.config import DeliverySettings, Recipient, SmtpSettings
from tests.fakes.smtp import FakeSmtp, free_port

PASSWORD = "s3cret-Pa55"
SUBJECT = "Отчёт за октябрь 2026 — ООО «Ромашка»"
TEXT = "Здравствуйте!\n\nВо вложении отчёт за октябрь 2026 (PDF).\n"


def channel(server: FakeSmtp | int, **kwargs: Any) -> EmailChannel:
    port = server if isinstance(server, int) else server.port
    smtp = kwargs.pop("smtp", None) or SmtpSettings(
        host="127.0.0.1", port=port, starttls=False, username="reports@agency.ru"
    )
    kwargs.setdefault("sender", "Агентство «Пример» <reports@agency.ru>")
    kwargs.setdefault("reply_to", "ivanova@agency.ru")
    kwargs.setdefault("sleep", lambda _: None)
    kwargs.setdefault("timeout", 10.0)
    return EmailChannel(smtp, **kwargs)


def parse(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_a_report_arrives_with_its_attachment_sender_and_reply_to(pdf: Attachment) -> None:
    message = Message(SUBJECT, TEXT, (pdf,))
    with FakeSmtp(logins={"reports@agency.ru": PASSWORD}) as server:
        mailer = channel(server, password=PASSWORD)
        outcomes = deliver(message, [Recipient(email="director@romashka.ru")], Channels(email=mailer))
    assert [o.status for o in outcomes] == ["sent"]
    (received,) = server.received
    assert received.login == "reports@agency.ru"  # logged in, since a password is set
    assert received.mail_from == "reports@agency.ru"
    assert received.rcpt_tos == ("director@romashka.ru",)
    assert received.content.isascii()  # 7-bit on the wire: encoded words and base64

    mail = parse(received.content)
    assert mail["Subject"] == SUBJECT
    assert "=?utf-8?" in received.content.split(b"\r\n\r\n")[0].decode("ascii")  # RFC 2047 on the wire
    assert str(mail["From"]) == "Агентство «Пример» <reports@agency.ru>"
    assert mail["From"].addresses[0].display_name == "Агентство «Пример»"
    assert mail["Reply-To"].addresses[0].addr_spec == "ivanova@agency.ru"
    assert mail["To"].addresses[0].addr_spec == "director@romashka.ru"
    assert mail["Message-ID"].endswith("@agency.ru>") and mail["Date"]
    body = mail.get_body(("plain",))
    assert body is not None and body.get_content() == TEXT
    (attached,) = list(mail.iter_attachments())
    assert attached.get_filename() == "Отчёт за октябрь 2026 — ООО «Ромашка».pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == pdf.content


def test_without_a_password_there_is_no_login(pdf: Attachment) -> None:
    with FakeSmtp(logins={"reports@agency.ru": PASSWORD}) as server:
        channel(server).send(Message(SUBJECT, TEXT, (pdf,)), Recipient(email="a@romashka.ru"))
    (received,) = server.received
    assert received.login is None and server.attempted_logins == []


def test_the_login_defaults_to_the_sender_and_the_password_comes_from_the_environment(
    pdf: Attachment,
) -> None:
    with FakeSmtp(logins={"reports@agency.ru": PASSWORD}) as server:
        delivery = DeliverySettings.model_validate(
            {
                "from": "Агентство <reports@agency.ru>",
                "smtp": {"host": "127.0.0.1", "port": server.port, "starttls": False},
            }
        )
        channels = Channels.from_config(delivery, {"AGENCY_SMTP_PASSWORD": PASSWORD})
        outcomes = deliver(Message(SUBJECT, TEXT, (pdf,)), [Recipient(email="a@romashka.ru")], channels)
    assert [o.status for o in outcomes] == ["sent"]
    assert server.received[0].login == "reports@agency.ru"
    assert PASSWORD not in repr(channels.email)


def test_a_wrong_password_fails_at_once_without_showing_it(pdf: Attachment) -> None:
    with FakeSmtp(logins={"reports@agency.ru": PASSWORD}) as server:
        mailer = channel(server, password="wrong-" + PASSWORD)
        (outcome,) = deliver(
            Message(SUBJECT, TEXT, (pdf,)), [Recipient(email="a@b.ru")], Channels(email=mailer)
        )
    assert outcome.status == "failed" and outcome.permanent
    assert outcome.reason is not None
    assert "refused the login of reports@agency.ru: 535" in outcome.reason
    assert "AGENCY_SMTP_PASSWORD" in outcome.reason
    assert PASSWORD not in outcome.reason
    # smtplib tries each mechanism the server offers (PLAIN, LOGIN) once; the send is not repeated
    assert server.attempted_logins == ["reports@agency.ru"] * 2
    assert server.received == []


def test_one_refused_address_does_not_stop_the_others(pdf: Attachment) -> None:
    recipients = [
        Recipient(email="gone@romashka.ru"),
        Recipient(email="director@romashka.ru"),
        Recipient(telegram=-1001234567890),
    ]
    with FakeSmtp(refuse={"gone@romashka.ru": "550 5.1.1 No such user"}) as server:
        outcomes = deliver(Message(SUBJECT, TEXT, (pdf,)), recipients, Channels(email=channel(server)))
    assert [o.status for o in outcomes] == ["failed", "sent", "failed"]
    assert outcomes[0].permanent and "refused the address gone@romashka.ru: 550 5.1.1 No such user" in (
        outcomes[0].reason or ""
    )
    assert (
        outcomes[2].reason
        == "Telegram is not set up: set TELEGRAM_BOT_TOKEN to the bot's token (from @BotFather)"
    )
    assert [r.rcpt_tos for r in server.received] == [("director@romashka.ru",)]


def test_a_temporary_refusal_is_tried_again_then_reported(pdf: Attachment) -> None:
    waits: list[float] = []
    with FakeSmtp(refuse={"busy@romashka.ru": "451 4.7.1 Greylisted, try again later"}) as server:
        mailer = channel(server, sleep=waits.append, attempts=3, retry_waits=(5.0, 30.0))
        with pytest.raises(DeliveryError) as caught:
            mailer.send(Message(SUBJECT, TEXT, (pdf,)), Recipient(email="busy@romashka.ru"))
    assert waits == [5.0, 30.0]
    assert not caught.value.permanent and not caught.value.maybe_sent
    assert "451 4.7.1 Greylisted" in caught.value.reason and "(tried 3 times)" in caught.value.reason


def test_no_server_is_a_temporary_failure() -> None:
    port = free_port()  # nobody listens there
    with pytest.raises(
        DeliveryError, match=rf"could not connect to the mail server 127.0.0.1:{port}"
    ) as caught:
        channel(port, attempts=2).send(Message(SUBJECT, TEXT), Recipient(email="a@b.ru"))
    assert not caught.value.permanent


def test_starttls_that_the_server_does_not_offer_fails_clearly(pdf: Attachment) -> None:
    with FakeSmtp() as server:
        mailer = channel(server, smtp=SmtpSettings(host="127.0.0.1", port=server.port))  # starttls: true
        with pytest.raises(DeliveryError, match="does not offer STARTTLS") as caught:
            mailer.send(Message(SUBJECT, TEXT, (pdf,)), Recipient(email="a@b.ru"))
    assert caught.value.permanent and server.received == []


def test_starttls_then_login_over_tls(pdf: Attachment, certificate: tuple[Path, Path]) -> None:
    cert, _ = certificate
    trusted = ssl.create_default_context(cafile=str(cert))
    with FakeSmtp(logins={"reports@agency.ru": PASSWORD}, tls=certificate) as server:
        mailer = channel(
            server, smtp=SmtpSettings(host="127.0.0.1", port=server.port, username="reports@agency.ru"),
            password=PASSWORD, ssl_context=trusted,
        )  # fmt: skip
        mailer.send(Message(SUBJECT, TEXT, (pdf,)), Recipient(email="a@romashka.ru"))
        untrusted = channel(
            server, smtp=SmtpSettings(host="127.0.0.1", port=server.port), password=PASSWORD
        )  # the system's certificates do not trust a self-signed one
        with pytest.raises(DeliveryError, match="TLS with the mail server") as caught:
            untrusted.send(Message(SUBJECT, TEXT, (pdf,)), Recipient(email="a@romashka.ru"))
    (received,) = server.received
    assert received.tls and received.login == "reports@agency.ru"
    assert parse(received.content)["Subject"] == SUBJECT
    assert caught.value.permanent


def test_cyrillic_domains_long_names_and_several_files(pdf: Attachment, xlsx: Attachment) -> None:
    sender = "Агентство интернет-маркетинга «Пример и партнёры» <reports@agency.ru>"
    with FakeSmtp() as server:
        mailer = channel(server, sender=sender, reply_to="ivanova@агентство.рф")
        mailer.send(Message(SUBJECT, TEXT, (pdf, xlsx)), Recipient(email="director@ромашка.рф"))
    (received,) = server.received
    assert received.rcpt_tos == ("director@xn--80aa3agjl3d.xn--p1ai",)  # punycode for SMTP
    mail = parse(received.content)
    assert mail["Reply-To"].addresses[0].domain == "xn--80aeci4bhthb.xn--p1ai"
    # A long name is folded into several RFC 2047 words; the space between them is not part of the
    # name (RFC 2047 section 6.2), which the stdlib's decode_header honours.
    raw_from = email.message_from_bytes(received.content)["From"]
    decoded = str(email.header.make_header(email.header.decode_header(raw_from)))
    assert parseaddr(decoded) == ("Агентство интернет-маркетинга «Пример и партнёры»", "reports@agency.ru")
    files = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    assert files == {pdf.filename: pdf.content, xlsx.filename: xlsx.content}


def test_email_channel_refuses_a_telegram_recipient() -> None:
    with pytest.raises(DeliveryError, match="not an e-mail recipient"):
        channel(1).send(Message(SUBJECT, TEXT), Recipient(telegram=1))


def test_channels_without_smtp_say_what_to_set_up() -> None:
    channels = Channels.from_config(DeliverySettings(), {})
    (outcome,) = deliver(Message(SUBJECT, TEXT), [Recipient(email="a@b.ru")], channels)
    assert outcome.status == "failed" and outcome.permanent
    assert outcome.reason == "e-mail is not set up: add delivery.smtp and delivery.from to the configuration"


@pytest.mark.parametrize(
    "subject",
    [
        "Строй 1,5 Директ: Директ: деньги счёте деньги",
        "«Альфа-Строй Северо-Запад»: на рекламном счёте Яндекс Директа кончаются деньги, осталось 1,5 дня"
        " — пополните счёт: Директ: деньги (срочно)",
        "Отчёт за октябрь 2026 — ООО «Ромашка»",
    ],
)
def test_a_long_russian_subject_arrives_with_every_space(subject: str) -> None:
    # Python 3.11's own folder lost the space after "Директ:" in the first two.
    with FakeSmtp() as server:
        outcomes = deliver(
            Message(subject, TEXT, ()),
            [Recipient(email="director@romashka.ru")],
            Channels(email=channel(server)),
        )
    assert [o.status for o in outcomes] == ["sent"]
    (received,) = server.received
    head = received.content.split(b"\r\n\r\n")[0]
    assert head.isascii() and max(len(line) for line in head.split(b"\r\n")) <= 78
    assert parse(received.content)["Subject"] == subject
