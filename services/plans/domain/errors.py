"""Typed domain errors: one small hierarchy with stable string codes.

The gateway maps codes to HTTP statuses: ``not_found`` -> 404, ``conflict`` -> 409,
``invalid_transition`` -> 409, ``validation_failed`` -> 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class DomainError(Exception):
    """Base class of every error the plans domain raises on purpose."""

    code: ClassVar[str] = "domain_error"

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, {self.details!r})"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """E.g. a duplicate plan number, a second open report for the same period."""

    code = "conflict"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class ValidationFailed(DomainError):
    """Unknown unit, deadline before plan date, negative KPI, malformed import file..."""

    code = "validation_failed"


ERROR_CODES: tuple[str, ...] = (
    NotFound.code,
    Conflict.code,
    InvalidTransition.code,
    ValidationFailed.code,
)
