"""Organisation units and unit groups: upserting and retiring a unit, saving a group,
importing the directory (queries as of a date: `units_as_of`).
"""

from __future__ import annotations

from datetime import date
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
    Conflict,
    OrgUnit,
    UnitDirectory,
    ValidationFailed,
    build_units,
    parse_units_document,
)
from services.plans.domain.audit import diff
from services.plans.use_cases.context import (
    Context,
    idempotent,
)


def _unit_from_model(model: UnitModel) -> OrgUnit:
    doc = model.model_dump(mode="json")
    doc["_id"] = doc.pop("id")
    return codec.unit_from(doc)


def upsert_unit(req: UpsertUnitRequest, ctx: Context) -> dict[str, Any]:
    unit = _unit_from_model(req.unit)
    if unit.parent_id is not None and unit.parent_id != unit.id:
        ctx.repo.get_unit(unit.parent_id)
    before = ctx.repo.find_unit(unit.id) or {}
    doc = codec.unit_to_doc(unit)
    others = [codec.unit_from(d) for d in ctx.repo.all_units() if d["_id"] != unit.id]
    UnitDirectory([*others, unit])  # duplicate ids are impossible; validates the set
    unknown = sorted(set(unit.successor_ids) - {o.id for o in others})
    if unknown:
        raise ValidationFailed(f"unknown successor units {unknown}",
                               {"field": "successor_ids", "unit_ids": unknown})
    for other in others:
        if (other.short_name.casefold() == unit.short_name.casefold()
                and other.valid_from <= (unit.valid_to or date.max)
                and unit.valid_from <= (other.valid_to or date.max)):
            raise Conflict(f"short name {unit.short_name!r} is used by {other.id!r} in an "
                           "overlapping validity period", {"field": "short_name"})
    changes = diff({k: v for k, v in before.items() if k in doc}, doc)
    if changes:
        ctx.repo.save_unit(doc)
        ctx.repo.journal([AuditEntry(req.actor, "unit.created" if not before else "unit.updated",
                                     "unit", unit.id, ctx.now(), changes)], None)
    return codec.unit_reply(doc)


def retire_unit(req: RetireUnitRequest, ctx: Context) -> dict[str, Any]:
    doc = ctx.repo.get_unit(req.unit_id)
    unit = codec.unit_from(doc)
    if req.valid_to < unit.valid_from:
        raise ValidationFailed("valid_to is before valid_from", {"field": "valid_to"})
    model = UnitModel.model_validate(codec.unit_reply(doc) | {"valid_to": req.valid_to})
    return upsert_unit(UpsertUnitRequest(unit=model, actor=req.actor), ctx)


def upsert_group(req: UpsertGroupRequest, ctx: Context) -> dict[str, Any]:
    g = req.group
    missing = ctx.repo.missing_units(g.unit_ids)
    if missing:
        raise ValidationFailed(f"unknown units {missing}", {"field": "unit_ids",
                                                            "unit_ids": missing})
    doc = {"_id": g.id, "name": g.name, "types": sorted(g.types), "subtypes": sorted(g.subtypes),
           "area": g.area.model_dump() if g.area else None, "parent_id": g.parent_id,
           "unit_ids": sorted(g.unit_ids)}
    codec.group_from(doc)
    before = ctx.repo.get_group(g.id) or {}
    changes = diff({k: v for k, v in before.items() if k in doc}, doc)
    if changes:
        ctx.repo.save_group(doc)
        ctx.repo.journal([AuditEntry(req.actor, "group.saved", "group", g.id, ctx.now(),
                                     changes)], None)
    return codec.group_reply(doc)


def list_groups(ctx: Context) -> list[dict[str, Any]]:
    return [codec.group_reply(group) for group in ctx.repo.all_groups()]


def import_units(req: ImportUnitsRequest, ctx: Context) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        units, groups = build_units(parse_units_document(req.content, req.format))
        existing = {d["_id"]: d for d in ctx.repo.all_units()}
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        entries = []
        for unit in units:
            doc = codec.unit_to_doc(unit)
            before = existing.get(unit.id)
            changes = diff({k: v for k, v in (before or {}).items() if k in doc}, doc)
            if not changes:
                counts["unchanged"] += 1
                continue
            counts["updated" if before else "created"] += 1
            ctx.repo.save_unit(doc)
            entries.append(AuditEntry(req.actor, "unit.updated" if before else "unit.created",
                                      "unit", unit.id, ctx.now(), changes if before else (),
                                      extra={"source": "import"}))
        for group in groups:
            doc = codec.group_to_doc(group)
            before = ctx.repo.get_group(group.id)
            if before is None or diff({k: v for k, v in before.items() if k in doc}, doc):
                ctx.repo.save_group(doc)
                entries.append(AuditEntry(req.actor, "group.saved", "group", group.id,
                                          ctx.now(), extra={"source": "import"}))
        ctx.repo.journal(entries, None)
        return {**counts, "groups": len(groups)}

    return idempotent("import_units", ctx, req.idempotency_key, run)
