"""The plans domain's errors: each is the contracts' `DomainError(code, message, details)`
with its stable code fixed, named for what went wrong so the domain can raise and tests can
expect it by name.

The gateway maps codes to HTTP statuses: ``not_found`` -> 404, ``conflict`` -> 409,
``invalid_transition`` -> 409, ``validation_failed`` -> 422.
"""

from __future__ import annotations

from services.contracts.errors import DomainError, DomainErrorKind, ErrorCode

__all__ = ["ERROR_CODES", "Conflict", "DomainError", "InvalidTransition", "NotFound",
           "ValidationFailed"]


class _PlansError(DomainErrorKind):
    """The kinds of error the plans domain raises."""


class NotFound(_PlansError):
    default_code = ErrorCode.NOT_FOUND.value


class Conflict(_PlansError):
    """E.g. a duplicate plan number, a second open report for the same period."""

    default_code = ErrorCode.CONFLICT.value


class InvalidTransition(_PlansError):
    default_code = ErrorCode.INVALID_TRANSITION.value


class ValidationFailed(_PlansError):
    """Unknown unit, deadline before plan date, negative KPI, malformed import file..."""

    default_code = ErrorCode.VALIDATION_FAILED.value


ERROR_CODES: tuple[str, ...] = tuple(
    kind.default_code for kind in (NotFound, Conflict, InvalidTransition, ValidationFailed))
