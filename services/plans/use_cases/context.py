"""The context every plans use case runs in, and what the use cases share: retries of
read-modify-write, idempotency (remembered results and command keys on a plan), the unit
directory and groups, loading a plan, and `null` in change requests.

Each command loads the aggregate, applies the pure domain, and writes the document and its
events in one update (outbox); the audit journal gets the domain's `AuditEntry` values in the
same use case. Commands with an `idempotency_key` return their first result when retried.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from services.contracts.envelope import Envelope
from services.contracts.events import EventPayload
from services.plans import codec
from services.plans.domain import (
    Conflict,
    Plan,
    UnitDirectory,
    UnitGroup,
    ValidationFailed,
)
from services.plans.domain.units import ALL_CULTURE_OFFICES, ALL_PRESS_OUTLETS
from services.plans.repositories import PlansRepository, StaleWrite
from services.plans.repositories.unit_of_work import MongoPlansUnitOfWork, PlansUnitOfWork

T = TypeVar("T")
RETRIES = 5


@dataclass
class Context:
    repo: PlansRepository
    correlation_id: str | None
    now: Callable[[], datetime]
    # Tests of use cases without I/O give an in-memory one; else one on the repository's db.
    units_of_work: Callable[[], PlansUnitOfWork] | None = None

    def envelope(self, payload: EventPayload) -> Envelope:
        return payload.to_envelope(self.correlation_id)

    def unit_of_work(self) -> PlansUnitOfWork:
        if self.units_of_work is not None:
            return self.units_of_work()
        return MongoPlansUnitOfWork(self.repo.db, correlation_id=lambda: self.correlation_id)


def retrying(fn: Callable[[], T]) -> T:
    """Run a read-modify-write again when another writer got there first."""
    for _ in range(RETRIES - 1):
        try:
            return fn()
        except StaleWrite:
            continue
    try:
        return fn()
    except StaleWrite as exc:
        raise Conflict("the record is being changed concurrently; try again",
                       {"id": str(exc)}) from None


# On a plan, the key of the last command of each kind, written with the change itself: the
# result is remembered in a second write, and a process killed between the two (fault tests,
# issue #8) made the client's retry fail with invalid_transition although it had worked.
COMMAND_KEYS = "_command_keys"


def applied_before(doc: dict[str, Any], method: str, key: str | None) -> bool:
    return bool(key) and (doc.get(COMMAND_KEYS) or {}).get(method) == key


def command_key(method: str, key: str | None) -> dict[str, Any]:
    """Fields to `$set` with a plan's change so that a retry recognises it."""
    return {f"{COMMAND_KEYS}.{method}": key} if key else {}


def idempotent(method: str, ctx: Context, key: str | None, run: Callable[[], T]) -> Any:
    """The first result of (method, key), or run and remember it."""
    found = ctx.repo.remembered(method, key)
    if found is not None:
        return found
    result = wire(run())
    ctx.repo.remember(method, key, result)
    return result


def wire(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [wire(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def page_reply(rows: Sequence[dict[str, Any]], limit: int,
               reply: Callable[[dict[str, Any]], dict[str, Any]],
               cursor_field: str = "id") -> dict[str, Any]:
    """A page of replies from `limit + 1` rows read: the extra row says there is a next page,
    whose cursor is the last reply's `cursor_field`."""
    items = [reply(row) for row in rows[:limit]]
    return {"items": items,
            "next_cursor": items[-1][cursor_field] if len(rows) > limit else None}


def directory(ctx: Context) -> UnitDirectory:
    return UnitDirectory(codec.unit_from(d) for d in ctx.repo.all_units())


def known_groups(ctx: Context) -> dict[str, UnitGroup]:
    groups = {g.id: g for g in (ALL_PRESS_OUTLETS, ALL_CULTURE_OFFICES)}
    groups.update({d["_id"]: codec.group_from(d) for d in ctx.repo.all_groups()})
    return groups


def load_plan(ctx: Context, plan_id: str) -> tuple[dict[str, Any], Plan]:
    doc = ctx.repo.get_plan(plan_id)
    return doc, codec.plan_from(doc)


def nulls_resolved(changes: dict[str, Any], required: Sequence[str],
                    empty: dict[str, Any]) -> dict[str, Any]:
    removed = [name for name in required if name in changes and changes[name] is None]
    if removed:
        raise ValidationFailed(
            f"{', '.join(removed)} cannot be removed: give a value instead of null",
            {"field": f"changes.{removed[0]}", "fields": removed})
    return {name: empty[name] if value is None and name in empty else value
            for name, value in changes.items()}
