"""Plans: identity, content, life cycle (draft -> issued -> closed; cancelled) and amendments."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .audit import AuditEntry, FieldChange, Recording, status_change
from .errors import Conflict, InvalidTransition, ValidationFailed
from .tasks import PLANNING_HORIZON_YEARS, Task, planning_horizon
from .units import UnitDirectory
from .vocabulary import Channel, PlanStatus, Topic

_NUMBER_RE = re.compile(r"^(\d{1,6})/([^\W\d_]+)-([^\W_][\w.&-]*)$")


@dataclass(frozen=True, slots=True)
class DocumentNumber:
    """``<number>/<type>-<issuer>``, e.g. ``25/KH-STTTT`` (plan no. 25 of the Department)."""

    number: int
    doc_type: str
    issuer: str

    @classmethod
    def parse(cls, text: str) -> DocumentNumber:
        compact = re.sub(r"\s+", "", text).upper()
        match = _NUMBER_RE.match(compact)
        if match is None or int(match.group(1)) == 0:
            raise ValidationFailed(
                f"invalid document number {text!r}: expected <number>/<type>-<issuer>",
                {"field": "number", "value": text},
            )
        return cls(int(match.group(1)), match.group(2), match.group(3))

    def __str__(self) -> str:
        return f"{self.number}/{self.doc_type}-{self.issuer}"

    @property
    def key(self) -> str:
        """Normalised text used for uniqueness (``25/KH-STTTT``)."""
        return str(self)


def duplicate_number(plan: Plan) -> Conflict:
    """The error the repository raises when ``plan.uniqueness_key`` is already taken."""
    return Conflict(
        f"plan number {plan.number} of {plan.issuer_unit_id} for {plan.year} already exists",
        {"field": "number", "key": plan.uniqueness_key},
    )


_TRANSITIONS: dict[PlanStatus, frozenset[PlanStatus]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.ISSUED, PlanStatus.CANCELLED}),
    PlanStatus.ISSUED: frozenset({PlanStatus.CLOSED, PlanStatus.CANCELLED}),
    PlanStatus.CLOSED: frozenset(),
    PlanStatus.CANCELLED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class BasisDocument:
    symbol: str  # "07/KH-BCĐ", "102-QĐ/TW" (kept verbatim)
    date: date | None
    title: str
    parent_plan_id: str | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    """One line of "Nơi nhận": a unit, a group or free text, and the copy's purpose."""

    name: str
    purpose: str | None = None  # e.g. "báo cáo"
    unit_id: str | None = None
    group_id: str | None = None


@dataclass(frozen=True, slots=True)
class Signer:
    name: str
    title: str  # "PHÓ GIÁM ĐỐC"
    capacity: str | None = None  # "KT. GIÁM ĐỐC"


@dataclass(frozen=True, slots=True)
class Amendment:
    revision: int
    reason: str
    author: str
    at: datetime
    changes: tuple[FieldChange, ...]

    @property
    def changed_fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.changes)


CORE_FIELDS: frozenset[str] = frozenset({
    "number", "issuer_unit_id", "place", "issued_on", "title", "year", "basis", "objectives",
    "topics", "channels", "target_areas", "audiences", "recipients", "signer",
})


@dataclass(slots=True)
class Plan(Recording):
    id: str
    number: DocumentNumber
    issuer_unit_id: str
    place: str
    issued_on: date
    title: str
    year: int
    basis: tuple[BasisDocument, ...] = ()
    objectives: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()
    channels: tuple[Channel, ...] = ()
    target_areas: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    signer: Signer | None = None
    status: PlanStatus = PlanStatus.DRAFT
    revision: int = 0
    amendments: list[Amendment] = field(default_factory=list)
    issued_at: datetime | None = None

    def __post_init__(self) -> None:
        self.validate()

    # -- identity -------------------------------------------------------------------------

    @property
    def uniqueness_key(self) -> str:
        """What the repository keeps unique: issuer, year and normalised number."""
        return f"{self.issuer_unit_id}|{self.year}|{self.number.key}"

    # -- validation -----------------------------------------------------------------------

    def validate(self) -> None:
        problems: list[str] = []
        if not self.title.strip():
            problems.append("title must not be empty")
        if not 2000 <= self.year <= 2100:
            problems.append("year out of range")
        if abs(self.year - self.issued_on.year) > 1:
            problems.append("year is far from the issue date")
        if len(set(self.topics)) != len(self.topics):
            problems.append("topics are repeated")
        ValidationFailed.if_any(problems, f"invalid plan {self.id!r}", {"plan_id": self.id})

    def check_references(self, units: UnitDirectory, tasks: Iterable[Task] = ()) -> None:
        """Units exist and are active on the plan date; task deadlines are not before it."""
        units.require_active(self.issuer_unit_id, self.issued_on, "issuer_unit_id")
        for recipient in self.recipients:
            if recipient.unit_id is not None:
                units.require_active(recipient.unit_id, self.issued_on, "recipients.unit_id")
        for task in tasks:
            for unit_id in task.unit_ids:
                units.require_active(unit_id, self.issued_on, f"tasks[{task.id}].units")
            last = task.recurrence.ends_on if task.recurrence else task.due_date
            if last is not None and last < self.issued_on:
                raise ValidationFailed(
                    f"task {task.id!r} deadline {last.isoformat()} is before the plan date "
                    f"{self.issued_on.isoformat()}",
                    {"task_id": task.id, "field": "due_date"},
                )
            self._check_horizon(task)

    def _check_horizon(self, task: Task) -> None:
        earliest, latest = planning_horizon(self.issued_on)
        recurrence = task.recurrence
        last = recurrence.ends_on if recurrence else task.due_date
        if last is not None and last > latest:
            raise ValidationFailed(
                f"task {task.id!r} deadline {last.isoformat()} is after {latest.isoformat()}: "
                f"deadlines fall within {PLANNING_HORIZON_YEARS} years of the plan date",
                {"task_id": task.id,
                 "field": "recurrence.ends_on" if recurrence else "due_date"},
            )
        if recurrence is not None and recurrence.starts_on < earliest:
            raise ValidationFailed(
                f"task {task.id!r} recurrence starts on {recurrence.starts_on.isoformat()}, "
                f"before {earliest.isoformat()}: a recurrence starts at most "
                f"{PLANNING_HORIZON_YEARS} years before the plan date",
                {"task_id": task.id, "field": "recurrence.starts_on"},
            )

    # -- life cycle -----------------------------------------------------------------------

    def _move(self, to: PlanStatus, actor: str, at: datetime, note: str | None) -> AuditEntry:
        entry = status_change("plan", self.id, f"plan {self.number}", self.status, to,
                              _TRANSITIONS, actor, at, note)
        self.status = to
        return entry

    def issue(self, actor: str, at: datetime) -> AuditEntry:
        if self.signer is None:
            raise ValidationFailed("a plan needs a signer to be issued", {"field": "signer"})
        entry = self._move(PlanStatus.ISSUED, actor, at, None)
        self.issued_at = at
        return entry

    def close(self, actor: str, at: datetime) -> AuditEntry:
        return self._move(PlanStatus.CLOSED, actor, at, None)

    def cancel(self, actor: str, at: datetime, reason: str) -> AuditEntry:
        if not reason.strip():
            raise ValidationFailed("a cancellation needs a reason", {"field": "reason"})
        return self._move(PlanStatus.CANCELLED, actor, at, reason)

    # -- editing --------------------------------------------------------------------------

    def _apply(self, changes: Mapping[str, Any]) -> tuple[FieldChange, ...]:
        unknown = sorted(set(changes) - CORE_FIELDS)
        if unknown:
            raise ValidationFailed("these fields cannot be edited", {"fields": unknown})
        values = {name: _coerce(name, value) for name, value in changes.items()}
        before = {name: getattr(self, name) for name in values}
        result = tuple(
            FieldChange(name, _plain(before[name]), _plain(value))
            for name, value in values.items()
            if before[name] != value
        )
        for name, value in values.items():
            setattr(self, name, value)
        try:
            self.validate()
        except ValidationFailed:
            for name, value in before.items():
                setattr(self, name, value)
            raise
        return result

    def edit(self, changes: Mapping[str, Any], actor: str, at: datetime) -> AuditEntry:
        """Free editing of a draft."""
        if self.status is not PlanStatus.DRAFT:
            raise InvalidTransition(
                "only a draft can be edited freely; amend an issued plan",
                {"plan_id": self.id, "status": self.status.value},
            )
        return AuditEntry(actor, "plan.edited", "plan", self.id, at, self._apply(changes))

    def amend(
        self, changes: Mapping[str, Any], reason: str, author: str, at: datetime
    ) -> tuple[Amendment, AuditEntry]:
        """Change core fields of an issued plan; bumps the revision and records the change."""
        if self.status is not PlanStatus.ISSUED:
            raise InvalidTransition(
                "only an issued plan is amended",
                {"plan_id": self.id, "status": self.status.value},
            )
        if not reason.strip():
            raise ValidationFailed("an amendment needs a reason", {"field": "reason"})
        applied = self._apply(changes)
        if not applied:
            raise ValidationFailed("the amendment changes nothing", {"fields": sorted(changes)})
        self.revision += 1
        amendment = Amendment(self.revision, reason, author, at, applied)
        self.amendments.append(amendment)
        entry = AuditEntry(
            author, "plan.amended", "plan", self.id, at, applied, reason,
            {"revision": self.revision},
        )
        return amendment, entry


def _coerce(name: str, value: Any) -> Any:
    """Accept plain values (strings, lists) for typed fields; reject what does not fit."""
    try:
        if name == "number" and isinstance(value, str):
            return DocumentNumber.parse(value)
        if name == "issued_on" and isinstance(value, str):
            return date.fromisoformat(value)
        if name == "topics":
            return tuple(Topic(v) for v in value)
        if name == "channels":
            return tuple(Channel(v) for v in value)
    except ValueError as exc:
        raise ValidationFailed(f"invalid value for {name}", {"field": name}) from exc
    return tuple(value) if isinstance(value, list) else value


def _plain(value: Any) -> Any:
    """A JSON-friendly rendering of a field value for audit before/after."""
    if isinstance(value, DocumentNumber):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value
