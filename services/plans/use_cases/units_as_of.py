"""The organisation on a date: units valid then and named as then (units carry validity
periods, successors and former names), one unit as of a date, and groups resolved on a date.

Without `as_of`, a list holds every unit (each under its current name) and `get_unit` answers
the unit as it is now, as before these queries took a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.contracts.plans_units import GetUnitRequest, ListUnitsRequest, ResolveGroupRequest
from services.plans.domain import NotFound, OrgUnit, local_date, resolve_group
from services.plans.domain.succession import succession_on
from services.plans.domain.vocabulary import SuccessionOutcome
from services.plans.repositories.unit_of_work import PlansUnitOfWork
from services.plans.use_cases.context import Context


def _named(uow: PlansUnitOfWork, unit: OrgUnit, day: date | None) -> dict[str, Any]:
    """A unit's reply, with the name and short name it bore on ``day``."""
    reply = uow.units.reply(unit)
    if day is not None:
        named = unit.named_on(day)
        reply["name"], reply["short_name"] = named.name, named.short_name
    return reply


def list_units(req: ListUnitsRequest, ctx: Context) -> dict[str, Any]:
    with ctx.unit_of_work() as uow:
        rows = uow.units.page(unit_type=req.type, parent_id=req.parent_id,
                              valid_on=req.as_of or req.active_on, after=req.after,
                              limit=req.limit + 1)
        items = [_named(uow, unit, req.as_of) for unit in rows[:req.limit]]
    return {"items": items, "next_cursor": items[-1]["id"] if len(rows) > req.limit else None}


def get_unit(req: GetUnitRequest, ctx: Context) -> dict[str, Any]:
    with ctx.unit_of_work() as uow:
        unit = uow.units.read(req.unit_id)
        if req.as_of is None:
            return uow.units.reply(unit)
        if not unit.is_active(req.as_of):
            until = unit.valid_to.isoformat() if unit.valid_to else "today"
            message = (f"unit {unit.id} did not exist on {req.as_of.isoformat()} (valid "
                       f"{unit.valid_from.isoformat()} to {until})")
            succession = succession_on(unit.id, uow.units.directory(), req.as_of)
            if succession.outcome in (SuccessionOutcome.SUCCEEDED, SuccessionOutcome.AMBIGUOUS):
                message += f"; its work passed to {', '.join(succession.candidates)}"
            raise NotFound(message, {"unit_id": unit.id, "as_of": req.as_of.isoformat(),
                                     "successor_ids": list(succession.candidates)})
        return _named(uow, unit, req.as_of)


def resolve(req: ResolveGroupRequest, ctx: Context) -> dict[str, Any]:
    with ctx.unit_of_work() as uow:
        group = uow.groups.known().get(req.group_id)
        if group is None:
            raise NotFound(f"unit group {req.group_id} not found", {"group_id": req.group_id})
        units = {unit.id: unit for unit in uow.units.all()}
        on = req.as_of or req.on or local_date(ctx.now())
        ids = resolve_group(group, units.values(), on)
        return {"group_id": req.group_id, "on": on.isoformat(), "unit_ids": ids,
                "items": [_named(uow, units[i], on) for i in ids]}
