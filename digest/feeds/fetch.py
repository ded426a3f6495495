"""HTTP GET for feeds and article pages: httpx, async, pooled; the only network digest uses.

Every way a fetch can fail becomes one FeedError naming the URL and the reason (DNS,
refused, TLS, an HTTP error status, a timeout, a redirect loop, a body over the size limit,
a broken gzip stream); httpx's exceptions never leave this module.

- Conditional GET: the stored ETag / Last-Modified go out as If-None-Match /
  If-Modified-Since; a 304 has no body, so an unchanged feed costs one small round trip.
- Redirects are followed here, not by httpx, to tell a permanent one (301, 308: the caller
  stores the new URL) from a temporary one, and to name a loop as a loop.
- The size limit is enforced while streaming: a declared Content-Length over it is refused
  before any byte of the body is read, an undeclared one when the limit is passed. The limit
  counts decoded bytes, so a gzip bomb is stopped too.
- At most `per_host` requests run at once against one host; `timeout` bounds each request
  from its start (waiting for a turn with the host does not count) to its last byte.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from digest import __version__
from digest.errors import FeedError
from digest.ingest import _size

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

USER_AGENT = f"digest/{__version__} (news digest feed reader; polite: conditional GET, backoff)"
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, "
               "text/xml;q=0.9, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchSettings:
    """How digest behaves on the network (config: sources.feed_timeout, feed_max_size)."""

    timeout: float = 20.0  # seconds per request, first byte sent to last byte read
    max_size: int = 10_000_000  # bytes of (decoded) body
    per_host: int = 2  # requests at once against one host
    max_redirects: int = 5
    max_connections: int = 32


@dataclass(frozen=True)
class Response:
    """A successful GET: 200 with its body, or 304 (body empty)."""

    url: str  # where the body came from, after redirects
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    moved_to: str | None  # the URL to store when every redirect on the way was permanent


class Fetcher:
    """One pooled async client; use as `async with Fetcher(settings) as f: await f.get(url)`."""

    def __init__(self, settings: FetchSettings | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        import httpx  # here, not at the top: every command imports this module, few fetch

        self.settings = settings or FetchSettings()
        s = self.settings
        self.client = httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(s.timeout), follow_redirects=False, transport=transport,
            limits=httpx.Limits(max_connections=s.max_connections,
                                max_keepalive_connections=s.max_connections))
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(s.per_host))

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                  accept: str = FEED_ACCEPT) -> Response:
        """GET url (conditional when validators are given), following redirects; FeedError
        names the URL and the reason."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = [url]
        permanent = True
        current = url
        while True:
            status, location, response = await self._once(current, headers, origin=url)
            if location is None:
                assert response is not None
                moved = response.url if permanent and response.url != url else None
                return Response(response.url, status, response.body, response.content_type,
                                response.etag, response.last_modified, moved)
            target = urljoin(current, location)
            if target in seen:
                raise FeedError(f"{url}: redirect loop ({' -> '.join([*seen, target])})")
            if len(seen) > self.settings.max_redirects:
                raise FeedError(f"{url}: more than {self.settings.max_redirects} redirects")
            if urlsplit(target).scheme not in ("http", "https"):
                raise FeedError(f"{url}: redirected to {target}, not an http(s) URL")
            permanent = permanent and status in PERMANENT
            seen.append(target)
            current = target

    async def _once(self, url: str, headers: dict[str, str], *, origin: str
                    ) -> tuple[int, str | None, Response | None]:
        """One request: (status, redirect location, None) or (status, None, response)."""
        import httpx

        host = urlsplit(url).netloc.lower()
        async with self._hosts[host]:
            try:
                async with asyncio.timeout(self.settings.timeout):
                    return await self._stream(url, headers, origin)
            except TimeoutError:
                raise FeedError(f"{origin}: no complete answer within "
                                f"{self.settings.timeout:g} s (timeout)") from None
            except httpx.HTTPError as e:
                raise FeedError(f"{origin}: {_reason(e)}") from e

    async def _stream(self, url: str, headers: dict[str, str], origin: str
                      ) -> tuple[int, str | None, Response | None]:
        limit = self.settings.max_size
        async with self.client.stream("GET", url, headers=headers) as r:
            if r.status_code in REDIRECTS:
                location = r.headers.get("Location")
                if not location:
                    raise FeedError(f"{origin}: HTTP {r.status_code} without a Location")
                return r.status_code, location, None
            if r.status_code == 304:
                return 304, None, Response(str(r.url), 304, b"", None, None, None, None)
            if r.status_code >= 400 or r.status_code != 200:
                raise FeedError(f"{origin}: HTTP {r.status_code} {r.reason_phrase}".rstrip())
            declared = r.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FeedError(f"{origin}: too big ({_size(int(declared))} declared; the "
                                f"limit is {_size(limit)}, sources.feed_max_size)")
            chunks: list[bytes] = []
            total = 0
            async for chunk in r.aiter_bytes():
                total += len(chunk)
                if total > limit:
                    raise FeedError(f"{origin}: too big (over {_size(limit)}, "
                                    "sources.feed_max_size): not read further")
                chunks.append(chunk)
            return 200, None, Response(str(r.url), 200, b"".join(chunks),
                                       r.headers.get("Content-Type"), r.headers.get("ETag"),
                                       r.headers.get("Last-Modified"), None)


def _os_error(e: BaseException) -> BaseException | None:
    """The socket-level error under httpx's and anyio's wrappers (they drop its message)."""
    seen: set[int] = set()
    found = None
    node: BaseException | None = e
    while node is not None and id(node) not in seen:
        if isinstance(node, OSError):
            found = node  # the deepest one is the socket's own ("All attempts failed" wraps it)
        seen.add(id(node))
        node = node.__cause__ or node.__context__
    return found


def _reason(e: httpx.HTTPError) -> str:
    """httpx's exception as a reason a reader understands."""
    import httpx

    text = str(e) or type(e).__name__
    if isinstance(e, httpx.TimeoutException):
        return f"timeout ({type(e).__name__})"
    if isinstance(e, httpx.ConnectError):
        cause = _os_error(e)
        if isinstance(cause, socket.gaierror):
            return f"host not found (DNS: {cause.strerror or cause})"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error ({cause})"
        low = text.lower()
        if "name or service not known" in low or "nodename nor servname" in low or (
                "temporary failure in name resolution" in low):
            return "host not found (DNS)"
        if "refused" in low:
            return "connection refused"
        if "ssl" in low or "certificate" in low:
            return f"TLS error ({text})"
        return f"cannot connect ({text})"
    if isinstance(e, httpx.DecodingError):
        return f"broken compressed body ({text})"
    if isinstance(e, httpx.RemoteProtocolError):
        return f"broken HTTP answer ({text})"
    if isinstance(e, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"not a fetchable URL ({text})"
    return f"{type(e).__name__}: {text}"

