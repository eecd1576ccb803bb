"""Plans themselves: creating, importing, listing, editing a draft, amending an issued plan,
issuing (with every task's `task.assigned` in the same write), closing and cancelling.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from services.contracts.envelope import Envelope
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
    Topic,
    UnitDirectory,
    ValidationFailed,
    build_plan,
    parse_plan_document,
    resolve_group,
)
from services.plans.use_cases.context import (
    Context,
    applied_before,
    command_key,
    directory,
    idempotent,
    known_groups,
    load_plan,
    nulls_resolved,
    page_reply,
    retrying,
)
from services.plans.use_cases.tasks import (
    task_assigned,
)


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


def check_plan_refs(ctx: Context, plan: Plan, units: UnitDirectory | None = None) -> None:
    plan.check_references(units or directory(ctx))
    groups = known_groups(ctx)
    for i, r in enumerate(plan.recipients):
        if r.group_id is not None and r.group_id not in groups:
            raise ValidationFailed(f"unknown unit group {r.group_id!r}",
                                   {"field": f"recipients[{i}].group_id"})
    for i, b in enumerate(plan.basis):
        if b.parent_plan_id is not None and ctx.repo.find_plan(b.parent_plan_id) is None:
            raise ValidationFailed(f"unknown parent plan {b.parent_plan_id!r}",
                                   {"field": f"basis[{i}].parent_plan_id"})


def create_plan(req: CreatePlanRequest, ctx: Context) -> dict[str, Any]:
    if req.idempotency_key:
        existing = ctx.repo.plan_with_idempotency_key(req.idempotency_key)
        if existing is not None:
            return codec.plan_summary(existing)
    values = _plan_values(req.model_dump(exclude={"actor", "idempotency_key", "number"}))
    plan = Plan(
        id=ctx.repo.new_id(), number=DocumentNumber.parse(req.number),
        issuer_unit_id=req.issuer_unit_id, place=req.place or "",
        issued_on=req.issued_on or date(req.year, 1, 1), title=req.title, year=req.year,
        basis=values["basis"], objectives=tuple(req.objectives),
        topics=tuple(Topic(t) for t in req.topics),
        channels=tuple(codec.Channel(ch) for ch in req.channels),
        target_areas=tuple(req.target_areas), audiences=tuple(req.audiences),
        recipients=values["recipients"], signer=values.get("signer"))
    check_plan_refs(ctx, plan)
    doc = {**codec.plan_to_doc(plan), "created_by": req.actor, "source": "api"}
    if req.idempotency_key:
        doc["idempotency_key"] = req.idempotency_key
    event = plan_events.PlanCreated(plan_id=plan.id, number=str(plan.number),
                           issuer_unit_id=plan.issuer_unit_id, title=plan.title, year=plan.year,
                           status=plan.status.value, topics=[t.value for t in plan.topics])
    stored = ctx.repo.insert_plan(doc, [ctx.envelope(event)])
    if stored["_id"] == plan.id:
        ctx.repo.journal([AuditEntry(req.actor, "plan.created", "plan", plan.id, ctx.now(),
                                     extra={"number": str(plan.number)})], plan.id)
    return codec.plan_summary(stored)


def get_plan(plan_id: str, ctx: Context) -> dict[str, Any]:
    doc = ctx.repo.get_plan(plan_id)
    return codec.plan_detail(doc, ctx.repo.count_tasks(plan_id))


def list_plans(req: ListPlansRequest, ctx: Context) -> dict[str, Any]:
    filters = {name: getattr(req, name) for name in ("year", "status", "issuer_unit_id")
               if getattr(req, name) is not None}
    rows = ctx.repo.plans_page(filters, req.after, req.limit + 1)
    return page_reply(rows, req.limit, codec.plan_summary)


# In a change request, null removes a value: an optional field goes back to its empty value,
# a required one cannot be removed (validation_failed naming it, not a crash in the domain).
PLAN_REQUIRED = ("number", "issuer_unit_id", "issued_on", "title", "year")
PLAN_EMPTY: dict[str, Any] = {
    "place": "", "signer": None, "basis": [], "objectives": [], "topics": [], "channels": [],
    "target_areas": [], "audiences": [], "recipients": []}


def _change_plan(ctx: Context, req: UpdatePlanRequest | AmendPlanRequest) -> dict[str, Any]:
    changes = _plan_values(nulls_resolved(req.changes.model_dump(exclude_unset=True),
                                           PLAN_REQUIRED, PLAN_EMPTY))
    if not changes:
        raise ValidationFailed("no field to change", {"field": "changes"})

    method = "amend_plan" if isinstance(req, AmendPlanRequest) else "update_plan"

    def attempt() -> dict[str, Any]:
        doc, plan = load_plan(ctx, req.plan_id)
        if applied_before(doc, method, req.idempotency_key):
            return codec.plan_summary(doc)
        events: list[Envelope] = []
        if isinstance(req, AmendPlanRequest):
            amendment, entry = plan.amend(changes, req.reason, req.actor, ctx.now())
            events.append(ctx.envelope(plan_events.PlanAmended(
                plan_id=plan.id, number=str(plan.number), revision=plan.revision,
                reason=req.reason, changed_fields=list(amendment.changed_fields),
                amended_by=req.actor, topics=[t.value for t in plan.topics])))
        else:
            entry = plan.edit(changes, req.actor, ctx.now())
        check_plan_refs(ctx, plan)
        fields = codec.plan_to_doc(plan)
        fields.pop("_id")
        stored = ctx.repo.write_plan(doc, {**fields, **command_key(method, req.idempotency_key)},
                                     events)
        ctx.repo.journal([entry], plan.id)
        return codec.plan_summary(stored)

    return retrying(attempt)


def update_plan(req: UpdatePlanRequest, ctx: Context) -> Any:
    return idempotent("update_plan", ctx, req.idempotency_key, lambda: _change_plan(ctx, req))


def amend_plan(req: AmendPlanRequest, ctx: Context) -> Any:
    return idempotent("amend_plan", ctx, req.idempotency_key, lambda: _change_plan(ctx, req))


def _recipient_units(ctx: Context, plan: Plan) -> list[str]:
    groups = known_groups(ctx)
    units = directory(ctx).units()
    ids: set[str] = set()
    for r in plan.recipients:
        if r.unit_id:
            ids.add(r.unit_id)
        if r.group_id and r.group_id in groups:
            ids.update(resolve_group(groups[r.group_id], units, plan.issued_on))
    return sorted(ids)


def issue_plan(req: PlanCommand, ctx: Context) -> Any:
    def attempt() -> dict[str, Any]:
        doc, plan = load_plan(ctx, req.plan_id)
        if applied_before(doc, "issue_plan", req.idempotency_key):
            return codec.plan_summary(doc)
        entry = plan.issue(req.actor, ctx.now())
        tasks = [codec.task_from(d) for d in ctx.repo.plan_tasks(plan.id)]
        issued = plan_events.PlanIssued(
            plan_id=plan.id, number=str(plan.number), issuer_unit_id=plan.issuer_unit_id,
            title=plan.title, year=plan.year, issued_on=plan.issued_on,
            topics=[t.value for t in plan.topics], channels=[ch.value for ch in plan.channels],
            target_area_codes=list(plan.target_areas),
            recipient_unit_ids=_recipient_units(ctx, plan), task_ids=[t.id for t in tasks],
            revision=plan.revision)
        # plan.issued and every task.assigned go out in the same write as the status change.
        events = [ctx.envelope(issued), *(ctx.envelope(task_assigned(plan, t)) for t in tasks)]
        stored = ctx.repo.write_plan(doc, {"status": plan.status.value, "issued_at": ctx.now(),
                                           **command_key("issue_plan", req.idempotency_key)},
                                     events)
        ctx.repo.journal([entry], plan.id)
        return codec.plan_summary(stored)

    return idempotent("issue_plan", ctx, req.idempotency_key, lambda: retrying(attempt))


def close_plan(req: PlanCommand, ctx: Context) -> Any:
    method = "cancel_plan" if isinstance(req, CancelPlanRequest) else "close_plan"

    def attempt() -> dict[str, Any]:
        doc, plan = load_plan(ctx, req.plan_id)
        if applied_before(doc, method, req.idempotency_key):
            return codec.plan_summary(doc)
        reason = getattr(req, "reason", None)
        if isinstance(req, CancelPlanRequest):
            entry = plan.cancel(req.actor, ctx.now(), req.reason)
        else:
            entry = plan.close(req.actor, ctx.now())
        event = plan_events.PlanClosed(plan_id=plan.id, number=str(plan.number),
                              status=plan.status.value, reason=reason)
        stored = ctx.repo.write_plan(doc, {"status": plan.status.value,
                                           **command_key(method, req.idempotency_key)},
                                     [ctx.envelope(event)])
        ctx.repo.journal([entry], plan.id)
        return codec.plan_summary(stored)

    return idempotent(method, ctx, req.idempotency_key, lambda: retrying(attempt))


def import_plan(req: ImportPlanRequest, ctx: Context) -> Any:
    def run() -> dict[str, Any]:
        digest = hashlib.sha256(req.content.encode("utf-8")).hexdigest()
        parsed = parse_plan_document(req.content, req.format)
        units = directory(ctx)
        imported = build_plan(parsed, units, known_groups(ctx).values())
        plan = imported.plan
        existing = ctx.repo.find_plan(plan.id)
        if existing is not None:
            if existing.get("import_hash") == digest:
                summary = codec.plan_summary(existing)
                if req.issue and existing["status"] == PlanStatus.DRAFT.value:
                    summary = issue_plan(PlanCommand(plan_id=plan.id, actor=req.actor), ctx)
                return {"plan": summary, "tasks": ctx.repo.count_tasks(plan.id),
                        "created": False}
            raise Conflict(f"plan {plan.id} already exists with other content",
                           {"field": "plan.id", "plan_id": plan.id})
        if ctx.repo.plan_with_uniqueness_key(plan.uniqueness_key):
            raise Conflict(f"plan number {plan.number} of {plan.issuer_unit_id} for "
                           f"{plan.year} already exists", {"field": "plan.number"})
        check_plan_refs(ctx, plan, units)
        for group in imported.groups:
            ctx.repo.save_group(codec.group_to_doc(group))
        # Tasks first, then the plan with plan.created: a crash in between leaves orphan
        # tasks that the next import of this plan removes, never a plan with missing tasks.
        ctx.repo.delete_plan_tasks(plan.id)
        ctx.repo.insert_tasks([{**codec.task_to_doc(t), **codec.task_watch(t)}
                               for t in imported.tasks])
        doc = {**codec.plan_to_doc(plan), "created_by": req.actor, "source": "import",
               "import_hash": digest}
        event = plan_events.PlanCreated(plan_id=plan.id, number=str(plan.number),
                               issuer_unit_id=plan.issuer_unit_id, title=plan.title,
                               year=plan.year, status=plan.status.value,
                               topics=[t.value for t in plan.topics])
        try:
            stored = ctx.repo.insert_plan(doc, [ctx.envelope(event)])
        except Conflict:
            ctx.repo.delete_plan_tasks(plan.id)
            raise
        at = ctx.now()
        ctx.repo.journal([
            AuditEntry(req.actor, "plan.imported", "plan", plan.id, at,
                       extra={"number": str(plan.number), "tasks": len(imported.tasks)}),
            *(AuditEntry(req.actor, "task.created", "task", t.id, at,
                         extra={"source": "import"}) for t in imported.tasks)], plan.id)
        summary = codec.plan_summary(stored)
        if req.issue:
            summary = issue_plan(PlanCommand(plan_id=plan.id, actor=req.actor), ctx)
        return {"plan": summary, "tasks": len(imported.tasks), "created": True}

    return idempotent("import_plan", ctx, req.idempotency_key, run)
