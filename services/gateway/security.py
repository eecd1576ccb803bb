"""Passwords (argon2id), access tokens (JWT, HMAC algorithms only, allow-listed) and API keys
(random, stored as SHA-256: they carry 256 bits of entropy, so a slow hash adds nothing)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Verified when the user does not exist, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

API_KEY_PREFIX = "cpk_"
# A claim of every user token and a field of the user record: a password change, a reset or
# a deactivation increments the record's, and tokens that carry an older one are refused.
CREDENTIAL_VERSION = "credential_version"


class InvalidToken(Exception):
    """The token is missing, malformed, expired or not ours; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    algorithm: str
    issuer: str
    audience: str
    ttl_seconds: int
    leeway_seconds: int = 10


def issue_token(config: TokenConfig, subject: str, claims: dict[str, Any],
                now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    payload = {**claims, "sub": subject, "iss": config.issuer, "aud": config.audience,
               "iat": issued, "nbf": issued, "exp": issued + config.ttl_seconds,
               "jti": uuid.uuid4().hex}
    return jwt.encode(payload, config.secret, algorithm=config.algorithm)


# Why a token was refused, by the error PyJWT raised (any other: "malformed").
TOKEN_REFUSALS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.InvalidSignatureError, "bad_signature"),
)


def decode_token(config: TokenConfig, token: str) -> dict[str, Any]:
    """Verify signature, algorithm (allow-list of one), iss, aud, exp, nbf; or InvalidToken."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidToken("malformed") from None
    if header.get("alg") != config.algorithm:
        raise InvalidToken("algorithm_not_allowed")
    try:
        claims: dict[str, Any] = jwt.decode(
            token, config.secret, algorithms=[config.algorithm], audience=config.audience,
            issuer=config.issuer, leeway=config.leeway_seconds,
            options={"require": ["exp", "iat", "nbf", "iss", "aud", "sub"]})
    except jwt.PyJWTError as refusal:
        reason = next((reason for kind, reason in TOKEN_REFUSALS if isinstance(refusal, kind)),
                      "malformed")
        raise InvalidToken(reason) from None
    return claims


class VerifiedTokens:
    """`decode_token` with a memory of the tokens it accepted (its HMAC and JSON were the
    largest CPU cost of authentication: docs/decisions/0004-the-gateway-request-path.md).
    A token is a signed, immutable string: once its signature, algorithm, issuer, audience and
    not-before passed, only its expiry can change the answer, and that is checked on every
    use. Only accepted tokens are kept (at most `max_entries`, the oldest go first), so
    garbage cannot fill it."""

    def __init__(self, config: TokenConfig, max_entries: int = 10_000) -> None:
        self.config = config
        self.max_entries = max_entries
        self._accepted: dict[str, tuple[float, dict[str, Any]]] = {}

    def __len__(self) -> int:
        return len(self._accepted)

    def decode(self, token: str, now: float | None = None) -> dict[str, Any]:
        now = time.time() if now is None else now
        known = self._accepted.get(token)
        if known is not None:
            if known[0] > now - self.config.leeway_seconds:
                return known[1]
            del self._accepted[token]
            raise InvalidToken("expired")
        claims = decode_token(self.config, token)
        self._accepted[token] = (float(claims["exp"]), claims)
        while len(self._accepted) > self.max_entries:
            del self._accepted[next(iter(self._accepted))]
        return claims


def new_api_key() -> tuple[str, str]:
    """(key id, full secret key). The id is part of the key, so lookup needs no scan."""
    key_id = secrets.token_hex(6)
    return key_id, f"{API_KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def api_key_id(key: str) -> str | None:
    if not key.startswith(API_KEY_PREFIX):
        return None
    key_id, sep, rest = key[len(API_KEY_PREFIX):].partition("_")
    return key_id if sep and rest and len(key_id) == 12 else None


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_matches(stored_hash: str, key: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_api_key(key))
