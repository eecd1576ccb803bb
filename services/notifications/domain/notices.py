"""Notices: what the Department tells organisation units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
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


# How long a notice under policy WAIT holds the Vietnamese copy for a translation, when the
# officer sets no deadline: two working days, but never more than half the time the unit has
# to acknowledge (it must have something to acknowledge well before its ack deadline).
DEFAULT_TRANSLATION_WAIT = timedelta(hours=48)


def default_translation_deadline(created_at: datetime, ack_deadline: datetime | None
                                 ) -> datetime:
    deadline = created_at + DEFAULT_TRANSLATION_WAIT
    if ack_deadline is not None and ack_deadline > created_at:
        deadline = min(deadline, created_at + (ack_deadline - created_at) / 2)
    return deadline


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
    translation_policy: TranslationPolicy = TranslationPolicy.VI_FIRST
    translation_deadline: datetime | None = None  # policy WAIT: Vietnamese goes at the latest then
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
        for name in ("ack_deadline", "expires_at", "translation_deadline"):
            value: datetime | None = getattr(self, name)
            if value is None:
                continue
            if value.tzinfo is None:
                problems.append(f"{name} must be timezone-aware")
            elif value <= self.created_at:
                problems.append(f"{name} must be after created_at")
        if problems:
            raise ValidationFailedError(
                f"invalid notice: {'; '.join(problems)}",
                {"notice_id": self.id, "problems": problems},
            )

    @property
    def category(self) -> NoticeCategory:
        return self.kind.category

    @property
    def effective_translation_policy(self) -> TranslationPolicy:
        if self.priority is Priority.CRITICAL:
            return TranslationPolicy.VI_FIRST
        return self.translation_policy

    def holds_for_translation(self, now: datetime) -> bool:
        """Whether a unit still waiting for a translation gets nothing yet (policy WAIT,
        before its deadline)."""
        if self.effective_translation_policy is not TranslationPolicy.WAIT:
            return False
        return self.translation_deadline is None or now < self.translation_deadline

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
