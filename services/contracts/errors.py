"""The one error type that crosses service boundaries: `DomainError(code, message, details)`.

A use case raises `DomainError` with a stable code; the RPC layer carries the code, message
and details over the wire; the gateway maps the code to an HTTP status. Codes are stable
strings: clients may branch on them.

`ServiceError` is the same error under the name the RPC wire has always carried (nameko sends
the exception's class name, and callers read "ServiceError"): a subclass with no behaviour of
its own, made only at the boundary (`as_service_error`). Raise and catch `DomainError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, ClassVar


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


class DomainError(Exception):
    """An expected failure with a stable code; never a bug."""

    def __init__(self, code: str, message: str,
                 details: Mapping[str, Any] | None = None) -> None:
        super().__init__(code, message, dict(details or {}))
        self.code = str(code)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, {self.details!r})"

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class DomainErrorKind(DomainError):
    """A named kind of `DomainError` whose code is fixed (`default_code`), so a service's
    domain raises it by name with a message and details, and tests expect it by name."""

    default_code: ClassVar[str]

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(self.default_code, message, details)

    @classmethod
    def if_any(cls, problems: Sequence[str], message: str,
               details: Mapping[str, Any] | None = None) -> None:
        """Raises the problems a check of one thing found, if any, listed in the details
        (`problems`), so every aggregate's validation reports them the same way."""
        if problems:
            raise cls(message, {**(details or {}), "problems": list(problems)})


class NotFound(DomainErrorKind):
    default_code = ErrorCode.NOT_FOUND.value


class Conflict(DomainErrorKind):
    default_code = ErrorCode.CONFLICT.value


class InvalidTransition(DomainErrorKind):
    default_code = ErrorCode.INVALID_TRANSITION.value


class ValidationFailed(DomainErrorKind):
    default_code = ErrorCode.VALIDATION_FAILED.value


class ServiceError(DomainError):
    """A `DomainError` as the RPC wire names it (see the module's docstring)."""


def not_found(what: str) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"{what} not found")


def validation_failed(message: str, location: list[str], error_type: str, detail: str,
                      **details: Any) -> DomainError:
    """`validation_failed` with the `errors` list the RPC layer gives for a bad request."""
    return DomainError(ErrorCode.VALIDATION_FAILED, message, {
        **details, "errors": [{"loc": location, "msg": detail, "type": error_type}]})


def as_service_error(exc: BaseException) -> ServiceError | None:
    """The wire form of a domain error: a `DomainError` (the named kinds of plans and
    notifications are ones), or any exception shaped like one (code, message, details
    attributes)."""
    if isinstance(exc, ServiceError):
        return exc
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None)
    if isinstance(code, str) and isinstance(message, str):
        details = getattr(exc, "details", None)
        return ServiceError(code, message, details if isinstance(details, dict) else {})
    return None
