"""SSRF guard: decide whether a URL with its resolved addresses may be fetched
(`check_url_allowed`, pure), and the one check of a URL a user registers (`check_url`: source
feeds and webhook subscriptions alike)."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import unquote, urlsplit

__all__ = ["UrlNotAllowed", "check_url", "check_url_allowed", "resolve_host", "url_host"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud metadata
}
_METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}


class UrlNotAllowed(ValueError):
    """The URL must not be fetched; ``reason`` is a stable machine-readable code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def url_host(url: str) -> str:
    """The host a URL names, as browsers and HTTP clients read it: percent-decoded, lower case,
    without the trailing dot. Raises UrlNotAllowed("malformed") for a URL that does not parse
    (fuzzing found brackets and lone surrogates raising from urllib)."""
    try:
        url.encode("utf-8")
        return unquote(urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except (ValueError, UnicodeError) as exc:
        raise UrlNotAllowed("malformed", str(exc)[:100]) from None


def _ipv4_number(part: str) -> int | None:
    """One part of an IPv4 host as inet_aton and the URL standard read it: 0x hex, 0 octal,
    else decimal; None if it is not a number."""
    try:
        if part[:2] in ("0x", "0X"):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10) if part.isdigit() else None
    except ValueError:
        return None


def numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address of a host written as a number in any form a resolver accepts (2130706433,
    0x7f000001, 0177.0.0.1, 127.1, 0), or None for a host name."""
    if ":" in host:
        return None  # IPv6, checked as such (with any IPv4 inside it)
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not parts or _ipv4_number(parts[-1]) is None:
        return None  # a name: the URL standard reads a host as IPv4 when its last part is a number
    numbers = [_ipv4_number(part) for part in parts]
    if len(parts) > 4 or any(number is None for number in numbers):
        raise UrlNotAllowed("malformed", f"{host} is neither a host name nor an IPv4 address")
    *head, last = [number for number in numbers if number is not None]
    if any(number > 255 for number in head) or last >= 256 ** (5 - len(parts)):
        raise UrlNotAllowed("malformed", f"{host} is out of the IPv4 range")
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in ipaddress.ip_network("64:ff9b::/96") or ip in ipaddress.ip_network("::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _blocked_reason(ip: IPAddress) -> str | None:
    if ip in _METADATA:
        return "cloud_metadata"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_loopback:
            return "loopback"
        if ip.is_unspecified:
            return "unspecified"
        inner = _embedded_v4(ip)
        if inner is not None:
            reason = _blocked_reason(inner)
            return f"ipv4_embedded_{reason}" if reason else None
    checks = (
        ("loopback", ip.is_loopback),
        ("link_local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not_global", not ip.is_global),
    )
    for reason, hit in checks:
        if hit:
            return reason
    return None


def _allowed(host: str, ips: list[IPAddress], allowlist: Iterable[str]) -> set[str]:
    """Entries of the allowlist that cover the host or the given addresses."""
    covered: set[str] = set()
    for entry in allowlist:
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            if host == entry or (entry.startswith(".") and host.endswith(entry)):
                covered.add("host")
            continue
        for ip in ips:
            if ip.version == network.version and ip in network:
                covered.add(str(ip))
    return covered


def check_url_allowed(url: str, resolved_ips: Iterable[str], allowlist: Iterable[str] = ()) -> None:
    """Raise :class:`UrlNotAllowed` unless ``url`` is http(s) to public addresses only.

    ``resolved_ips`` are all addresses the host resolved to (the caller must connect to one of
    them, never resolve again). The allowlist holds host names (".example.org" for a suffix),
    IPs or CIDRs that are allowed even if private.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UrlNotAllowed("scheme_not_allowed", scheme or "(none)")
    host = url_host(url)
    number = numeric_ipv4(host)
    if number is not None and str(number) != host:
        # Resolvers disagree on these forms (eventlet's reads none, glibc all): refuse them
        # rather than let the check and the connection see different addresses.
        raise UrlNotAllowed("ip_not_canonical",
                            f"{host} means {number}: write the address as {number}")
    if not host:
        raise UrlNotAllowed("no_host", url)
    if parts.username or parts.password:
        raise UrlNotAllowed("credentials_in_url")
    ips: list[IPAddress] = []
    with contextlib.suppress(ValueError):
        ips.append(ipaddress.ip_address(host))
    for value in resolved_ips:
        try:
            ips.append(ipaddress.ip_address(value.split("%", 1)[0]))
        except ValueError as exc:
            raise UrlNotAllowed("bad_address", value) from exc
    allow = list(allowlist)
    covered = _allowed(host, ips, allow)
    if "host" in covered:
        return
    if host in _METADATA_HOSTS or host.endswith(".internal"):
        raise UrlNotAllowed("cloud_metadata", host)
    if not ips:
        raise UrlNotAllowed("unresolved", host)
    for ip in ips:
        if str(ip) in covered:
            continue
        reason = _blocked_reason(ip)
        if reason is not None:
            raise UrlNotAllowed(reason, str(ip))


def resolve_host(host: str) -> list[str]:
    """Every address `host` resolves to (an IP literal is its own answer)."""
    with contextlib.suppress(ValueError):
        return [str(ipaddress.ip_address(host))]
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:
        raise UrlNotAllowed("unresolved", host) from exc
    return sorted({str(info[4][0]) for info in infos})


def check_url(url: str, allowlist: Iterable[str],
              resolve: Callable[[str], list[str]] = resolve_host,
              unresolved_ok: bool = False) -> list[str]:
    """The addresses a user-given URL may be reached at, or UrlNotAllowed: the one check of
    webhook subscriptions and source feeds. `unresolved_ok` accepts a name that does not
    resolve yet (feeds are registered ahead of time; every fetch checks each hop again)."""
    host = url_host(url)
    try:
        addresses = resolve(host) if host else []
    except UrlNotAllowed:
        addresses = []  # the pure check names the reason (metadata host, unresolved, ...)
    try:
        check_url_allowed(url, addresses, list(allowlist))
    except UrlNotAllowed as exc:
        if not (unresolved_ok and exc.reason == "unresolved"):
            raise
    except (ValueError, UnicodeError) as exc:
        raise UrlNotAllowed("malformed", str(exc)[:100]) from None
    return addresses
