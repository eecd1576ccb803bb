"""Standard Webhooks signing and verification (https://www.standardwebhooks.com/).

Headers ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``
(space-separated ``v1,<base64 HMAC-SHA256(secret, f"{id}.{timestamp}.{body}")>``). Secrets are
``whsec_<base64>``; during rotation sign with every active secret, verify against any.
Self-contained: stdlib plus this package's ``errors`` only (reused by the gateway).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as _secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import ExpiredError, InvalidSignatureError, ValidationFailedError

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300
HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"


@dataclass(frozen=True)
class WebhookSecret:
    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) < 16:
            raise ValidationFailedError("webhook secret must be at least 16 bytes", {})

    @classmethod
    def parse(cls, value: str) -> WebhookSecret:
        raw = value[len(SECRET_PREFIX) :] if value.startswith(SECRET_PREFIX) else value
        try:
            return cls(base64.b64decode(raw, validate=True))
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailedError("webhook secret is not valid base64", {}) from exc

    @classmethod
    def generate(cls, num_bytes: int = 32) -> WebhookSecret:
        return cls(_secrets.token_bytes(num_bytes))

    def serialize(self) -> str:
        return SECRET_PREFIX + base64.b64encode(self.key).decode("ascii")

    def __repr__(self) -> str:  # never leak the key in logs
        return "WebhookSecret(<redacted>)"


def _as_secrets(value: WebhookSecret | str | Sequence[WebhookSecret | str]) -> list[WebhookSecret]:
    items = [value] if isinstance(value, WebhookSecret | str) else list(value)
    parsed = [s if isinstance(s, WebhookSecret) else WebhookSecret.parse(s) for s in items]
    if not parsed:
        raise ValidationFailedError("at least one webhook secret is required", {})
    return parsed


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def compute_signature(secret: WebhookSecret, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.key, signed, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign(
    secrets: WebhookSecret | str | Sequence[WebhookSecret | str],
    msg_id: str,
    timestamp: int,
    body: bytes | str,
) -> str:
    """The ``webhook-signature`` header value: one ``v1,<sig>`` per secret, space-separated."""
    if not msg_id or any(c.isspace() for c in msg_id):
        raise ValidationFailedError("webhook id must be non-empty without whitespace", {})
    payload = _as_bytes(body)
    return " ".join(
        f"{SIGNATURE_VERSION},{compute_signature(s, msg_id, timestamp, payload)}"
        for s in _as_secrets(secrets)
    )


def signing_headers(
    secrets: WebhookSecret | str | Sequence[WebhookSecret | str],
    msg_id: str,
    timestamp: int,
    body: bytes | str,
) -> dict[str, str]:
    return {
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: sign(secrets, msg_id, timestamp, body),
    }


def verify(
    secrets: WebhookSecret | str | Sequence[WebhookSecret | str],
    headers: Mapping[str, str],
    body: bytes | str,
    now: int,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> str:
    """Verify a received webhook; returns the ``webhook-id``. ``now`` is Unix seconds.

    Raises ``InvalidSignatureError`` (reason missing_header, bad_timestamp, no_matching_signature)
    or ``ExpiredError`` (timestamp outside ``tolerance_seconds`` either way).
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    missing = [h for h in (HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE) if not lowered.get(h)]
    if missing:
        raise InvalidSignatureError(
            "missing webhook headers", {"reason": "missing_header", "headers": missing}
        )
    msg_id, raw_ts, signature_header = (
        lowered[HEADER_ID],
        lowered[HEADER_TIMESTAMP],
        lowered[HEADER_SIGNATURE],
    )
    try:
        timestamp = int(raw_ts)
    except ValueError:
        raise InvalidSignatureError(
            "webhook timestamp is not an integer", {"reason": "bad_timestamp"}
        ) from None
    if abs(now - timestamp) > tolerance_seconds:
        reason = "timestamp_too_old" if timestamp < now else "timestamp_too_new"
        raise ExpiredError(
            "webhook timestamp outside tolerance",
            {"reason": reason, "timestamp": timestamp, "now": now, "tolerance": tolerance_seconds},
        )
    payload = _as_bytes(body)
    expected = [
        compute_signature(s, msg_id, timestamp, payload).encode("ascii")
        for s in _as_secrets(secrets)
    ]
    for candidate in signature_header.split():
        version, _, value = candidate.partition(",")
        if version != SIGNATURE_VERSION:
            continue
        given = value.encode("ascii", errors="replace")
        # compare against every expected signature (no early exit on the secret list)
        matches = [hmac.compare_digest(given, exp) for exp in expected]
        if any(matches):
            return msg_id
    raise InvalidSignatureError(
        "no matching webhook signature", {"reason": "no_matching_signature"}
    )
