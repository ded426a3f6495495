"""SMTP via aiosmtplib: STARTTLS / implicit TLS / plain (localhost), AUTH, timeouts.

Maps what goes wrong to retry-or-fail:
  TemporaryDeliveryError   connection refused, timeout, TLS or login trouble, any 4xx: retry later
    ConnectionFailed       the server cannot be used at all right now: stop this delivery pass
                           (also: the server closed the connection without answering the end
                           of the message; it has not taken it, SMTP's 250 is the hand-over)
    NoReplyError           no reply within the timeout after the whole message was written:
                           the server may or may not have accepted it (see outbox: "unconfirmed")
  PermanentDeliveryError   a 5xx for this message (recipient refused, content rejected)

The DATA exchange is done here step by step rather than by aiosmtplib's `data()`, so that the
caller learns the moment the whole body has been written (`on_handover`, before the final
dot): before it, any failure means the server cannot have the message (queue it again); after
it, only the server's reply tells.

The password is held in a field excluded from repr and never formatted into a message.
"""

from __future__ import annotations

import asyncio
import logging
import re
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
from digest.errors import (
    ConnectionFailed,
    NoReplyError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)

log = logging.getLogger(__name__)


class Session(Protocol):
    def send(self, recipient: str, message: bytes, on_handover: Callable[[], None]) -> str:
        """Send one message to one recipient; return the server's reply. Calls on_handover
        once the whole body has been written to the connection, just before the final dot
        (from then on the server may accept it)."""
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
        lost = (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError)
        try:
            await self._envelope(smtp, recipient)
        except lost as e:
            await self._drop(smtp)
            if not reused:
                raise ConnectionFailed(f"{self.s.where}: connection lost ({_describe(e)})"
                                       ) from None
            # An idle connection the server dropped: reconnect once.
            self._smtp = smtp = await self._connect()
            try:
                await self._envelope(smtp, recipient)
            except lost as e2:
                await self._drop(smtp)
                raise ConnectionFailed(f"{self.s.where}: connection lost ({_describe(e2)})"
                                       ) from None
        return await self._data(smtp, recipient, message, on_handover)

    async def _data(self, smtp: aiosmtplib.SMTP, recipient: str, message: bytes,
                    on_handover: Callable[[], None]) -> str:
        """DATA, the body, on_handover(), the final dot, the reply."""
        try:
            start = await smtp.execute_command(b"DATA")
            if start.code != 354:
                raise aiosmtplib.SMTPDataError(start.code, start.message)
            protocol = smtp.protocol
            if protocol is None:
                raise aiosmtplib.SMTPServerDisconnected("connection lost")
            # As aiosmtplib's own data() does: a reply is expected from here on, so one that
            # comes early (a server refusing mid-message) is kept for read_response below.
            protocol._response_pending = True
            protocol.write(_stuffed(message))
            await _flushed(protocol, self.s.timeout)
        except aiosmtplib.SMTPResponseException as e:
            await self._reset(smtp)
            raise _classify(e, f"{self.s.where}: message to {recipient} refused") from None
        except (aiosmtplib.SMTPException, OSError) as e:
            await self._drop(smtp)
            raise ConnectionFailed(f"{self.s.where}: connection lost while sending the message "
                                   f"to {recipient}, before its end ({_describe(e)})") from None
        try:
            on_handover()
        except BaseException:
            # Not this worker's to send any more (or not recorded): the final dot never goes,
            # and a connection closed in the middle of the message makes the server drop it.
            await self._drop(smtp)
            raise
        try:
            protocol.write(b".\r\n")
            reply = await protocol.read_response(timeout=self.s.timeout)
        except aiosmtplib.SMTPTimeoutError:
            await self._drop(smtp)
            raise NoReplyError(f"{self.s.where}: no reply within {self.s.timeout:g} s after "
                               f"the whole message to {recipient} was sent") from None
        except (aiosmtplib.SMTPException, OSError) as e:
            await self._drop(smtp)
            raise ConnectionFailed(f"{self.s.where}: the server closed the connection without "
                                   f"accepting the message to {recipient} "
                                   f"({_describe(e)})") from None
        if reply.code != 250:
            err = aiosmtplib.SMTPDataError(reply.code, reply.message)
            await self._reset(smtp)
            raise _classify(err, f"{self.s.where}: message to {recipient} refused")
        return reply.message

    async def _drop(self, smtp: aiosmtplib.SMTP) -> None:
        await _shutdown(smtp)
        self._smtp = None

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


def _stuffed(message: bytes) -> bytes:
    """The body as SMTP carries it: CRLF line ends, a leading dot doubled, no final dot."""
    body = _LINE_END.sub(b"\r\n", message)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return _LEADING_DOT.sub(b"..", body)


_LINE_END = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


async def _flushed(protocol: asyncio.BaseProtocol, timeout: float) -> None:
    """Wait until the connection's write buffer is empty: the body has left this process."""
    transport = getattr(protocol, "transport", None)
    deadline = asyncio.get_running_loop().time() + timeout
    while isinstance(transport, asyncio.WriteTransport) and transport.get_write_buffer_size():
        if transport.is_closing():
            raise aiosmtplib.SMTPServerDisconnected("connection lost")
        if asyncio.get_running_loop().time() > deadline:
            raise aiosmtplib.SMTPTimeoutError("timed out writing the message")
        await asyncio.sleep(0.005)
    if transport is None or transport.is_closing():
        raise aiosmtplib.SMTPServerDisconnected("connection lost")


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
