"""A real HTTP server on 127.0.0.1 for the feed tests and bench/feeds.py: feeds, pages, and
the faults a feed server can have (an error status, no answer, a redirect loop, an endless
body, a wrong charset). Routes are set per test; every request is logged.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str | None = None  # answer 304 to a request that sends it back
    location: str | None = None  # with a 3xx status
    hang: bool = False  # never answer (until the server stops or `release` is set)
    stream: int = 0  # send this many bytes of filler, with no Content-Length
    declare: int | None = None  # a Content-Length to announce instead of the real one


@dataclass
class Hit:
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    """`with FeedServer() as server:` then `server.routes["/feed.xml"] = Route(...)`."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._serve(self)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, path: str, status: int | None = None) -> int:
        with self._lock:
            return sum(1 for h in self.hits if h.path == path and status in (None, h.status))

    def _log(self, path: str, status: int, headers: dict[str, str]) -> None:
        with self._lock:
            self.hits.append(Hit(path, status, headers))

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        route = self.routes.get(h.path.split("?")[0])
        headers = {k.lower(): v for k, v in h.headers.items()}
        if route is None:
            route = Route(b"not found", "text/plain", 404)
        if route.hang:
            self._log(h.path, 0, headers)
            self.release.wait()
            return
        if route.etag and headers.get("if-none-match") == route.etag:
            self._log(h.path, 304, headers)
            h.send_response(304)
            h.send_header("ETag", route.etag)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        self._log(h.path, route.status, headers)
        h.send_response(route.status)
        if route.location:
            h.send_header("Location", route.location)
        h.send_header("Content-Type", route.content_type)
        if route.etag:
            h.send_header("ETag", route.etag)
        if route.stream:
            h.send_header("Connection", "close")
            h.end_headers()
            chunk = b"x" * 65536
            try:
                for _ in range(route.stream // len(chunk)):
                    h.wfile.write(chunk)
            except OSError:
                pass  # the client hung up: what it should do
            h.close_connection = True
            return
        body = route.body
        if "gzip" in headers.get("accept-encoding", "") and len(body) > 200:
            body = gzip.compress(body)
            h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(route.declare if route.declare is not None else len(body)))
        h.end_headers()
        try:
            h.wfile.write(body)
        except OSError:
            pass


@dataclass(frozen=True)
class Item:
    guid: str | None
    title: str
    text: str  # the description (a teaser when short)
    link: str | None = None
    date: str | None = "Tue, 26 Mar 2024 14:30:00 +0200"
    content: str | None = None  # content:encoded (the full article)


def rss(title: str, items: list[Item], encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 document."""
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>',
             '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
             f"<channel><title>{escape(title)}</title><link>http://example.org/</link>"]
    for it in items:
        parts.append("<item>")
        if it.guid:
            parts.append(f'<guid isPermaLink="false">{escape(it.guid)}</guid>')
        parts.append(f"<title>{escape(it.title)}</title>")
        if it.link:
            parts.append(f"<link>{escape(it.link)}</link>")
        if it.date:
            parts.append(f"<pubDate>{it.date}</pubDate>")
        parts.append(f"<description>{escape(it.text)}</description>")
        if it.content:
            parts.append(f"<content:encoded>{escape(it.content)}</content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding)


def atom(title: str, items: list[Item]) -> bytes:
    """An Atom 1.0 document (the full text in <content>)."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"<title>{escape(title)}</title><id>urn:feed:{escape(title)}</id>"
             f"<updated>2024-03-26T12:00:00Z</updated>"]
    for it in items:
        parts.append(f"<entry><id>{escape(it.guid or '')}</id><title>{escape(it.title)}</title>")
        if it.link:
            parts.append(f'<link href="{escape(it.link)}"/>')
        parts.append(f"<updated>{it.date or '2024-03-26T12:00:00Z'}</updated>")
        parts.append(f'<content type="html">{escape(it.content or it.text)}</content></entry>')
    parts.append("</feed>")
    return "\n".join(parts).encode()


def page(title: str, paragraphs: list[str], site: str = "Example Times") -> bytes:
    """An article's web page, with the chrome a real one has around the text."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><title>{escape(title)}</title>"
            f'<meta property="og:site_name" content="{escape(site)}"></head><body>'
            f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            f"<article><h1>{escape(title)}</h1>{body}</article>"
            f"<footer>© 2024 {escape(site)}. All rights reserved.</footer></body></html>").encode()


def http_date() -> str:
    return formatdate(usegmt=True)


def lines(n: int, topic: str) -> Iterator[str]:
    """n distinct sentences of article prose about a topic."""
    for i in range(n):
        yield (f"Officials in the region said on Tuesday that the {topic} had affected "
               f"{100 + 7 * i} households, and that crews were working through the night "
               f"to reach the villages cut off since the weekend (report {i}).")
