"""Acknowledgement of receipt: signed ack links and idempotent recording."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import (
    ExpiredError,
    InvalidSignatureError,
    UnknownRecipientError,
    ValidationFailedError,
)
from .notices import Notice
from .vocabulary import AckVia

_TOKEN_VERSION = "a1"


@dataclass(frozen=True)
class AckClaims:
    notice_id: str
    unit_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Acknowledgement:
    notice_id: str
    unit_id: str
    at: datetime
    via: AckVia
    actor: str | None = None
    late: bool = False  # after the notice's ack deadline

    @property
    def key(self) -> str:
        return ack_key(self.notice_id, self.unit_id)


@dataclass(frozen=True)
class AckOutcome:
    ack: Acknowledgement
    created: bool  # False when the unit had already acknowledged (the first ack is kept)


def ack_key(notice_id: str, unit_id: str) -> str:
    return f"{notice_id}:{unit_id}"


def make_ack_token(secret: bytes, notice_id: str, unit_id: str, expires_at: datetime) -> str:
    """URL-safe token ``a1.<payload>.<hmac>``; the payload is readable, not secret."""
    _require_secret(secret)
    payload = json.dumps(
        {"n": notice_id, "u": unit_id, "e": int(expires_at.timestamp())},
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")
    body = f"{_TOKEN_VERSION}.{_b64(payload)}"
    return f"{body}.{_b64(_mac(secret, body))}"


def verify_ack_token(secret: bytes, token: str, now: datetime) -> AckClaims:
    """Raise ``InvalidSignatureError`` for a malformed/tampered token, ``ExpiredError`` after
    its expiry."""
    _require_secret(secret)
    version, _, rest = token.partition(".")
    payload_b64, _, mac_b64 = rest.partition(".")
    if version != _TOKEN_VERSION or not payload_b64 or not mac_b64:
        raise InvalidSignatureError("malformed ack token", {"reason": "malformed"})
    try:
        given = _unb64(mac_b64)
    except (binascii.Error, ValueError):
        raise InvalidSignatureError("malformed ack token", {"reason": "malformed"}) from None
    if not hmac.compare_digest(given, _mac(secret, f"{version}.{payload_b64}")):
        raise InvalidSignatureError("ack token signature mismatch", {"reason": "tampered"})
    try:
        claims = json.loads(_unb64(payload_b64))
        parsed = AckClaims(
            notice_id=str(claims["n"]),
            unit_id=str(claims["u"]),
            expires_at=datetime.fromtimestamp(int(claims["e"]), tz=UTC),
        )
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidSignatureError("malformed ack token", {"reason": "malformed"}) from None
    if now >= parsed.expires_at:
        raise ExpiredError(
            "ack link has expired",
            {"notice_id": parsed.notice_id, "expires_at": parsed.expires_at.isoformat()},
        )
    return parsed


def record_ack(
    notice: Notice,
    unit_id: str,
    existing: Iterable[Acknowledgement],
    at: datetime,
    via: AckVia,
    actor: str | None = None,
) -> AckOutcome:
    """Record the unit's acknowledgement once; repeated acks return the first, unchanged."""
    if unit_id not in notice.recipients:
        raise UnknownRecipientError(
            "unit is not a recipient of this notice",
            {"notice_id": notice.id, "unit_ids": [unit_id]},
        )
    for ack in existing:
        if ack.notice_id == notice.id and ack.unit_id == unit_id:
            return AckOutcome(ack, created=False)
    late = notice.ack_deadline is not None and at > notice.ack_deadline
    return AckOutcome(Acknowledgement(notice.id, unit_id, at, via, actor, late), created=True)


def acknowledged_units(acks: Iterable[Acknowledgement], notice_id: str) -> frozenset[str]:
    return frozenset(a.unit_id for a in acks if a.notice_id == notice_id)


def _require_secret(secret: bytes) -> None:
    if len(secret) < 16:
        raise ValidationFailedError("ack signing secret must be at least 16 bytes", {})


def _mac(secret: bytes, body: str) -> bytes:
    return hmac.new(secret, body.encode("utf-8"), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
