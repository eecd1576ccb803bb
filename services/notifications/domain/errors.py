"""The notifications domain's errors: each is the contracts' `DomainError(code, message,
details)` with its stable code fixed, named for what went wrong so the domain can raise and
tests can expect it by name. The service and gateway map codes to RPC/HTTP errors."""

from __future__ import annotations

from services.contracts.errors import DomainErrorKind, ErrorCode


class _NotificationsError(DomainErrorKind):
    """The kinds of error the notifications domain raises."""


class NotFoundError(_NotificationsError):
    default_code = ErrorCode.NOT_FOUND.value


class UnknownRecipientError(NotFoundError):
    """One or more recipient unit ids are not in the directory (details: ``unit_ids``)."""


class ValidationFailedError(_NotificationsError):
    default_code = ErrorCode.VALIDATION_FAILED.value


class InvalidTransitionError(_NotificationsError):
    default_code = ErrorCode.INVALID_TRANSITION.value


class NoUsableContactError(_NotificationsError):
    default_code = "no_usable_contact"


class OversizeBodyError(_NotificationsError):
    default_code = "oversize_body"


class InvalidTemplateError(_NotificationsError):
    """Template syntax error or unknown variables (details: ``errors`` with part/line/message)."""

    default_code = "invalid_template"


class InvalidSignatureError(_NotificationsError):
    """Signature or token does not verify (details: ``reason``)."""

    default_code = "invalid_signature"


class ExpiredError(_NotificationsError):
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
