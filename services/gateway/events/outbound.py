"""Outbound HTTP to subscribers' URLs, guarded against SSRF.

The pure check is shared by every service (`services/runtime/ssrf.py`, stdlib
only): http(s) only, no credentials in the URL, every resolved address public unless
OUTBOUND_ALLOWLIST covers it. We resolve once, check every address, and connect to the checked
address (Host header and TLS SNI keep the name), so a DNS answer that changes between check and
connect (rebinding) cannot reach a private address. Redirects are never followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

import httpx

from services.runtime.ssrf import UrlNotAllowed, check_url_allowed

__all__ = ["UrlNotAllowed", "check_url", "pinned_post"]


async def resolve(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), timeout=5)
    except (OSError, TimeoutError, UnicodeError, ValueError) as exc:
        raise UrlNotAllowed("unresolved", host) from exc
    return sorted({str(info[4][0]) for info in infos})


async def check_url(url: str, allowlist: Iterable[str]) -> list[str]:
    """The addresses `url` may be reached at, or UrlNotAllowed (also for a URL that does not
    parse: fuzzing found brackets and lone surrogates raising from urllib)."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
        url.encode("utf-8")
    except (ValueError, UnicodeError) as exc:
        raise UrlNotAllowed("malformed", str(exc)[:100]) from None
    try:
        addresses = await resolve(host) if host else []
    except UrlNotAllowed:
        addresses = []  # the pure check names the reason (metadata host, unresolved, ...)
    try:
        check_url_allowed(url, addresses, list(allowlist))
    except UrlNotAllowed:
        raise
    except (ValueError, UnicodeError) as exc:
        raise UrlNotAllowed("malformed", str(exc)[:100]) from None
    return addresses


async def pinned_post(client: httpx.AsyncClient, url: str, allowlist: Iterable[str],
                      content: bytes, headers: dict[str, str],
                      timeout: float) -> httpx.Response:
    addresses = await check_url(url, allowlist)
    parts = urlsplit(url)
    host = parts.hostname or ""
    address = addresses[0]
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = f"{host}:{parts.port}" if parts.port else host
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return await client.post(target, content=content,
                             headers={**headers, "Host": host_header},
                             timeout=timeout, follow_redirects=False, extensions=extensions)
