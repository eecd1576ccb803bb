"""Plans themselves: creating, importing, listing, editing a draft, amending an issued plan,
issuing (with every task's `task.assigned` in the same write), closing and cancelling.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from services.contracts.events import plans as plan_events
from services.contracts.plans_documents import (
    AmendPlanRequest,
    CancelPlanRequest,
    CreatePlanRequest,
    ImportPlanRequest,
    ListPlansRequest,
    PlanCommand,
    UpdatePlanRequest,
)
from services.plans import codec
from services.plans.domain import (
    AuditEntry,
    BasisDocument,
    Conflict,
    DocumentNumber,
    Plan,
    PlanStatus,
    Recipient,
    Signer,
    Task,
    Topic,
    UnitDirectory,
    ValidationFailed,
    build_plan,
    parse_plan_document,
    resolve_group,
)
from services.plans.repositories.unit_of_work import PlansUnitOfWork
from services.plans.use_cases.context import Context, nulls_resolved, page_reply, run_command
from services.plans.use_cases.tasks import (
    task_assigned,
)
from services.runtime.unit_of_work import StaleWrite, retrying


def _plan_values(changes: dict[str, Any]) -> dict[str, Any]:
    """RPC field values -> domain values for Plan.edit / Plan.amend."""
    out = dict(changes)
    if "basis" in out:
        out["basis"] = tuple(BasisDocument(b["symbol"], b.get("date"), b["title"],
                                           b.get("parent_plan_id")) for b in out["basis"])
    if "recipients" in out:
        out["recipients"] = tuple(Recipient(r["name"], r.get("purpose"), r.get("unit_id"),
                                            r.get("group_id")) for r in out["recipients"])
    if "signer" in out and out["signer"] is not None:
        s = out["signer"]
        out["signer"] = Signer(s["name"], s["title"], s.get("capacity"))
    return out


def check_plan_refs(uow: PlansUnitOfWork, plan: Plan, units: UnitDirectory | None = None) -> None:
    plan.check_references(units or uow.units.directory())
    groups = uow.groups.known()
    for i, r in enumerate(plan.recipients):
        if r.group_id is not None and r.group_id not in groups:
            raise ValidationFailed(f"unknown unit group {r.group_id!r}",
                                   {"field": f"recipients[{i}].group_id"})
    for i, b in enumerate(plan.basis):
        if b.parent_plan_id is not None and not uow.plans.exists(b.parent_plan_id):
            raise ValidationFailed(f"unknown parent plan {b.parent_plan_id!r}",
                                   {"field": f"basis[{i}].parent_plan_id"})


def plan_created(plan: Plan) -> plan_events.PlanCreated:
    return plan_events.PlanCreated(
        plan_id=plan.id, number=str(plan.number), issuer_unit_id=plan.issuer_unit_id,
        title=plan.title, year=plan.year, status=plan.status.value,
        topics=[t.value for t in plan.topics])


def create_plan(req: CreatePlanRequest, ctx: Context) -> dict[str, Any]:
    values = _plan_values(req.model_dump(exclude={"actor", "idempotency_key", "number"}))

    def attempt() -> dict[str, Any]:
        with ctx.unit_of_work() as uow:
            if req.idempotency_key:
                existing = uow.plans.created_with_key(req.idempotency_key)
                if existing is not None:
                    return uow.plans.summary(existing)
            plan = Plan(
                id=uow.plans.new_id(), number=DocumentNumber.parse(req.number),
                issuer_unit_id=req.issuer_unit_id, place=req.place or "",
                issued_on=req.issued_on or date(req.year, 1, 1), title=req.title,
                year=req.year, basis=values["basis"], objectives=tuple(req.objectives),
                topics=tuple(Topic(t) for t in req.topics),
                channels=tuple(codec.Channel(ch) for ch in req.channels),
                target_areas=tuple(req.target_areas), audiences=tuple(req.audiences),
                recipients=values["recipients"], signer=values.get("signer"))
            check_plan_refs(uow, plan)
            if uow.plans.number_taken(plan):
                raise Conflict(f"plan number {plan.number} of {plan.issuer_unit_id} for "
                               f"{plan.year} already exists",
                               {"field": "number", "key": plan.uniqueness_key})
            stored_with = {"created_by": req.actor, "source": "api"}
            if req.idempotency_key:
                stored_with["idempotency_key"] = req.idempotency_key
            uow.plans.create(plan, **stored_with)
            plan.record(None, plan_created(plan))
            if uow.plans.refused(uow.commit(), plan):
                # another creation with this key, or of this number, came first: read again
                raise StaleWrite(f"plan {plan.id} refused")
            # The journal after the plan: a refused plan never has an entry.
            plan.record(AuditEntry(req.actor, "plan.created", "plan", plan.id, ctx.now(),
                                   extra={"number": str(plan.number)}))
            uow.commit()
            return uow.plans.summary(plan)

    return retrying(attempt)


def get_plan(plan_id: str, ctx: Context) -> dict[str, Any]:
    with ctx.unit_of_work() as uow:
        return uow.plans.detail(uow.plans.read(plan_id), uow.tasks.count_of_plan(plan_id))


def list_plans(req: ListPlansRequest, ctx: Context) -> dict[str, Any]:
    filters = {name: getattr(req, name) for name in ("year", "status", "issuer_unit_id")
               if getattr(req, name) is not None}
    with ctx.unit_of_work() as uow:
        return page_reply(uow.plans.page(filters, req.after, req.limit + 1), req.limit)


# In a change request, null removes a value: an optional field goes back to its empty value,
# a required one cannot be removed (validation_failed naming it, not a crash in the domain).
PLAN_REQUIRED = ("number", "issuer_unit_id", "issued_on", "title", "year")
PLAN_EMPTY: dict[str, Any] = {
    "place": "", "signer": None, "basis": [], "objectives": [], "topics": [], "channels": [],
    "target_areas": [], "audiences": [], "recipients": []}


def _plan_command(ctx: Context, name: str, req: PlanCommand | UpdatePlanRequest,
                  change: Callable[[PlansUnitOfWork, Plan], None]) -> dict[str, Any]:
    """One command on a plan in a unit of work: its change, events and journal entry in one
    commit. A retry with the same key answers the first result, also when the process died
    after the write but before the result was kept; a plan changed meanwhile by another
    writer is read again."""
    def run(uow: PlansUnitOfWork) -> dict[str, Any]:
        plan = uow.plans.get(req.plan_id)
        if not uow.applied_before(uow.plans, plan):
            change(uow, plan)
        return uow.plans.summary(plan)

    return run_command(ctx, name, req.idempotency_key, run)


def _change_plan(ctx: Context, req: UpdatePlanRequest | AmendPlanRequest) -> dict[str, Any]:
    changes = _plan_values(nulls_resolved(req.changes.model_dump(exclude_unset=True),
                                           PLAN_REQUIRED, PLAN_EMPTY))
    if not changes:
        raise ValidationFailed("no field to change", {"field": "changes"})

    def change(uow: PlansUnitOfWork, plan: Plan) -> None:
        if isinstance(req, AmendPlanRequest):
            amendment, entry = plan.amend(changes, req.reason, req.actor, ctx.now())
            plan.record(entry, plan_events.PlanAmended(
                plan_id=plan.id, number=str(plan.number), revision=plan.revision,
                reason=req.reason, changed_fields=list(amendment.changed_fields),
                amended_by=req.actor, topics=[t.value for t in plan.topics]))
        else:
            plan.record(plan.edit(changes, req.actor, ctx.now()))
        check_plan_refs(uow, plan)
        if uow.plans.number_taken(plan):
            raise Conflict("another plan of this issuer and year has this number",
                           {"field": "number"})

    name = "amend_plan" if isinstance(req, AmendPlanRequest) else "update_plan"
    return _plan_command(ctx, name, req, change)


def update_plan(req: UpdatePlanRequest, ctx: Context) -> Any:
    return _change_plan(ctx, req)


def amend_plan(req: AmendPlanRequest, ctx: Context) -> Any:
    return _change_plan(ctx, req)


def _recipient_units(uow: PlansUnitOfWork, plan: Plan) -> list[str]:
    groups = uow.groups.known()
    units = uow.units.all()
    ids: set[str] = set()
    for r in plan.recipients:
        if r.unit_id:
            ids.add(r.unit_id)
        if r.group_id and r.group_id in groups:
            ids.update(resolve_group(groups[r.group_id], units, plan.issued_on))
    return sorted(ids)


def issue_plan(req: PlanCommand, ctx: Context) -> Any:
    def change(uow: PlansUnitOfWork, plan: Plan) -> None:
        entry = plan.issue(req.actor, ctx.now())
        tasks = uow.tasks.of_plan(plan.id)
        issued = plan_events.PlanIssued(
            plan_id=plan.id, number=str(plan.number), issuer_unit_id=plan.issuer_unit_id,
            title=plan.title, year=plan.year, issued_on=plan.issued_on,
            topics=[t.value for t in plan.topics], channels=[ch.value for ch in plan.channels],
            target_area_codes=list(plan.target_areas),
            recipient_unit_ids=_recipient_units(uow, plan), task_ids=[t.id for t in tasks],
            revision=plan.revision)
        # plan.issued and every task.assigned go out in the same write as the status change.
        plan.record(entry, issued, *(task_assigned(plan, t) for t in tasks))

    return _plan_command(ctx, "issue_plan", req, change)


def close_plan(req: PlanCommand, ctx: Context) -> Any:
    def change(uow: PlansUnitOfWork, plan: Plan) -> None:
        reason = getattr(req, "reason", None)
        if isinstance(req, CancelPlanRequest):
            entry = plan.cancel(req.actor, ctx.now(), req.reason)
        else:
            entry = plan.close(req.actor, ctx.now())
        plan.record(entry, plan_events.PlanClosed(plan_id=plan.id, number=str(plan.number),
                                                  status=plan.status.value, reason=reason))

    name = "cancel_plan" if isinstance(req, CancelPlanRequest) else "close_plan"
    return _plan_command(ctx, name, req, change)


def store_new_plan(uow: PlansUnitOfWork, plan: Plan, tasks: Sequence[Task],
                   entries: Sequence[AuditEntry], **stored_with: Any) -> None:
    """A plan made with its tasks (an import, a roll-over), in three commits: the leftovers
    of a run that crashed midway removed, the tasks, then the plan with `plan.created` and
    the journal. A crash in between leaves orphan tasks the next run removes, never a plan
    with missing tasks; a plan refused (its id or number came first) takes its tasks back
    and the caller reads again."""
    for orphan in uow.tasks.of_plan(plan.id, to_change=True):
        uow.tasks.remove(orphan)
    uow.commit()
    for task in tasks:
        uow.tasks.add(task)
    stored = uow.commit()
    if any(uow.tasks.refused(stored, task) for task in tasks):
        raise Conflict("a task with this id already exists in the plan", {"field": "task_id"})
    uow.plans.create(plan, **stored_with)
    plan.record(None, plan_created(plan))
    if uow.plans.refused(uow.commit(), plan):
        for task in tasks:
            uow.tasks.remove(task)
        uow.commit()
        raise StaleWrite(f"plan {plan.id} refused")
    for entry in entries:
        plan.record(entry)
    uow.commit()


def import_plan(req: ImportPlanRequest, ctx: Context) -> Any:
    digest = hashlib.sha256(req.content.encode("utf-8")).hexdigest()
    parsed = parse_plan_document(req.content, req.format)

    def run(uow: PlansUnitOfWork) -> dict[str, Any]:
        reply = _import(uow)
        if req.issue and reply["plan"]["status"] == PlanStatus.DRAFT.value:
            reply["plan"] = issue_plan(PlanCommand(plan_id=reply["plan"]["id"],
                                                   actor=req.actor), ctx)
        return reply

    def _import(uow: PlansUnitOfWork) -> dict[str, Any]:
        units = uow.units.directory()
        imported = build_plan(parsed, units, uow.groups.known().values())
        plan = imported.plan
        existing = uow.plans.find(plan.id)
        if existing is not None:
            if uow.plans.imported_from(existing) != digest:
                raise Conflict(f"plan {plan.id} already exists with other content",
                               {"field": "plan.id", "plan_id": plan.id})
            return {"plan": uow.plans.summary(existing),
                    "tasks": uow.tasks.count_of_plan(plan.id), "created": False}
        if uow.plans.number_taken(plan):
            raise Conflict(f"plan number {plan.number} of {plan.issuer_unit_id} for "
                           f"{plan.year} already exists", {"field": "plan.number"})
        check_plan_refs(uow, plan, units)
        for group in imported.groups:
            uow.groups.save(group)
        at = ctx.now()
        store_new_plan(uow, plan, imported.tasks, [
            AuditEntry(req.actor, "plan.imported", "plan", plan.id, at,
                       extra={"number": str(plan.number), "tasks": len(imported.tasks)}),
            *(AuditEntry(req.actor, "task.created", "task", t.id, at,
                         extra={"source": "import"}) for t in imported.tasks)],
            created_by=req.actor, source="import", import_hash=digest)
        return {"plan": uow.plans.summary(plan), "tasks": len(imported.tasks), "created": True}

    return run_command(ctx, "import_plan", req.idempotency_key, run)
