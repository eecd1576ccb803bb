"""The plans domain's errors: the contracts' `DomainError(code, message, details)` in the
named kinds every service shares, each with its stable code fixed, so the domain raises them
by name and tests expect them by name.

The gateway maps codes to HTTP statuses: ``not_found`` -> 404, ``conflict`` -> 409,
``invalid_transition`` -> 409, ``validation_failed`` -> 422.
"""

from __future__ import annotations

from services.contracts.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)

__all__ = ["ERROR_CODES", "Conflict", "DomainError", "InvalidTransition", "NotFound",
           "ValidationFailed"]

ERROR_CODES: tuple[str, ...] = tuple(
    kind.default_code for kind in (NotFound, Conflict, InvalidTransition, ValidationFailed))
