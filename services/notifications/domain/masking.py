"""Contact addresses as shown in delivery lists: enough to tell which contact was used, not
enough to harvest (e-mail addresses and phone numbers of units' staff are personal data)."""

from __future__ import annotations

from urllib.parse import urlsplit

from .vocabulary import Channel

MASK = "***"


def mask_address(channel: Channel, address: str) -> str:
    """``vhtt.ia-grai@gialai.example.org`` -> ``v***i@gialai.example.org``;
    ``+84912345678`` -> ``+84***678``; a webhook URL -> its scheme and host; a chat id ->
    its first and last two characters; the in-app inbox (the unit id) as is."""
    value = address.strip()
    if channel is Channel.INBOX or not value:
        return value
    if channel is Channel.EMAIL:
        return _mask_email(value)
    if channel is Channel.WEBHOOK:
        return _mask_url(value)
    if channel is Channel.SMS:
        return _keep_ends(value, 3, 3)
    return _keep_ends(value, 2, 2)


def _mask_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at or not local:
        return _keep_ends(value, 1, 1)
    if len(local) <= 2:
        return f"{local[0]}{MASK}@{domain}"
    return f"{local[0]}{MASK}{local[-1]}@{domain}"


def _mask_url(value: str) -> str:
    parts = urlsplit(value)
    if not parts.scheme or not parts.hostname:
        return _keep_ends(value, 4, 0)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/{MASK}"


def _keep_ends(value: str, head: int, tail: int) -> str:
    """The first `head` and last `tail` characters; short values keep less, never all."""
    if len(value) <= head + tail + 2:
        return value[:1] + MASK
    return value[:head] + MASK + (value[-tail:] if tail else "")
