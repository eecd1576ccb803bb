"""The notifications domain's words: kinds, statuses and outcomes, in one glossary."""

from __future__ import annotations

from enum import StrEnum


class AckVia(StrEnum):
    LINK = "link"
    API = "api"
    WEBHOOK_REPLY = "webhook_reply"

    @property
    def public_name(self) -> str:
        """As events and the API name it."""
        return "webhook" if self is AckVia.WEBHOOK_REPLY else self.value


class DeliveryStatus(StrEnum):
    HELD = "held"  # planned, not sent yet: its translation (or, policy wait, all) not approved
    PENDING = "pending"
    RETRYING = "retrying"
    SENT = "sent"  # accepted by the provider, awaiting its delivery report
    DELIVERED = "delivered"
    FAILED = "failed"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.EXPIRED})


class HoldReason(StrEnum):
    AWAITING_TRANSLATION = "awaiting_translation"  # this language is not approved yet
    WAITING_FOR_TRANSLATIONS = "waiting_for_translations"  # Vietnamese, held by policy wait


class ReleaseReason(StrEnum):
    TRANSLATION_APPROVED = "translation_approved"
    TRANSLATION_DEADLINE = "translation_deadline"  # policy wait: Vietnamese goes anyway


class AttemptOutcome(StrEnum):
    OK = "ok"
    TRANSIENT = "transient"  # 5xx, 429, timeout, connection error
    PERMANENT = "permanent"  # 4xx, invalid address, rejected


class ReportStatus(StrEnum):
    """What a provider's delivery report says of one message."""

    DELIVERED = "delivered"
    FAILED = "failed"


class StepKind(StrEnum):
    """A step of a notice's escalation ladder."""

    REMINDER = "reminder"
    ESCALATION = "escalation"


class Step(StrEnum):
    """What planning does with one recipient's copy in one language."""

    SEND = "send"  # a new delivery, due at the plan's time
    HOLD = "hold"  # a new delivery, held
    RELEASE = "release"  # an existing held delivery, due now at the plan's time


class NoticeCategory(StrEnum):
    DIRECTIVE = "directive"
    REMINDER = "reminder"
    ALERT = "alert"
    GUIDANCE = "guidance"


class NoticeKind(StrEnum):
    """Concrete kinds; one template per kind and language."""

    PLAN_ISSUED = "plan_issued"
    TASK_ASSIGNED = "task_assigned"
    TASK_DUE_SOON = "task_due_soon"
    TASK_OVERDUE = "task_overdue"
    ALERT = "alert"
    GUIDANCE = "guidance"

    @property
    def category(self) -> NoticeCategory:
        return _CATEGORY[self]


_CATEGORY: dict[NoticeKind, NoticeCategory] = {
    NoticeKind.PLAN_ISSUED: NoticeCategory.DIRECTIVE,
    NoticeKind.TASK_ASSIGNED: NoticeCategory.DIRECTIVE,
    NoticeKind.TASK_DUE_SOON: NoticeCategory.REMINDER,
    NoticeKind.TASK_OVERDUE: NoticeCategory.REMINDER,
    NoticeKind.ALERT: NoticeCategory.ALERT,
    NoticeKind.GUIDANCE: NoticeCategory.GUIDANCE,
}


class Priority(StrEnum):
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Higher is more urgent (used for ordering)."""
        return {"normal": 0, "high": 1, "critical": 2}[self.value]


class TranslationPolicy(StrEnum):
    """What a unit whose audience reads Jrai or Bahnar receives before its translation is
    approved (units reading Vietnamese only are never held).

    ``WAIT``: nothing until every translation it needs is approved, then all versions go
    together; at the notice's ``translation_deadline`` the Vietnamese copy goes anyway (and
    each translation still follows once approved). ``VI_FIRST``: Vietnamese now, each
    translation once approved. Critical notices always behave as ``VI_FIRST``.
    """

    WAIT = "wait"
    VI_FIRST = "vi_first"

    @classmethod
    def _missing_(cls, value: object) -> TranslationPolicy | None:
        # The former name of VI_FIRST, still found in stored notices and older clients.
        return cls.VI_FIRST if value == "send_vi_now" else None


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    CANCELLED = "cancelled"


class SendMode(StrEnum):
    NOW = "now"
    AFTER_QUIET_HOURS = "after_quiet_hours"
    DIGEST = "digest"


class LanguageState(StrEnum):
    READY = "ready"  # send at the planned time
    AWAITING_TRANSLATION = "awaiting_translation"  # send once the translation is approved
    HELD = "held"  # policy "wait": ready, but held until every translation is approved
    # (or the notice's translation deadline passes)


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    ZALO = "zalo"
    TELEGRAM = "telegram"
    WEBHOOK = "webhook"
    INBOX = "inbox"


class TranslationStatus(StrEnum):
    REQUESTED = "requested"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
