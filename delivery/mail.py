"""E-mail over the agency's SMTP server, with the standard library (``smtplib``, ``email``).

One connection per message: EHLO, STARTTLS (unless ``ssl`` connects over TLS from the start, or
``starttls: false`` for a server on the same machine), LOGIN when a password is set
(``AGENCY_SMTP_PASSWORD``), one recipient per message. Headers follow RFC 5322 with RFC 2047
encoded words for a Russian subject and sender name; attachment names are RFC 2231 parameters
(``filename*=utf-8''...``), which is what the ``email`` package writes and every mail client
reads. Addresses with a Cyrillic domain are sent as punycode.

A failure before the server accepted the message (no connection, a 4xx reply) is tried again
(``attempts``, waits from ``retry_waits``); a 5xx reply, a refused login or address, or a
server without STARTTLS fail at once. A connection that breaks after the message went out is not
retried: it may have arrived.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid
from typing import ClassVar

from email_validator import validate_email

from delivery.errors import DeliveryError
from delivery.message import Message
from pipelines.load.config import DeliverySettings, Recipient, SmtpSettings, parse_mailbox

__all__ = ["NOT_SET_UP", "PASSWORD_ENV", "EmailChannel"]

PASSWORD_ENV = "AGENCY_SMTP_PASSWORD"
NOT_SET_UP = "e-mail is not set up: add delivery.smtp and delivery.from to the configuration"


def _ascii_address(address: str) -> str:
    """The address as SMTP carries it without SMTPUTF8 (a Cyrillic domain in punycode)."""
    ascii_email = validate_email(address, check_deliverability=False, allow_smtputf8=False).ascii_email
    return address if ascii_email is None else str(ascii_email)


def _mailbox(address: str, name: str = "") -> Address:
    local, _, domain = _ascii_address(address).rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


class _SubjectPolicy(EmailPolicy):
    """The standard policy, but a non-ASCII subject is folded by :class:`email.header.Header`.

    Python 3.11's folder of the new policies drops the space between two encoded words in some
    long subjects (``"Директ: деньги"`` arrives as ``"Директ:деньги"``); the older encoder keeps
    every space inside an encoded word, and a reader decodes the subject exactly.
    """

    def fold(self, name: str, value: str) -> str:
        if name.lower() == "subject" and not str(value).isascii():
            folded = Header(str(value), "utf-8", header_name=name).encode(linesep=self.linesep)
            return f"{name}: {folded}{self.linesep}"
        return str(super().fold(name, value))

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "subject" and not str(value).isascii():
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)


_POLICY = _SubjectPolicy()


class _Temporary(Exception):
    """A failure before the server accepted the message: worth another attempt."""


class EmailChannel:
    """Sends :class:`~delivery.message.Message` s by e-mail through one SMTP server.

    ``sender`` is ``"Name <address>"`` or an address (the ``From`` header and the envelope
    sender); ``reply_to`` the ``Reply-To``. ``ssl_context`` is the TLS context for STARTTLS and
    SMTPS (default: the system's trusted certificates, host names checked). ``sleep`` replaces
    real waiting between attempts in tests.
    """

    channel: ClassVar[str] = "email"

    def __init__(
        self,
        smtp: SmtpSettings,
        *,
        sender: str,
        reply_to: str | None = None,
        password: str | None = None,
        timeout: float = 60.0,
        ssl_context: ssl.SSLContext | None = None,
        attempts: int = 3,
        retry_waits: Sequence[float] = (10.0, 60.0),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.smtp = smtp
        self.sender_name, self.sender_address = parse_mailbox(sender)
        self.reply_to = reply_to
        self.timeout = timeout
        self.attempts = attempts
        self.retry_waits = tuple(retry_waits) or (0.0,)
        self._password = password or None
        self._ssl_context = ssl_context
        self._sleep = sleep

    @classmethod
    def from_config(
        cls,
        delivery: DeliverySettings,
        env: Mapping[str, str] = os.environ,
        *,
        ssl_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> EmailChannel:
        """The channel the configuration describes; the password from ``AGENCY_SMTP_PASSWORD``."""
        if delivery.smtp is None or delivery.sender is None:
            raise ValueError(NOT_SET_UP)
        return cls(
            delivery.smtp,
            sender=delivery.sender,
            reply_to=delivery.reply_to,
            password=env.get(PASSWORD_ENV, "").strip() or None,
            ssl_context=ssl_context,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        login = "with login" if self._password else "without login"
        return f"EmailChannel({self.smtp.host}:{self.smtp.port}, from {self.sender_address!r}, {login})"

    @property
    def login(self) -> str:
        """The SMTP user name: ``smtp.username``, else the sender's address."""
        return self.smtp.username or self.sender_address

    def compose(self, message: Message, to: str) -> EmailMessage:
        """The e-mail as it is sent to the address ``to``."""
        mail = EmailMessage(policy=_POLICY)
        mail["Subject"] = message.subject
        mail["From"] = _mailbox(self.sender_address, self.sender_name)
        mail["To"] = _mailbox(to)
        if self.reply_to:
            mail["Reply-To"] = _mailbox(self.reply_to)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=_ascii_address(self.sender_address).rpartition("@")[2])
        mail.set_content(message.text, charset="utf-8", cte="base64")
        for attachment in message.attachments:
            maintype, subtype = attachment.mime_type.split("/", 1)
            mail.add_attachment(
                attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
            )
        return mail

    def send(self, message: Message, recipient: Recipient) -> None:
        """Send ``message`` to an e-mail recipient; raises :class:`DeliveryError` saying why not."""
        if recipient.email is None:
            raise DeliveryError(f"{recipient} is not an e-mail recipient", permanent=True)
        to = _ascii_address(recipient.email)
        mail = self.compose(message, recipient.email)
        for attempt in range(1, self.attempts + 1):
            try:
                self._send_once(mail, to)
                return
            except _Temporary as exc:
                reason = self._clean(str(exc))
                if attempt == self.attempts:
                    tries = f" (tried {self.attempts} times)" if self.attempts > 1 else ""
                    raise DeliveryError(reason + tries, permanent=False) from None
                self._sleep(self.retry_waits[min(attempt, len(self.retry_waits)) - 1])

    def _clean(self, text: str) -> str:
        return text.replace(self._password, "***") if self._password else text

    def _server(self) -> str:
        return f"the mail server {self.smtp.host}:{self.smtp.port}"

    def _connect(self) -> smtplib.SMTP:
        host, port = self.smtp.host, self.smtp.port
        try:
            if self.smtp.ssl:
                context = self._ssl_context or ssl.create_default_context()
                return smtplib.SMTP_SSL(host, port, timeout=self.timeout, context=context)
            return smtplib.SMTP(host, port, timeout=self.timeout)
        except ssl.SSLError as exc:
            raise DeliveryError(f"TLS with {self._server()} failed: {exc}", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            raise self._reply_error(exc, "greeted with") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise _Temporary(f"could not connect to {self._server()}: {exc}") from None

    def _reply_error(self, exc: smtplib.SMTPResponseException, doing: str) -> Exception:
        text = (
            exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        reason = self._clean(f"{self._server()} {doing}: {exc.smtp_code} {text}".strip())
        if 400 <= exc.smtp_code < 500:
            return _Temporary(reason)
        return DeliveryError(reason, permanent=True)

    def _open(self) -> smtplib.SMTP:
        """Connected, encrypted as configured and logged in."""
        server = self._connect()
        try:
            server.ehlo()
            if self.smtp.starttls and not self.smtp.ssl:
                if not server.has_extn("starttls"):
                    raise DeliveryError(
                        f"{self._server()} does not offer STARTTLS: use its TLS port (ssl: true, port "
                        "465), or starttls: false only for a server on this machine",
                        permanent=True,
                    )
                server.starttls(context=self._ssl_context or ssl.create_default_context())
                server.ehlo()
            if self._password:
                server.login(self.login, self._password)
        except smtplib.SMTPAuthenticationError as exc:
            _close(server)
            error = self._reply_error(exc, f"refused the login of {self.login}")
            if isinstance(error, _Temporary):
                raise error from None
            raise DeliveryError(f"{error}; check {PASSWORD_ENV} and smtp.username", permanent=True) from None
        except smtplib.SMTPNotSupportedError:
            _close(server)
            raise DeliveryError(
                f"{self._server()} offers no login (AUTH) on this connection: "
                f"unset {PASSWORD_ENV} or enable STARTTLS",
                permanent=True,
            ) from None
        except ssl.SSLError as exc:
            _close(server)
            raise DeliveryError(f"TLS with {self._server()} failed: {exc}", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            _close(server)
            raise self._reply_error(exc, "answered") from None
        except (OSError, smtplib.SMTPException) as exc:
            _close(server)
            raise _Temporary(f"{self._server()} broke the connection: {exc}") from None
        except BaseException:
            _close(server)
            raise
        return server

    def _send_once(self, mail: EmailMessage, to: str) -> None:
        server = self._open()
        try:
            server.send_message(mail, from_addr=_ascii_address(self.sender_address), to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(to, (550, b""))
            reply = smtplib.SMTPResponseException(code, text)
            raise self._reply_error(reply, f"refused the address {to}") from None
        except smtplib.SMTPSenderRefused as exc:
            raise self._reply_error(exc, f"refused the sender {self.sender_address}") from None
        except smtplib.SMTPResponseException as exc:
            raise self._reply_error(exc, "refused the message") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(
                f"the connection to {self._server()} broke while sending ({exc}); "
                "the message may have arrived, so it is not sent again",
                permanent=False,
                maybe_sent=True,
            ) from None
        finally:
            _quit(server)


def _quit(server: smtplib.SMTP) -> None:
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        _close(server)


def _close(server: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        server.close()
