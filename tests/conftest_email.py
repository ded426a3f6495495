"""A real SMTP server for the email tests: aiosmtpd on 127.0.0.1, STARTTLS required (with a
self-signed certificate made here), AUTH required; it records what it accepts.

It can also misbehave on purpose, at a chosen SMTP step of a chosen message:
  - pause there until the test releases it (so a `kill -9` of the client hits that step);
  - answer once with a given reply (421, 451, 552 ...), close the connection in the middle
    of the message body, or take the message and then not answer (no reply after DATA).
The steps: "mail", "rcpt", "data" (the DATA command, before 354), "dot" (the whole message
has arrived: it is recorded, as a real server commits it to its queue, and the 250 follows),
"quit". Messages are counted by MAIL commands since the server started, from 1 (a step
belongs to the message of its connection's last MAIL, when several clients send at once).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SMTP_USER = "digest"
SMTP_PASSWORD = "s3cret-Pa55word"


def free_port() -> int:
    """A port nothing listens on right now (aiosmtpd cannot bind port 0 itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost: (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Pause:
    """Hold the server at `step` of message `message` until `release` is set."""

    step: str
    message: int = 1
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@dataclass
class Recorder:
    """aiosmtpd handler: refuses some recipients with 550, records accepted messages, and
    misbehaves where a test asks it to (see the module docstring)."""

    refuse: set[str] = field(default_factory=set)
    refuse_data: dict[str, str] = field(default_factory=dict)  # recipient -> reply after dot
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pause: Pause | None = None
    once: dict[str, str] = field(default_factory=dict)  # step -> reply, or "close"/"silence"
    silence: float = 3.0  # seconds without a reply for "silence"
    mails: int = 0  # MAIL commands seen

    def take(self, step: str) -> str | None:
        """The one-shot fault planned for this step, if any (then it is used up)."""
        with self.lock:
            return self.once.pop(step, None)

    async def hold(self, step: str, session: Any = None) -> None:
        # The message a step belongs to is its session's last MAIL (several clients at once
        # interleave their MAIL commands).
        number = getattr(session, "mail_number", self.mails)
        pause = self.pause
        if pause is None or pause.step != step or (step != "quit" and pause.message != number):
            return
        pause.reached.set()
        while not pause.release.is_set():
            await asyncio.sleep(0.01)

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:
        with self.lock:
            self.mails += 1
            session.mail_number = self.mails
        await self.hold("mail", session)
        reply = self.take("mail")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        await self.hold("rcpt", session)
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        reply = self.take("rcpt")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        refused = [self.refuse_data[r] for r in envelope.rcpt_tos if r in self.refuse_data]
        if refused:
            return refused[0]
        reply = self.take("dot")
        if reply and reply != "silence":
            return reply
        login = session.auth_data.login.decode() if session.auth_data else None
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          bytes(envelope.original_content or envelope.content),
                                          session.ssl is not None, login))
        if reply == "silence":
            await asyncio.sleep(self.silence)
        await self.hold("dot", session)
        return "250 2.0.0 Ok: queued"


class FaultySmtp(SMTP):
    """aiosmtpd's SMTP with the steps a handler cannot reach: the DATA command itself (before
    354), the message body (to close the connection in its middle) and QUIT."""

    async def smtp_DATA(self, arg: str) -> None:
        handler: Recorder = self.event_handler
        await handler.hold("data", self.session)
        fault = handler.take("data")
        if fault == "close":
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.readuntil(b"\r\n")  # the first line of the message, then gone
            assert self.transport is not None
            self.transport.close()
            return
        if fault:
            await self.push(fault)
            return
        await super().smtp_DATA(arg)

    async def smtp_QUIT(self, arg: str) -> None:
        handler: Recorder = self.event_handler
        await handler.hold("quit")
        await super().smtp_QUIT(arg)


class FaultyController(Controller):
    def factory(self) -> SMTP:
        return FaultySmtp(self.handler, **self.SMTP_kwargs)


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                  auth_data: Any) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode()
          and auth_data.password == SMTP_PASSWORD.encode())
    # handled=False: aiosmtpd itself answers 535 on failure
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class SmtpServer:
    """Start/stop-able test server on a fixed port (so a test can take it down and up)."""

    def __init__(self, cert: Path, key: Path, port: int | None = None, *,
                 starttls: bool = True) -> None:
        self.starttls = starttls  # False: a server that does not offer STARTTLS
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.cert = cert
        self.handler = Recorder()
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(cert, key)
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        # Without STARTTLS, AUTH stays refused over plain text (aiosmtpd's default).
        tls: dict[str, Any] = ({"tls_context": self._context, "require_starttls": True}
                               if self.starttls else {})
        self._controller = FaultyController(
            self.handler, hostname=self.host, port=self.port, authenticator=authenticator,
            auth_required=True, **tls,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    def copies(self) -> dict[str, int]:
        """Accepted messages per recipient."""
        out: dict[str, int] = {}
        for r in self.received:
            for rcpt in r.recipients:
                out[rcpt] = out.get(rcpt, 0) + 1
        return out


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_server(tls_files: tuple[Path, Path],
                monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A running server; the password is in $DIGEST_SMTP_PASSWORD as the config expects."""
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", SMTP_PASSWORD)
    server = SmtpServer(*tls_files).start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down(tls_files: tuple[Path, Path],
              monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A server that is not started yet: its port refuses connections until .start()."""
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", SMTP_PASSWORD)
    server = SmtpServer(*tls_files)
    yield server
    server.stop()


def write_config(folder: Path, server: SmtpServer, sources: Path, *,
                 recipients: tuple[str, ...] = ("ana@example.org", "ben@example.org"),
                 digest_extra: str = "", top_extra: str = "", timeout: str = "5s",
                 schedule: str = "0 7 * * 1-5", ca_file: bool = True) -> Path:
    """A config file for the test server (relative paths, as a user would write them)."""
    folder.mkdir(parents=True, exist_ok=True)
    quoted = ", ".join(f'"{r}"' for r in recipients)
    path = folder / "digest.toml"
    path.write_text(f"""{top_extra}
[sources]
folders = ["{sources}"]
scan_every = "60s"
settle = "0s"

[smtp]
host = "{server.host}"
port = {server.port}
security = "starttls"
username = "{SMTP_USER}"
password_env = "DIGEST_SMTP_PASSWORD"
sender = "Digest <digest@example.org>"
{f'ca_file = "{server.cert}"' if ca_file else ""}
timeout = "{timeout}"

[[digests]]
name = "morning"
schedule = "{schedule}"
timezone = "Europe/Berlin"
recipients = [{quoted}]
topics = []
max_stories = 10
words = 120
{digest_extra}
""", encoding="utf-8")
    return path
