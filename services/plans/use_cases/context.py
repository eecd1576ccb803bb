"""The context every plans use case runs in, and what the use cases share: a command on the
unit of work (its idempotency key and stale-write retries), pages of replies and `null` in
change requests.

A command reads `with ctx.unit_of_work().command(name, key) as uow: plan = uow.plans.get(id);
plan.<change>(...); uow.commit(reply)` (`run_command`): the aggregates record their events and
journal entries, the unit of work writes them with the change and keeps the key.
Queries read through the same repositories; the read side (`reporting`) through
`uow.progress`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from pydantic import BaseModel

from services.contracts.envelope import Envelope
from services.contracts.events import EventPayload
from services.plans.domain import ValidationFailed
from services.plans.repositories.unit_of_work import MongoPlansUnitOfWork, PlansUnitOfWork
from services.runtime.unit_of_work import retrying


@dataclass
class Context:
    units_of_work: Callable[[], PlansUnitOfWork]
    correlation_id: str | None
    now: Callable[[], datetime]

    @classmethod
    def on(cls, db: Any, correlation_id: str | None, now: Callable[[], datetime]) -> Context:
        """A context whose units of work write to this database (tests of use cases without
        I/O give an in-memory one instead)."""
        return cls(lambda: MongoPlansUnitOfWork(db, correlation_id=lambda: correlation_id),
                   correlation_id, now)

    def envelope(self, payload: EventPayload) -> Envelope:
        return payload.to_envelope(self.correlation_id)

    def unit_of_work(self) -> PlansUnitOfWork:
        return self.units_of_work()


def run_command(ctx: Context, name: str, key: str | None,
                run: Callable[[PlansUnitOfWork], dict[str, Any]]) -> dict[str, Any]:
    """A command in a unit of work that commits what `run` changed with its reply: a retry
    with the same key answers the first reply (`run` answers from the documents when the
    process died after the write but before the reply was kept: `uow.applied_before`), and
    documents another writer changed meanwhile are read again."""
    def attempt() -> dict[str, Any]:
        with ctx.unit_of_work().command(name, key) as uow:
            remembered = uow.remembered()
            if remembered is not None:
                return cast(dict[str, Any], remembered)
            reply: dict[str, Any] = wire(run(uow))
            uow.commit(reply)
            return reply

    return retrying(attempt)


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
               cursor_field: str = "id") -> dict[str, Any]:
    """A page of replies from `limit + 1` read: the extra one says there is a next page,
    whose cursor is the last reply's `cursor_field`."""
    items = list(rows[:limit])
    return {"items": items,
            "next_cursor": items[-1][cursor_field] if len(rows) > limit else None}


def nulls_resolved(changes: dict[str, Any], required: Sequence[str],
                    empty: dict[str, Any]) -> dict[str, Any]:
    removed = [name for name in required if name in changes and changes[name] is None]
    if removed:
        raise ValidationFailed(
            f"{', '.join(removed)} cannot be removed: give a value instead of null",
            {"field": f"changes.{removed[0]}", "fields": removed})
    return {name: empty[name] if value is None and name in empty else value
            for name, value in changes.items()}
