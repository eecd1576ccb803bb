"""Escalation of unacknowledged notices.

For each recipient unit that has not acknowledged: at ``deadline + reminder_delay`` a reminder
to the same unit; at ``deadline + escalation_delay`` an escalation to the unit's parent (or the
Department when it has none). Steps are a pure function of (notice, acks, now): a timer can run
it as often as it likes; each step has a stable key the repository stores once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from .ack import Acknowledgement, acknowledged_units
from .errors import ValidationFailedError
from .notices import Notice
from .vocabulary import NoticeStatus, StepKind


@dataclass(frozen=True)
class EscalationPolicy:
    department_unit_id: str
    reminder_delay: timedelta = timedelta(0)
    escalation_delay: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.escalation_delay <= self.reminder_delay:
            raise ValidationFailedError("escalation must come after the reminder", {})


@dataclass(frozen=True)
class EscalationStep:
    key: str
    kind: StepKind
    notice_id: str
    unit_id: str  # the unit that has not acknowledged
    target_unit_id: str  # who receives this step
    due_at: datetime


def step_key(notice_id: str, unit_id: str, kind: StepKind) -> str:
    return f"esc:{notice_id}:{unit_id}:{kind.value}"


def due_steps(
    notice: Notice,
    acks: Iterable[Acknowledgement],
    now: datetime,
    parents: Mapping[str, str | None],
    policy: EscalationPolicy,
    done_keys: Collection[str] = (),
) -> tuple[EscalationStep, ...]:
    """Steps due at ``now`` and not in ``done_keys``, ordered by due time then unit."""
    if notice.ack_deadline is None or notice.status is NoticeStatus.CANCELLED:
        return ()
    acked = acknowledged_units(acks, notice.id)
    steps: list[EscalationStep] = []
    for unit_id in notice.recipients:
        if unit_id in acked:
            continue
        for kind, delay, target in (
            (StepKind.REMINDER, policy.reminder_delay, unit_id),
            (
                StepKind.ESCALATION,
                policy.escalation_delay,
                _escalation_target(unit_id, parents, policy),
            ),
        ):
            due_at = notice.ack_deadline + delay
            key = step_key(notice.id, unit_id, kind)
            if due_at <= now and key not in done_keys:
                steps.append(EscalationStep(key, kind, notice.id, unit_id, target, due_at))
    return tuple(sorted(steps, key=lambda s: (s.due_at, s.unit_id, s.kind.value)))


def _escalation_target(
    unit_id: str, parents: Mapping[str, str | None], policy: EscalationPolicy
) -> str:
    parent = parents.get(unit_id)
    return parent if parent else policy.department_unit_id
