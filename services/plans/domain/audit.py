"""Audit journal entries: a value type produced by domain operations, persisted elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor: str
    action: str  # e.g. "plan.issued", "task.completed", "report.returned"
    entity_kind: str  # "plan" | "task" | "report" | "unit"
    entity_id: str
    at: datetime
    changes: tuple[FieldChange, ...] = ()
    note: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "action": self.action,
            "entity_kind": self.entity_kind,
            "entity_id": self.entity_id,
            "at": self.at.isoformat(),
            "changes": [
                {"field": c.field, "before": c.before, "after": c.after} for c in self.changes
            ],
            "note": self.note,
            "extra": dict(self.extra),
        }


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Field changes between two snapshots, in the order of ``after``'s keys."""
    return tuple(
        FieldChange(name, before.get(name), value)
        for name, value in after.items()
        if before.get(name) != value
    )


@dataclass(slots=True)
class Recording:
    """An aggregate that keeps what its changes recorded (event payloads, journal entries)
    until the unit of work stores them with it."""

    events: list[Any] = field(default_factory=list, init=False, repr=False, compare=False)
    audit: list[AuditEntry] = field(default_factory=list, init=False, repr=False,
                                    compare=False)

    def record(self, entry: AuditEntry | None, *events: Any) -> None:
        """Keep a change's journal entry (if it has one) and events until the unit of work
        stores them."""
        if entry is not None:
            self.audit.append(entry)
        self.events.extend(events)
