"""Rolling a plan over to a later year (domain.rollover): the draft and its tasks are stored
like an import, tasks first and the plan with `plan.created` last, so a crash in between is
completed by running it again. The plan's id is derived from its number and year, and it
remembers its source: a second roll-over to the same year answers the first."""

from __future__ import annotations

import dataclasses
from typing import Any

from services.contracts.events import plans as plan_events
from services.contracts.plans_changes import RollOverRequest
from services.plans import codec
from services.plans.domain import AuditEntry, Conflict, DocumentNumber
from services.plans.domain.importing import default_plan_id
from services.plans.domain.rollover import roll_over
from services.plans.use_cases.context import Context, directory, idempotent, load_plan
from services.plans.use_cases.plans import check_plan_refs

ROLLED_OVER = "rolled_over_from"


def _unmapped_reply(item: Any) -> dict[str, Any]:
    return {"where": item.where, "unit_id": item.unit_id, "outcome": item.outcome,
            "action": item.action.value, "reason": item.reason, "task_id": item.task_id,
            "candidates": list(item.candidates)}


def roll_over_plan(req: RollOverRequest, ctx: Context) -> Any:
    def run() -> dict[str, Any]:
        _, source = load_plan(ctx, req.plan_id)
        units = directory(ctx)
        tasks = [codec.task_from(d) for d in ctx.repo.plan_tasks(source.id)]
        result = roll_over(
            source, tasks, units, plan_id=req.new_plan_id or "-", target_year=req.target_year,
            number=DocumentNumber.parse(req.number) if req.number else None, title=req.title,
            issuer_unit_id=req.issuer_unit_id)
        plan = result.plan
        plan_id = req.new_plan_id or default_plan_id(plan.number, plan.year)
        plan.id = plan_id
        new_tasks = [dataclasses.replace(t, plan_id=plan_id) for t in result.tasks]
        unmapped = [_unmapped_reply(u) for u in result.unmapped]
        existing = ctx.repo.find_plan(plan_id)
        if existing is not None:
            if ((existing.get(ROLLED_OVER) or {}).get("plan_id") == source.id
                    and existing.get("year") == req.target_year):
                return {"plan": codec.plan_summary(existing), "source_plan_id": source.id,
                        "tasks": ctx.repo.count_tasks(plan_id),
                        "unmapped": existing[ROLLED_OVER].get("unmapped", []),
                        "created": False}
            raise Conflict(f"plan {plan_id} already exists; give another new_plan_id",
                           {"field": "new_plan_id", "plan_id": plan_id})
        if ctx.repo.plan_with_uniqueness_key(plan.uniqueness_key):
            raise Conflict(f"plan number {plan.number} of {plan.issuer_unit_id} for "
                           f"{plan.year} already exists; give another number",
                           {"field": "number"})
        check_plan_refs(ctx, plan, units)
        plan.check_references(units, new_tasks)
        ctx.repo.delete_plan_tasks(plan_id)  # leftovers of a roll-over that crashed midway
        ctx.repo.insert_tasks([{**codec.task_to_doc(t), **codec.task_watch(t)}
                               for t in new_tasks])
        doc = {**codec.plan_to_doc(plan), "created_by": req.actor, "source": "roll_over",
               ROLLED_OVER: {"plan_id": source.id, "unmapped": unmapped}}
        event = plan_events.PlanCreated(plan_id=plan_id, number=str(plan.number),
                               issuer_unit_id=plan.issuer_unit_id, title=plan.title,
                               year=plan.year, status=plan.status.value,
                               topics=[t.value for t in plan.topics])
        try:
            stored = ctx.repo.insert_plan(doc, [ctx.envelope(event)])
        except Conflict:
            ctx.repo.delete_plan_tasks(plan_id)
            raise
        at = ctx.now()
        extra = {"source_plan_id": source.id, "target_year": req.target_year,
                 "tasks": len(new_tasks), "unmapped": len(unmapped)}
        ctx.repo.journal([
            AuditEntry(req.actor, "plan.rolled_over", "plan", plan_id, at, extra=extra),
            *(AuditEntry(req.actor, "task.created", "task", t.id, at,
                         extra={"source": "roll_over", "from_task_id": source_id})
              for source_id, t in zip(result.renamed_tasks, new_tasks, strict=True))],
            plan_id)
        ctx.repo.journal([AuditEntry(req.actor, "plan.rolled_over_to", "plan", source.id, at,
                                     extra={"plan_id": plan_id, "year": req.target_year})],
                         source.id)
        return {"plan": codec.plan_summary(stored), "source_plan_id": source.id,
                "tasks": len(new_tasks), "unmapped": unmapped, "created": True}

    return idempotent("roll_over_plan", ctx, req.idempotency_key, run)
