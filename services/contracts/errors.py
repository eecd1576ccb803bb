"""Typed errors that cross service boundaries.

A service raises (or converts its domain error into) `ServiceError`; the RPC layer carries the
code, message and details over the wire; the gateway maps the code to an HTTP status. Codes are
stable strings: clients may branch on them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    INVALID_TRANSITION = "invalid_transition"
    VALIDATION_FAILED = "validation_failed"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    RATE_LIMITED = "rate_limited"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    SERVICE_UNAVAILABLE = "service_unavailable"
    TIMEOUT = "timeout"
    INTERNAL = "internal_error"


class ServiceError(Exception):
    """An expected failure with a stable code; never a bug."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(code, message, details or {})
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


def as_service_error(exc: BaseException) -> ServiceError | None:
    """Accept any exception shaped like a domain error (code, message, details attributes).

    Each service's domain layer owns its error hierarchy without importing contracts; this is
    the one place those errors become wire errors.
    """
    if isinstance(exc, ServiceError):
        return exc
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None)
    if isinstance(code, str) and isinstance(message, str):
        details = getattr(exc, "details", None)
        return ServiceError(code, message, details if isinstance(details, dict) else {})
    return None
