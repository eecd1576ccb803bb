"""Outbound HTTP to subscribers' URLs, guarded against SSRF.

The pure check is shared by every service (`services/runtime/ssrf.py`, stdlib
only): http(s) only, no credentials in the URL, every resolved address public unless
OUTBOUND_ALLOWLIST covers it. We resolve once, check every address, and connect to the checked
address (Host header and TLS SNI keep the name), so a DNS answer that changes between check and
connect (rebinding) cannot reach a private address. Redirects are never followed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

import httpx

from services.runtime import ssrf
from services.runtime.ssrf import UrlNotAllowed, url_host

__all__ = ["UrlNotAllowed", "check_url", "pinned_post"]

RESOLVE_SECONDS = 5


async def check_url(url: str, allowlist: Iterable[str]) -> list[str]:
    """The addresses `url` may be reached at, or UrlNotAllowed: the check source feeds get
    too, with the name resolved off the event loop (bounded: a slow resolver is a refusal)."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(ssrf.check_url, url, list(allowlist)), timeout=RESOLVE_SECONDS)
    except TimeoutError:
        raise UrlNotAllowed("unresolved", url_host(url)) from None


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
