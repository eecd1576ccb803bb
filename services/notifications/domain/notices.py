"""Notices: what the Department tells organisation units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from .errors import InvalidTransitionError, ValidationFailedError

DEFAULT_LANGUAGE = "vi"

# Values a template may receive; dates are formatted by the templates (``| dmy``).
VariableValue = str | int | float | date | datetime | None


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
    """What to do for a language whose translation is not approved yet.

    ``WAIT``: the unit receives nothing until every translation it needs is approved, then all
    versions go together. ``SEND_VI_NOW``: Vietnamese now, each translation once approved.
    Critical notices always behave as ``SEND_VI_NOW``.
    """

    WAIT = "wait"
    SEND_VI_NOW = "send_vi_now"


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Notice:
    id: str
    kind: NoticeKind
    subject: str
    body: str
    priority: Priority
    created_at: datetime
    recipients: tuple[str, ...]
    plan_id: str | None = None
    task_id: str | None = None
    ack_deadline: datetime | None = None
    expires_at: datetime | None = None
    translation_policy: TranslationPolicy = TranslationPolicy.SEND_VI_NOW
    status: NoticeStatus = NoticeStatus.DRAFT
    variables: Mapping[str, VariableValue] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.id.strip():
            problems.append("id is empty")
        if not self.subject.strip():
            problems.append("subject is empty")
        if not self.body.strip() and self.kind is NoticeKind.GUIDANCE:
            problems.append("guidance body is empty")
        if (
            self.plan_id is None
            and self.task_id is None
            and self.category in (NoticeCategory.DIRECTIVE, NoticeCategory.REMINDER)
        ):
            # Alerts (from monitoring) and free-form guidance may stand alone.
            problems.append("a notice refers to a plan or a task")
        if not self.recipients:
            problems.append("no recipients")
        if len(set(self.recipients)) != len(self.recipients):
            problems.append("duplicate recipients")
        if self.created_at.tzinfo is None:
            problems.append("created_at must be timezone-aware")
        for name in ("ack_deadline", "expires_at"):
            value: datetime | None = getattr(self, name)
            if value is None:
                continue
            if value.tzinfo is None:
                problems.append(f"{name} must be timezone-aware")
            elif value <= self.created_at:
                problems.append(f"{name} must be after created_at")
        if problems:
            raise ValidationFailedError(
                "invalid notice", {"notice_id": self.id, "problems": problems}
            )

    @property
    def category(self) -> NoticeCategory:
        return self.kind.category

    @property
    def effective_translation_policy(self) -> TranslationPolicy:
        if self.priority is Priority.CRITICAL:
            return TranslationPolicy.SEND_VI_NOW
        return self.translation_policy

    def approve(self) -> Notice:
        if self.status is not NoticeStatus.DRAFT:
            raise InvalidTransitionError(
                f"cannot approve a {self.status.value} notice",
                {"notice_id": self.id, "from": self.status.value, "to": "approved"},
            )
        return replace(self, status=NoticeStatus.APPROVED)

    def cancel(self) -> Notice:
        if self.status is NoticeStatus.CANCELLED:
            return self
        return replace(self, status=NoticeStatus.CANCELLED)
