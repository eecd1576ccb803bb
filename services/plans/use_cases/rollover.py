"""Rolling a plan over to a later year (domain.rollover): the draft and its tasks are stored
like an import, tasks first and the plan with `plan.created` last, so a crash in between is
completed by running it again. The plan's id is derived from its number and year, and it
remembers its source: a second roll-over to the same year answers the first."""

from __future__ import annotations

import dataclasses
from typing import Any

from services.contracts.plans_changes import RollOverRequest
from services.plans.domain import AuditEntry, Conflict, DocumentNumber
from services.plans.domain.importing import default_plan_id
from services.plans.domain.rollover import roll_over
from services.plans.repositories.plan_repository import ROLLED_OVER
from services.plans.repositories.unit_of_work import PlansUnitOfWork
from services.plans.use_cases.context import Context, run_command
from services.plans.use_cases.plans import check_plan_refs, store_new_plan


def _unmapped_reply(item: Any) -> dict[str, Any]:
    return {"where": item.where, "unit_id": item.unit_id, "outcome": item.outcome,
            "action": item.action.value, "reason": item.reason, "task_id": item.task_id,
            "candidates": list(item.candidates)}


def roll_over_plan(req: RollOverRequest, ctx: Context) -> Any:
    def run(uow: PlansUnitOfWork) -> dict[str, Any]:
        source = uow.plans.get(req.plan_id)
        units = uow.units.directory()
        result = roll_over(
            source, uow.tasks.of_plan(source.id), units, plan_id=req.new_plan_id or "-",
            target_year=req.target_year,
            number=DocumentNumber.parse(req.number) if req.number else None, title=req.title,
            issuer_unit_id=req.issuer_unit_id)
        plan = result.plan
        plan_id = req.new_plan_id or default_plan_id(plan.number, plan.year)
        plan.id = plan_id
        new_tasks = [dataclasses.replace(t, plan_id=plan_id) for t in result.tasks]
        unmapped = [_unmapped_reply(u) for u in result.unmapped]
        existing = uow.plans.find(plan_id)
        if existing is not None:
            rolled_over = uow.plans.rolled_over_from(existing)
            if (rolled_over or {}).get("plan_id") == source.id \
                    and existing.year == req.target_year:
                return {"plan": uow.plans.summary(existing), "source_plan_id": source.id,
                        "tasks": uow.tasks.count_of_plan(plan_id),
                        "unmapped": (rolled_over or {}).get("unmapped", []),
                        "created": False}
            raise Conflict(f"plan {plan_id} already exists; give another new_plan_id",
                           {"field": "new_plan_id", "plan_id": plan_id})
        if uow.plans.number_taken(plan):
            raise Conflict(f"plan number {plan.number} of {plan.issuer_unit_id} for "
                           f"{plan.year} already exists; give another number",
                           {"field": "number"})
        check_plan_refs(uow, plan, units)
        plan.check_references(units, new_tasks)
        at = ctx.now()
        extra = {"source_plan_id": source.id, "target_year": req.target_year,
                 "tasks": len(new_tasks), "unmapped": len(unmapped)}
        store_new_plan(uow, plan, new_tasks, [
            AuditEntry(req.actor, "plan.rolled_over", "plan", plan_id, at, extra=extra),
            *(AuditEntry(req.actor, "task.created", "task", t.id, at,
                         extra={"source": "roll_over", "from_task_id": source_id})
              for source_id, t in zip(result.renamed_tasks, new_tasks, strict=True))],
            created_by=req.actor, source="roll_over",
            **{ROLLED_OVER: {"plan_id": source.id, "unmapped": unmapped}})
        # The source's journal says where it went; the source itself does not change.
        source.record(AuditEntry(req.actor, "plan.rolled_over_to", "plan", source.id, at,
                                 extra={"plan_id": plan_id, "year": req.target_year}))
        uow.commit()
        return {"plan": uow.plans.summary(plan), "source_plan_id": source.id,
                "tasks": len(new_tasks), "unmapped": unmapped, "created": True}

    return run_command(ctx, "roll_over_plan", req.idempotency_key, run)
