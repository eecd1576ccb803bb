"""Pure SSRF guard: decide whether a URL with its resolved addresses may be fetched."""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

__all__ = ["UrlNotAllowed", "check_url_allowed"]

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
    host = (parts.hostname or "").lower().rstrip(".")
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
