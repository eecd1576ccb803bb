"""One typed error hierarchy for the notifications domain.

Every error carries a stable machine ``code`` (the service and gateway map codes to RPC/HTTP
errors), a human ``message`` and JSON-friendly ``details``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error raised by the notifications domain."""

    default_code: ClassVar[str] = "domain_error"

    def __init__(
        self,
        message: str,
        details: Mapping[str, Any] | None = None,
        *,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code: str = code or self.default_code
        self.message: str = message
        self.details: dict[str, Any] = dict(details or {})

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class NotFoundError(DomainError):
    default_code = "not_found"


class UnknownRecipientError(NotFoundError):
    """One or more recipient unit ids are not in the directory (details: ``unit_ids``)."""


class ValidationFailedError(DomainError):
    default_code = "validation_failed"


class InvalidTransitionError(DomainError):
    default_code = "invalid_transition"


class NoUsableContactError(DomainError):
    default_code = "no_usable_contact"


class OversizeBodyError(DomainError):
    default_code = "oversize_body"


class InvalidTemplateError(DomainError):
    """Template syntax error or unknown variables (details: ``errors`` with part/line/message)."""

    default_code = "invalid_template"


class InvalidSignatureError(DomainError):
    """Signature or token does not verify (details: ``reason``)."""

    default_code = "invalid_signature"


class ExpiredError(DomainError):
    """A signed token or a webhook timestamp is outside its validity window."""

    default_code = "expired"


ERROR_CODES: frozenset[str] = frozenset(
    cls.default_code
    for cls in (
        NotFoundError,
        ValidationFailedError,
        InvalidTransitionError,
        NoUsableContactError,
        OversizeBodyError,
        InvalidTemplateError,
        InvalidSignatureError,
        ExpiredError,
    )
)
