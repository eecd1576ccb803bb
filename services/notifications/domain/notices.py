"""Notices: what the Department tells organisation units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from .errors import InvalidTransitionError, ValidationFailedError
from .vocabulary import NoticeCategory, NoticeKind, NoticeStatus, Priority, TranslationPolicy

DEFAULT_LANGUAGE = "vi"

# Values a template may receive; dates are formatted by the templates (``| dmy``).
VariableValue = str | int | float | date | datetime | None


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
        ValidationFailedError.if_any(problems, f"invalid notice: {'; '.join(problems)}",
                                     {"notice_id": self.id})

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
