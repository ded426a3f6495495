"""SMTP via aiosmtplib: STARTTLS / implicit TLS / plain (localhost), AUTH, timeouts.

Maps what goes wrong to retry-or-fail:
  TemporaryDeliveryError   connection refused, timeout, TLS or login trouble, any 4xx: retry later
    ConnectionFailed       the server cannot be used at all right now: stop this delivery pass
    NoReplyError           the connection broke after the message body was handed over: the
                           server may or may not have accepted it (see outbox: "unconfirmed")
  PermanentDeliveryError   a 5xx for this message (recipient refused, content rejected)

The password is held in a field excluded from repr and never formatted into a message.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol

import aiosmtplib

from digest.config import Config
from digest.errors import PermanentDeliveryError, TemporaryDeliveryError

log = logging.getLogger(__name__)


class ConnectionFailed(TemporaryDeliveryError):
    """Cannot connect, secure or log in: no message can go out in this pass."""


class NoReplyError(TemporaryDeliveryError):
    """Connection lost or timed out after the message was handed over: outcome unknown."""


class Session(Protocol):
    def send(self, recipient: str, message: bytes, on_handover: Callable[[], None]) -> str:
        """Send one message to one recipient; return the server's reply. Calls on_handover
        just before the message body is transmitted (the point after which the server may
        have accepted it)."""
        ...


class Transport(Protocol):
    def session(self) -> AbstractContextManager[Session]:
        """A connection (opened lazily) for a batch of messages."""
        ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls | tls | none
    sender: str  # envelope sender (bare address)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Config) -> SmtpSettings:
        """Settings from [smtp]; reads the password from its environment variable."""
        smtp = config.require_smtp()
        return cls(host=smtp.host, port=smtp.effective_port, security=smtp.security,
                   sender=envelope_address(smtp.sender), username=smtp.username,
                   password=config.smtp_password(), ca_file=smtp.ca_file,
                   timeout=smtp.timeout.total_seconds())

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def envelope_address(mailbox: str) -> str:
    """'Digest <digest@example.org>' -> 'digest@example.org'."""
    return getaddresses([mailbox])[0][1]


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """Certificate verification on; a CA file replaces the system store (self-signed servers)."""
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (ssl.SSLError, OSError) as e:  # the file changed since the config was checked
        raise ConnectionFailed(f"smtp.ca_file {ca_file}: not a usable certificate file ({e})") from None


class SmtpTransport:
    """Sends through one SMTP server; a session reuses one connection for many messages."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    @contextmanager
    def session(self) -> Iterator[SmtpSession]:
        s = SmtpSession(self.settings)
        try:
            yield s
        finally:
            s.close()


class SmtpSession:
    def __init__(self, settings: SmtpSettings) -> None:
        self.s = settings
        self._runner = asyncio.Runner()
        self._smtp: aiosmtplib.SMTP | None = None

    def send(self, recipient: str, message: bytes, on_handover: Callable[[], None]) -> str:
        return self._runner.run(self._send(recipient, message, on_handover))

    def close(self) -> None:
        try:
            if self._smtp is not None:
                self._runner.run(_shutdown(self._smtp, quit=True))
        finally:
            self._smtp = None
            self._runner.close()

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.s
        secure = s.security != "none"
        smtp = aiosmtplib.SMTP(
            hostname=s.host, port=s.port, timeout=s.timeout,
            use_tls=s.security == "tls", start_tls=s.security == "starttls",
            tls_context=tls_context(s.ca_file) if secure else None,
            local_hostname=_local_hostname(),
        )
        try:
            await smtp.connect()
            if s.username is not None:
                await smtp.login(s.username, s.password or "")
        except ssl.SSLCertVerificationError as e:
            await _shutdown(smtp)
            raise ConnectionFailed(f"{s.where}: TLS certificate not trusted ({e.verify_message}); "
                                   "for a self-signed server set smtp.ca_file") from None
        except aiosmtplib.SMTPAuthenticationError as e:
            await _shutdown(smtp)
            # Kept as temporary: a wrong password is fixed in the environment, and the
            # digest must still go out afterwards.
            raise ConnectionFailed(f"{s.where}: login as {s.username!r} refused ({e.code}); "
                                   "check the password environment variable") from None
        except (aiosmtplib.SMTPException, ssl.SSLError, OSError) as e:
            await _shutdown(smtp)
            raise ConnectionFailed(f"{s.where}: cannot connect ({_describe(e)})") from None
        except BaseException:
            await _shutdown(smtp)
            raise
        return smtp

    async def _send(self, recipient: str, message: bytes,
                    on_handover: Callable[[], None]) -> str:
        reused = self._smtp is not None and self._smtp.is_connected
        if not reused:
            self._smtp = await self._connect()
        smtp = self._smtp
        assert smtp is not None
        try:
            await self._envelope(smtp, recipient)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError):
            if not reused:
                raise ConnectionFailed(f"{self.s.where}: connection lost") from None
            # An idle connection the server dropped: reconnect once.
            await _shutdown(smtp)
            self._smtp = smtp = await self._connect()
            await self._envelope(smtp, recipient)
        on_handover()
        try:
            reply = await smtp.data(message)
        except aiosmtplib.SMTPResponseException as e:
            await self._reset(smtp)
            raise _classify(e, f"{self.s.where}: message to {recipient} refused") from None
        except (aiosmtplib.SMTPException, OSError) as e:
            await _shutdown(smtp)
            self._smtp = None
            raise NoReplyError(f"{self.s.where}: no reply after sending the message to "
                               f"{recipient} ({_describe(e)})") from None
        return reply.message

    async def _envelope(self, smtp: aiosmtplib.SMTP, recipient: str) -> None:
        try:
            await smtp.mail(self.s.sender)
            await smtp.rcpt(recipient)
        except aiosmtplib.SMTPSenderRefused as e:
            await self._reset(smtp)
            err = _classify(e, f"{self.s.where}: sender {self.s.sender} refused")
            # A refused sender refuses every message: stop the pass, keep them queued.
            raise ConnectionFailed(str(err)) from None
        except aiosmtplib.SMTPResponseException as e:
            await self._reset(smtp)
            raise _classify(e, f"{self.s.where}: recipient {recipient} refused") from None

    async def _reset(self, smtp: aiosmtplib.SMTP) -> None:
        try:
            await smtp.rset()
        except (aiosmtplib.SMTPException, OSError):
            await _shutdown(smtp)
            self._smtp = None


async def _shutdown(smtp: aiosmtplib.SMTP, *, quit: bool = False) -> None:
    """Close the connection and wait until the socket is really closed (a TLS transport
    closes its socket a loop iteration later; leaving earlier leaks it)."""
    protocol = smtp.protocol
    if quit and smtp.is_connected:
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            pass
    smtp.close()
    if protocol is None:
        return
    for _ in range(100):
        if protocol.transport is None:
            return
        await asyncio.sleep(0.01)
    transport = protocol.transport
    if isinstance(transport, asyncio.Transport):
        transport.abort()


def _classify(e: aiosmtplib.SMTPResponseException, what: str) -> Exception:
    text = f"{what}: {e.code} {' '.join(e.message.split())}"
    if 500 <= e.code < 600:
        return PermanentDeliveryError(text)
    return TemporaryDeliveryError(text)


def _describe(e: BaseException) -> str:
    """A short reason, looking through aiosmtplib's wrappers for the OS error."""
    seen: BaseException | None = e
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return "timed out"
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        seen = seen.__cause__ or seen.__context__
    text = " ".join(str(e).split()) or type(e).__name__
    return text[:200]


def _local_hostname() -> str:
    # socket.getfqdn() can block on DNS for seconds on machines without a resolver.
    name = socket.gethostname()
    return name if name and name.isascii() and " " not in name else "localhost"
