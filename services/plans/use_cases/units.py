"""Organisation units and unit groups: upserting and retiring a unit, saving a group,
importing the directory (queries as of a date: `units_as_of`). Each runs on the unit of work:
the directory's entries record their journal entries, a commit writes both.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from services.contracts.plans_units import (
    ImportUnitsRequest,
    RetireUnitRequest,
    UnitModel,
    UpsertGroupRequest,
    UpsertUnitRequest,
)
from services.plans import codec
from services.plans.domain import (
    AuditEntry,
    NotFound,
    OrgUnit,
    UnitGroup,
    ValidationFailed,
    build_units,
    check_unit_among,
    parse_units_document,
)
from services.plans.repositories.unit_of_work import PlansUnitOfWork
from services.plans.use_cases.context import Context, run_command
from services.runtime.unit_of_work import StaleWrite, retrying


def _unit_from_model(model: UnitModel) -> OrgUnit:
    doc = model.model_dump(mode="json")
    doc["_id"] = doc.pop("id")
    return codec.unit_from(doc)


def upsert_unit(req: UpsertUnitRequest, ctx: Context) -> dict[str, Any]:
    return _save_unit(_unit_from_model(req.unit), req.actor, ctx)


def _save_unit(unit: OrgUnit, actor: str, ctx: Context) -> dict[str, Any]:
    """The unit created or changed when it differs from the stored one, with its journal
    entry; checked against the rest of the directory."""
    def attempt() -> dict[str, Any]:
        with ctx.unit_of_work() as uow:
            others = [other for other in uow.units.all() if other.id != unit.id]
            if unit.parent_id is not None and unit.parent_id != unit.id \
                    and unit.parent_id not in {other.id for other in others}:
                raise NotFound(f"unit {unit.parent_id} not found", {"unit_id": unit.parent_id})
            check_unit_among(unit, others)
            entry = uow.units.find(unit.id)
            changes = uow.units.changes(entry, unit)
            if changes:
                journal = AuditEntry(actor, "unit.updated" if entry else "unit.created", "unit",
                                     unit.id, ctx.now(), changes)
                if entry is None:
                    entry = uow.units.register(unit, journal)
                else:
                    entry.change(unit, journal)
                if uow.units.refused(uow.commit(), entry):
                    raise StaleWrite(f"unit {unit.id} created meanwhile")
            return uow.units.reply(unit)

    return retrying(attempt)


def retire_unit(req: RetireUnitRequest, ctx: Context) -> dict[str, Any]:
    with ctx.unit_of_work() as uow:
        unit = uow.units.read(req.unit_id)
    if req.valid_to < unit.valid_from:
        raise ValidationFailed("valid_to is before valid_from", {"field": "valid_to"})
    return _save_unit(dataclasses.replace(unit, valid_to=req.valid_to), req.actor, ctx)


def _group_from_request(req: UpsertGroupRequest) -> UnitGroup:
    group = req.group
    return codec.group_from({
        "_id": group.id, "name": group.name, "types": group.types, "subtypes": group.subtypes,
        "area": group.area.model_dump() if group.area else None, "parent_id": group.parent_id,
        "unit_ids": group.unit_ids})


def upsert_group(req: UpsertGroupRequest, ctx: Context) -> dict[str, Any]:
    group = _group_from_request(req)

    def attempt() -> dict[str, Any]:
        with ctx.unit_of_work() as uow:
            known = {unit.id for unit in uow.units.all()}
            missing = [unit_id for unit_id in req.group.unit_ids if unit_id not in known]
            if missing:
                raise ValidationFailed(f"unknown units {missing}", {"field": "unit_ids",
                                                                    "unit_ids": missing})
            if _save_group(uow, group, req.actor, ctx, {}):
                uow.commit()
            return uow.groups.reply(group)

    return retrying(attempt)


def _save_group(uow: PlansUnitOfWork, group: UnitGroup, actor: str, ctx: Context,
                extra: dict[str, Any]) -> bool:
    """Whether the group is new or changed (then recorded with its journal entry)."""
    entry = uow.groups.find(group.id)
    changes = uow.groups.changes(entry, group)
    journal = AuditEntry(actor, "group.saved", "group", group.id, ctx.now(),
                         () if extra else changes, extra=extra)
    if entry is None:
        uow.groups.register(group, journal)
        return True
    return entry.change_if(group, changes, journal)


def list_groups(ctx: Context) -> list[dict[str, Any]]:
    with ctx.unit_of_work() as uow:
        return [uow.groups.reply(group) for group in uow.groups.all()]


def import_units(req: ImportUnitsRequest, ctx: Context) -> dict[str, Any]:
    units, groups = build_units(parse_units_document(req.content, req.format))

    def run(uow: PlansUnitOfWork) -> dict[str, Any]:
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for unit in units:
            entry = uow.units.find(unit.id)
            changes = uow.units.changes(entry, unit)
            if not changes:
                counts["unchanged"] += 1
                continue
            counts["updated" if entry else "created"] += 1
            journal = AuditEntry(req.actor, "unit.updated" if entry else "unit.created",
                                 "unit", unit.id, ctx.now(), changes if entry else (),
                                 extra={"source": "import"})
            if entry is None:
                uow.units.register(unit, journal)
            else:
                entry.change(unit, journal)
        for group in groups:
            _save_group(uow, group, req.actor, ctx, {"source": "import"})
        return {**counts, "groups": len(groups)}

    return run_command(ctx, "import_units", req.idempotency_key, run)
