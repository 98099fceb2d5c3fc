"""A real SMTP server on 127.0.0.1 (``aiosmtpd``) that keeps what it receives.

    with FakeSmtp(logins={"reports@agency.ru": "pw"}) as smtp:
        ...  # SmtpSettings(host="127.0.0.1", port=smtp.port, starttls=False)
        (mail,) = smtp.received  # envelope, raw bytes, the login used (None without AUTH)

AUTH (PLAIN, LOGIN) is offered and checked against ``logins`` but not required, over plain
text (``auth_require_tls=False``, a local test server only); with ``tls`` (a certificate and
key) the server offers STARTTLS and accepts AUTH only after it. ``refuse`` maps a recipient to the
reply its RCPT gets (``"550 5.1.1 No such user"``); ``delay`` holds each DATA reply that long.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = ["FakeSmtp", "ReceivedMail", "free_port"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (aiosmtpd needs its port before it starts)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    login: str | None
    tls: bool


class FakeSmtp:
    def __init__(
        self,
        *,
        logins: dict[str, str] | None = None,
        tls: tuple[Path, Path] | None = None,
        refuse: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        self.logins = dict(logins or {})
        self.refuse = dict(refuse or {})
        self.delay = delay
        self.received: list[ReceivedMail] = []
        self.attempted_logins: list[str] = []
        self._lock = threading.Lock()
        self.port = free_port()
        tls_context: ssl.SSLContext | None = None
        if tls is not None:
            tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls_context.load_cert_chain(str(tls[0]), str(tls[1]))
        self._controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            server_hostname="fake-smtp.test",
            authenticator=self._authenticate,
            auth_required=False,
            auth_require_tls=tls is not None,
            tls_context=tls_context,
            require_starttls=tls is not None,
        )

    def __enter__(self) -> FakeSmtp:
        self._controller.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._controller.stop()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8")
        with self._lock:
            self.attempted_logins.append(login)
        ok = login in self.logins and self.logins[login] == auth_data.password.decode("utf-8")
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)  # hold the reply, as a slow server does
        auth = session.auth_data if session.authenticated else None
        mail = ReceivedMail(
            mail_from=str(envelope.mail_from),
            rcpt_tos=tuple(envelope.rcpt_tos),
            content=bytes(envelope.original_content or b""),
            login=auth.login.decode("utf-8") if isinstance(auth, LoginPassword) else None,
            tls=session.ssl is not None,
        )
        with self._lock:
            self.received.append(mail)
        return "250 Message accepted for delivery"
