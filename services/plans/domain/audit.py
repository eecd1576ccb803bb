"""Audit journal entries: a value type produced by domain operations, persisted elsewhere."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from .errors import InvalidTransition


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


StatusT = TypeVar("StatusT", bound=Enum)


def status_change(kind: str, entity_id: str, name: str, before: StatusT, to: StatusT,
                  transitions: Mapping[StatusT, Collection[StatusT]], actor: str, at: datetime,
                  note: str | None) -> AuditEntry:
    """The journal entry of an aggregate's move from status `before` to `to` (`kind` "plan",
    "task"), or InvalidTransition where its life cycle (`transitions`) has no such move."""
    if to not in transitions[before]:
        raise InvalidTransition(
            f"{name} cannot go from {before.value} to {to.value}",
            {f"{kind}_id": entity_id, "from": before.value, "to": to.value},
        )
    return AuditEntry(actor, f"{kind}.{to.value}", kind, entity_id, at,
                      (FieldChange("status", before.value, to.value),), note)


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
