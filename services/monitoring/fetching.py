"""Outbound HTTP for polling sources, guarded against SSRF, and article extraction.

- Every hop (the first URL and each redirect) is resolved once, every address is checked with
  the domain's `check_url_allowed` (private, loopback, link-local and metadata addresses are
  refused unless OUTBOUND_ALLOWLIST covers them), and the connection goes to the checked
  address (Host header and TLS SNI keep the name): a DNS answer that changes between check and
  connect cannot reach a private address, and a redirect to one is refused before connecting.
- A total deadline per fetch, a socket timeout, and a size limit (Content-Length or counted).
- Conditional GET (If-None-Match / If-Modified-Since); robots.txt cached per origin; a
  per-host politeness gap between requests.
- Bodies are decoded from the declared charset (header, XML declaration or <meta>), falling
  back to UTF-8 and then to charset detection, so windows-1258 or latin-1 pages read right.

http.client and socket are monkey-patched by eventlet inside nameko, so a slow host only
blocks its own green thread.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import ssl
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from services.monitoring.domain import DateParseError, parse_date
from services.runtime.ssrf import UrlNotAllowed, check_url_allowed, resolve_host

REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
ROBOTS_TTL_SECONDS = 3600.0
MIN_ARTICLE_CHARS = 200


class FetchError(Exception):
    """A fetch that produced no usable response; `outcome` is a bounded metric label."""

    def __init__(self, outcome: str, detail: str = "", status: int | None = None) -> None:
        super().__init__(f"{outcome}: {detail}" if detail else outcome)
        self.outcome = outcome
        self.detail = detail
        self.status = status


@dataclass
class FetchResponse:
    url: str  # final URL after redirects
    status: int
    headers: dict[str, str]
    body: bytes
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        match = re.search(r"charset=\"?([\w.:-]+)", self.headers.get("content-type", ""), re.I)
        return match.group(1).lower() if match else None


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to a checked address while verifying the certificate of the host name."""

    def __init__(self, address: str, host: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class Politeness:
    """At most one request per host every `gap` seconds (per process)."""

    def __init__(self, gap: float) -> None:
        self.gap = gap
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        if self.gap <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, 0.0))
            self._next[host] = start + self.gap
        if start > now:
            time.sleep(start - now)


class Fetcher:
    def __init__(self, *, allowlist: list[str], timeout: float = 10.0,
                 max_bytes: int = 5_000_000, politeness: float = 1.0,
                 user_agent: str = "CampaignMonitor/0.1") -> None:
        self.allowlist = allowlist
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.politeness = Politeness(politeness)
        self.user_agent = user_agent
        self._robots: dict[str, tuple[float, RobotFileParser]] = {}

    # -- one GET, following redirects through the SSRF check --------------------------------

    def get(self, url: str, headers: dict[str, str] | None = None,
            max_bytes: int | None = None) -> FetchResponse:
        limit = max_bytes or self.max_bytes
        deadline = time.monotonic() + self.timeout
        redirects: list[str] = []
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self._one(current, headers or {}, limit, deadline)
            if response.status in REDIRECTS and response.headers.get("location"):
                redirects.append(current)
                current = urljoin(current, response.headers["location"])
                continue
            response.redirects = redirects
            return response
        raise FetchError("too_many_redirects", url)

    def _one(self, url: str, headers: dict[str, str], limit: int,
             deadline: float) -> FetchResponse:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        try:
            addresses = resolve_host(host) if host else []
            check_url_allowed(url, addresses, self.allowlist)
        except UrlNotAllowed as exc:
            raise FetchError("refused", f"{exc.reason}: {url}") from exc
        https = parts.scheme.lower() == "https"
        port = parts.port or (443 if https else 80)
        self.politeness.wait(f"{host}:{port}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", url)
        address = addresses[0]
        conn: http.client.HTTPConnection
        if https:
            conn = _PinnedHTTPSConnection(address, host, port, remaining)
        else:
            conn = http.client.HTTPConnection(address, port, timeout=remaining)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        host_header = host if parts.port is None else f"{host}:{parts.port}"
        if ":" in host and not host.startswith("["):
            host_header = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
        try:
            conn.request("GET", path, headers={
                "Host": host_header, "User-Agent": self.user_agent,
                "Accept": "application/rss+xml, application/atom+xml, application/xml, "
                          "text/xml, text/html;q=0.9, */*;q=0.5",
                "Accept-Encoding": "identity", **headers})
            reply = conn.getresponse()
            got = {k.lower(): v for k, v in reply.getheaders()}
            declared = got.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError("too_large", f"{declared} bytes declared", reply.status)
            chunks: list[bytes] = []
            size = 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise FetchError("timeout", f"{url} (reading)", reply.status)
                if conn.sock is not None:
                    conn.sock.settimeout(left)
                chunk = reply.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise FetchError("too_large", f"more than {limit} bytes", reply.status)
                chunks.append(chunk)
            return FetchResponse(url, reply.status, got, b"".join(chunks))
        except FetchError:
            raise
        except TimeoutError as exc:
            raise FetchError("timeout", url) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError("network_error", f"{type(exc).__name__}: {exc}"[:300]) from exc
        finally:
            conn.close()

    # -- robots.txt -------------------------------------------------------------------------

    def allowed_by_robots(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(origin)
        if cached is None or time.monotonic() - cached[0] > ROBOTS_TTL_SECONDS:
            parser = RobotFileParser()
            rules: list[str] = []
            try:
                reply = self.get(origin + "/robots.txt", max_bytes=500_000)
                if reply.status in (401, 403) or reply.status >= 500:
                    rules = ["User-agent: *", "Disallow: /"]  # retried after the TTL
                elif reply.status < 400:
                    rules = decode(reply.body, reply.charset).splitlines()
            except FetchError as exc:
                if exc.outcome == "refused":
                    raise
                # an unreachable robots.txt does not forbid
            parser.parse(rules)
            cached = (time.monotonic(), parser)
            self._robots[origin] = cached
        return cached[1].can_fetch(self.user_agent, url)


# -- decoding ---------------------------------------------------------------------------------

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([\w.:-]+)[\"']", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", re.I)


def declared_charset(body: bytes, header_charset: str | None) -> str | None:
    if header_charset:
        return header_charset
    head = body[:4096]
    match = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def decode(body: bytes, header_charset: str | None = None) -> str:
    """Text of a response body (NFC: windows-1258 writes tones as combining marks):
    declared charset, else UTF-8, else detected."""
    return unicodedata.normalize("NFC", _decode(body, header_charset))


def _decode(body: bytes, header_charset: str | None) -> str:
    charset = declared_charset(body, header_charset)
    if charset:
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            return body.decode(charset)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
        return str(best) if best is not None else body.decode("utf-8", errors="replace")


def feed_text(body: bytes, header_charset: str | None) -> str:
    """A feed as text with its XML declaration saying UTF-8 (the parser re-encodes it)."""
    text = decode(body, header_charset)
    return re.sub(r"^(\s*<\?xml[^>]*?)\s+encoding=[\"'][\w.:-]+[\"']", r"\1", text, count=1)


def looks_like_feed(response: FetchResponse) -> bool:
    if any(t in response.content_type for t in ("rss", "atom", "xml")):
        return True
    head = response.body[:512].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed")


# -- articles ---------------------------------------------------------------------------------

_META_DATE = re.compile(
    r"<meta[^>]+(?:property|name|itemprop)=[\"'](?:article:published_time|pubdate|"
    r"datePublished|date|dc\.date)[\"'][^>]*content=[\"']([^\"']+)[\"']", re.I)
_VISIBLE_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}(?:[ ,-]+\d{1,2}[:h]\d{2})?")


@dataclass(frozen=True)
class Article:
    title: str
    text: str
    published: datetime | None


def extract_article(html: str, url: str | None = None,
                    now: datetime | None = None) -> Article | None:
    """The main text of an article page, or None when the page is not an article."""
    import trafilatura

    raw = trafilatura.extract(html, url=url, output_format="json", with_metadata=True,
                              include_comments=False, include_tables=False)
    if not raw:
        return None
    data: dict[str, Any] = json.loads(raw)
    text = str(data.get("text") or "").strip()
    if len(text) < MIN_ARTICLE_CHARS:
        return None
    return Article(str(data.get("title") or "").strip(), text,
                   page_date(html, data.get("date"), now))


def page_date(html: str, extracted: Any, now: datetime | None) -> datetime | None:
    candidates: list[str] = []
    match = _META_DATE.search(html)
    if match:
        candidates.append(match.group(1))
    visible = _VISIBLE_DATE.search(html)
    if visible:
        candidates.append(visible.group(0))
    if extracted:
        candidates.append(str(extracted))
    for value in candidates:
        with contextlib.suppress(DateParseError):
            return parse_date(value, now=now)
    return None
