"""Use cases of the plans service: (request, context) -> JSON-ready result.

Each command loads the aggregate, applies the pure domain, and writes the document and its
events in one update (outbox); the audit journal gets the domain's `AuditEntry` values in the
same handler. Commands with an `idempotency_key` return their first result when retried.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from services.contracts.envelope import Envelope
from services.contracts.events import EventPayload
from services.contracts.events import plans as ev
from services.contracts.plans_documents import (
    AmendPlanRequest,
    CancelPlanRequest,
    CreatePlanRequest,
    ImportPlanRequest,
    ListPlansRequest,
    PlanCommand,
    UpdatePlanRequest,
)
from services.contracts.plans_reporting import ReceiptsRequest
from services.contracts.plans_reports import (
    ListReportsRequest,
    ReviewReportRequest,
    SubmitReportRequest,
)
from services.contracts.plans_tasks import (
    AddTaskRequest,
    AssignTaskRequest,
    ListTasksRequest,
    TaskCommand,
    TaskReasonCommand,
    TaskRef,
    UpdateTaskRequest,
)
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
    BasisDocument,
    Conflict,
    CoverageMatched,
    DocumentNumber,
    InvalidTransition,
    KpiTarget,
    OrgUnit,
    Plan,
    PlanStatus,
    ProgressReport,
    Recipient,
    ReportContent,
    ReportStatus,
    Signer,
    Task,
    Topic,
    UnitDirectory,
    UnitGroup,
    ValidationFailed,
    apply_coverage,
    bucket_of,
    build_plan,
    build_units,
    kpi_achievements,
    local_date,
    parse_period_key,
    parse_plan_document,
    parse_units_document,
    resolve_group,
    review_report,
    submit_report,
    superseded_by_acceptance,
)
from services.plans.domain.audit import diff
from services.plans.domain.units import ALL_CULTURE_OFFICES, ALL_PRESS_OUTLETS
from services.plans.repositories import PlansRepository, StaleWrite

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIES = 5


@dataclass
class Context:
    repo: PlansRepository
    correlation_id: str | None
    now: Callable[[], datetime]

    def envelope(self, payload: EventPayload) -> Envelope:
        return payload.to_envelope(self.correlation_id)


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
    result = _wire(run())
    ctx.repo.remember(method, key, result)
    return result


def _wire(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_wire(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# -- units --------------------------------------------------------------------------------


def directory(ctx: Context) -> UnitDirectory:
    return UnitDirectory(codec.unit_from(d) for d in ctx.repo.all_units())


def known_groups(ctx: Context) -> dict[str, UnitGroup]:
    groups = {g.id: g for g in (ALL_PRESS_OUTLETS, ALL_CULTURE_OFFICES)}
    groups.update({d["_id"]: codec.group_from(d) for d in ctx.repo.all_groups()})
    return groups


def _unit_from_model(model: UnitModel) -> OrgUnit:
    doc = model.model_dump(mode="json")
    doc["_id"] = doc.pop("id")
    return codec.unit_from(doc)


def upsert_unit(req: UpsertUnitRequest, ctx: Context) -> dict[str, Any]:
    unit = _unit_from_model(req.unit)
    if unit.parent_id is not None and unit.parent_id != unit.id:
        ctx.repo.get_unit(unit.parent_id)
    before = ctx.repo.units.find_one({"_id": unit.id}) or {}
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
    missing = [u for u in g.unit_ids if ctx.repo.units.find_one({"_id": u}, {"_id": 1}) is None]
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


# -- plans --------------------------------------------------------------------------------


def load_plan(ctx: Context, plan_id: str) -> tuple[dict[str, Any], Plan]:
    doc = ctx.repo.get_plan(plan_id)
    return doc, codec.plan_from(doc)


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
        existing = ctx.repo.plans.find_one({"idempotency_key": req.idempotency_key})
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
    event = ev.PlanCreated(plan_id=plan.id, number=str(plan.number),
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
    query: dict[str, Any] = {}
    for name in ("year", "status", "issuer_unit_id"):
        if getattr(req, name) is not None:
            query[name] = getattr(req, name)
    rows = ctx.repo.page("plans", query, req.after, req.limit + 1, {"_outbox": 0})
    items = [codec.plan_summary(r) for r in rows[:req.limit]]
    return {"items": items, "next_cursor": items[-1]["id"] if len(rows) > req.limit else None}


# In a change request, null removes a value: an optional field goes back to its empty value,
# a required one cannot be removed (validation_failed naming it, not a crash in the domain).
PLAN_REQUIRED = ("number", "issuer_unit_id", "issued_on", "title", "year")
PLAN_EMPTY: dict[str, Any] = {
    "place": "", "signer": None, "basis": [], "objectives": [], "topics": [], "channels": [],
    "target_areas": [], "audiences": [], "recipients": []}
TASK_REQUIRED = ("title",)
TASK_EMPTY: dict[str, Any] = {"description": "", "topics": [], "channels": [], "kpis": []}


def _nulls_resolved(changes: dict[str, Any], required: Sequence[str],
                    empty: dict[str, Any]) -> dict[str, Any]:
    removed = [name for name in required if name in changes and changes[name] is None]
    if removed:
        raise ValidationFailed(
            f"{', '.join(removed)} cannot be removed: give a value instead of null",
            {"field": f"changes.{removed[0]}", "fields": removed})
    return {name: empty[name] if value is None and name in empty else value
            for name, value in changes.items()}


def _change_plan(ctx: Context, req: UpdatePlanRequest | AmendPlanRequest) -> dict[str, Any]:
    changes = _plan_values(_nulls_resolved(req.changes.model_dump(exclude_unset=True),
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
            events.append(ctx.envelope(ev.PlanAmended(
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


def kpi_event(k: KpiTarget) -> ev.KpiTarget:
    return ev.KpiTarget(metric=k.metric.value, target=k.target, period=k.period.value,
                        topic=k.topic.value if k.topic else None, unit_id=k.unit_id)


def task_assigned(plan: Plan, task: Task) -> ev.TaskAssigned:
    start, end = task.window()
    return ev.TaskAssigned(
        task_id=task.id, plan_id=plan.id, plan_number=str(plan.number), title=task.title,
        lead_unit_id=task.lead_unit_id, coordinating_unit_ids=list(task.coordinating_unit_ids),
        parent_task_id=task.parent_task_id, topics=[t.value for t in task.topics],
        channels=[ch.value for ch in task.channels], due_date=task.due_date,
        recurrence=task.recurrence.cadence.value if task.recurrence else None,
        responsible_person=task.responsible_person, expected_result=task.expected_result,
        kpis=[kpi_event(k) for k in task.kpis], active_from=start, active_until=end)


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
        issued = ev.PlanIssued(
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
        event = ev.PlanClosed(plan_id=plan.id, number=str(plan.number),
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
        event = ev.PlanCreated(plan_id=plan.id, number=str(plan.number),
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


# -- tasks --------------------------------------------------------------------------------


def _task_values(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "recurrence" in out:
        out["recurrence"] = codec.recurrence_from(_wire(out["recurrence"]))
    if "kpis" in out:
        out["kpis"] = tuple(codec.kpi_from(k) for k in out["kpis"])
    if "topics" in out:
        out["topics"] = tuple(Topic(t) for t in out["topics"])
    if "channels" in out:
        out["channels"] = tuple(codec.Channel(ch) for ch in out["channels"])
    if "coordinating_unit_ids" in out:
        out["coordinating_unit_ids"] = tuple(out["coordinating_unit_ids"])
    return out


def _require_open(plan: Plan, action: str) -> None:
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.ISSUED):
        raise InvalidTransition(f"cannot {action} in a {plan.status.value} plan",
                                {"plan_id": plan.id, "status": plan.status.value})


def add_task(req: AddTaskRequest, ctx: Context) -> Any:
    def run() -> dict[str, Any]:
        _, plan = load_plan(ctx, req.plan_id)
        _require_open(plan, "add a task")
        values = _task_values(req.task.model_dump())
        task = Task(id=req.task_id, plan_id=plan.id, starts_on=plan.issued_on, **values)
        if task.parent_task_id and ctx.repo.find_task(plan.id, task.parent_task_id) is None:
            raise ValidationFailed(f"unknown parent task {task.parent_task_id!r}",
                                   {"field": "parent_task_id"})
        plan.check_references(directory(ctx), [task])
        doc = {**codec.task_to_doc(task), **codec.task_watch(task)}
        if plan.status is PlanStatus.ISSUED:
            doc = codec_with_events(doc, [ctx.envelope(task_assigned(plan, task))])
        ctx.repo.insert_tasks([doc])
        ctx.repo.journal([AuditEntry(req.actor, "task.created", "task", task.id, ctx.now())],
                         plan.id)
        return codec.task_reply(codec.task_to_doc(task), _bucket(task, ctx.now()))

    return idempotent("add_task", ctx, req.idempotency_key, run)


def codec_with_events(doc: dict[str, Any], events: Sequence[Envelope]) -> dict[str, Any]:
    from services.runtime.outbox import with_outbox

    return with_outbox(doc, events)


def _bucket(task: Task, now: datetime) -> str | None:
    bucket = bucket_of(task, now)
    return bucket.value if bucket else None


def _write_task(ctx: Context, plan: Plan, doc: dict[str, Any], task: Task, entry: AuditEntry,
                events: list[Envelope]) -> dict[str, Any]:
    fields = {**codec.task_to_doc(task), **codec.task_watch(task, doc.get("alerts_sent") or ())}
    fields.pop("_id")
    stored = ctx.repo.write_task(doc, doc["version"], fields, events)
    ctx.repo.journal([entry], plan.id)
    return codec.task_reply(stored, _bucket(task, ctx.now()))


def update_task(req: UpdateTaskRequest, ctx: Context) -> Any:
    changes = _task_values(_nulls_resolved(req.changes.model_dump(exclude_unset=True),
                                           TASK_REQUIRED, TASK_EMPTY))
    if not changes:
        raise ValidationFailed("no field to change", {"field": "changes"})
    if changes.get("due_date") is not None:
        changes["recurrence"] = None
    elif changes.get("recurrence") is not None:
        changes["due_date"] = None

    def attempt() -> dict[str, Any]:
        _, plan = load_plan(ctx, req.plan_id)
        _require_open(plan, "change a task")
        doc = ctx.repo.get_task(req.plan_id, req.task_id)
        task = dataclasses.replace(codec.task_from(doc), **changes)
        plan.check_references(directory(ctx), [task])
        before = codec.task_to_doc(codec.task_from(doc))
        entry = AuditEntry(req.actor, "task.updated", "task", task.id, ctx.now(),
                           diff(before, codec.task_to_doc(task)))
        return _write_task(ctx, plan, doc, task, entry, [])

    return idempotent("update_task", ctx, req.idempotency_key, lambda: retrying(attempt))


def assign_task(req: AssignTaskRequest, ctx: Context) -> Any:
    def attempt() -> dict[str, Any]:
        _, plan = load_plan(ctx, req.plan_id)
        _require_open(plan, "assign a task")
        doc = ctx.repo.get_task(req.plan_id, req.task_id)
        units = directory(ctx)
        today = local_date(ctx.now())
        for field_name, unit_id in [("lead_unit_id", req.lead_unit_id),
                                    *(("coordinating_unit_ids", u)
                                      for u in req.coordinating_unit_ids)]:
            unit = units.get(unit_id)
            if unit is None or not (unit.is_active(plan.issued_on) or unit.is_active(today)):
                raise ValidationFailed(f"unknown or inactive unit {unit_id!r}",
                                       {"field": field_name, "unit_id": unit_id})
        task = dataclasses.replace(codec.task_from(doc), lead_unit_id=req.lead_unit_id,
                                   coordinating_unit_ids=tuple(req.coordinating_unit_ids))
        entry = AuditEntry(req.actor, "task.assigned", "task", task.id, ctx.now(), diff(
            {"lead_unit_id": doc["lead_unit_id"],
             "coordinating_unit_ids": doc.get("coordinating_unit_ids", [])},
            {"lead_unit_id": task.lead_unit_id,
             "coordinating_unit_ids": list(task.coordinating_unit_ids)}))
        events = ([ctx.envelope(task_assigned(plan, task))]
                  if plan.status is PlanStatus.ISSUED else [])
        return _write_task(ctx, plan, doc, task, entry, events)

    return idempotent("assign_task", ctx, req.idempotency_key, lambda: retrying(attempt))


def change_task_status(req: TaskCommand, action: str, ctx: Context) -> Any:
    def attempt() -> dict[str, Any]:
        _, plan = load_plan(ctx, req.plan_id)
        if action == "cancel":
            _require_open(plan, "cancel a task")
        elif plan.status is not PlanStatus.ISSUED:
            raise InvalidTransition(f"cannot {action} a task of a {plan.status.value} plan",
                                    {"plan_id": plan.id, "status": plan.status.value})
        doc = ctx.repo.get_task(req.plan_id, req.task_id)
        task = codec.task_from(doc)
        before = task.status
        at = req.at or ctx.now()
        if isinstance(req, TaskReasonCommand):
            entry = (task.cancel(req.actor, at, req.reason) if action == "cancel"
                     else task.reopen(req.actor, at, req.reason))
        else:
            entry = task.start(req.actor, at) if action == "start" else task.complete(
                req.actor, at)
        event = ev.TaskStatusChanged(task_id=task.id, plan_id=plan.id, from_status=before.value,
                                     to_status=task.status.value,
                                     bucket=_bucket(task, ctx.now()))
        return _write_task(ctx, plan, doc, task, entry, [ctx.envelope(event)])

    return idempotent(f"{action}_task", ctx, req.idempotency_key, lambda: retrying(attempt))


def get_task(req: TaskRef, ctx: Context) -> dict[str, Any]:
    doc = ctx.repo.get_task(req.plan_id, req.task_id)
    reply = codec.task_reply(doc, _bucket(codec.task_from(doc), ctx.now()))
    reply["receipts"] = [
        {k: r.get(k) for k in ("unit_id", "notice_id", "acknowledged_at", "via", "late")}
        for r in ctx.repo.receipts.find({"plan_id": req.plan_id, "task_id": req.task_id})]
    return reply


def list_tasks(req: ListTasksRequest, ctx: Context) -> dict[str, Any]:
    ctx.repo.get_plan(req.plan_id)
    query: dict[str, Any] = {"plan_id": req.plan_id}
    if req.unit_id:
        query["unit_ids"] = req.unit_id
    if req.status:
        query["status"] = req.status
    if req.parent_task_id:
        query["parent_task_id"] = req.parent_task_id
    after = codec.task_key(req.plan_id, req.after) if req.after else None
    rows = ctx.repo.page("tasks", query, after, req.limit + 1, {"_outbox": 0})
    now = ctx.now()
    items = [codec.task_reply(r, _bucket(codec.task_from(r), now)) for r in rows[:req.limit]]
    return {"items": items,
            "next_cursor": items[-1]["task_id"] if len(rows) > req.limit else None}


# -- reports and KPIs ---------------------------------------------------------------------


def _kpi_events(ctx: Context, plan: Plan, before: Task, after: Task,
                reports_before: Sequence[ProgressReport], reports_after: Sequence[ProgressReport],
                source: str, as_of: datetime, item_id: str | None = None) -> list[Envelope]:
    """kpi.progressed for every KPI row (target, unit, period) whose achieved count moved."""
    old = {(k.target_id, k.unit_id, k.period_key): k.achieved
           for k in kpi_achievements(before, reports_before, as_of)}
    events = []
    for k in kpi_achievements(after, reports_after, as_of):
        if old.get((k.target_id, k.unit_id, k.period_key), 0) != k.achieved:
            events.append(ctx.envelope(ev.KpiProgressed(
                task_id=after.id, plan_id=plan.id, unit_id=k.unit_id or after.lead_unit_id,
                metric=k.metric.value, topic=k.topic.value if k.topic else None,
                period_key=k.period_key, achieved=k.achieved, target=k.target, source=source,
                item_id=item_id, occurred_at=as_of)))
    return events


def submit(req: SubmitReportRequest, ctx: Context) -> Any:
    def run() -> dict[str, Any]:
        if req.idempotency_key:
            found = ctx.repo.report_with_idempotency_key(req.idempotency_key)
            if found is not None:
                return codec.report_reply(found)
        _, plan = load_plan(ctx, req.plan_id)
        task = codec.task_from(ctx.repo.get_task(req.plan_id, req.task_id))
        previous = [codec.report_from(d) for d in ctx.repo.task_reports(plan.id, task.id)]
        content = codec.content_from(req.model_dump(mode="json"))
        report, entry = submit_report(
            report_id=ctx.repo.new_id(), plan=plan, task=task, unit_id=req.unit_id,
            period_key=req.period_key, content=content, actor=req.actor, at=ctx.now(),
            previous=previous)
        doc = codec.report_to_doc(report)
        if req.idempotency_key:
            doc["idempotency_key"] = req.idempotency_key
        event = ev.ReportSubmitted(
            report_id=report.id, task_id=task.id, plan_id=plan.id, unit_id=report.unit_id,
            period_key=report.period_key, report_version=report.version,
            counts=count_totals(content), corrects_report_id=report.corrects_report_id)
        stored = ctx.repo.insert_report(doc, [ctx.envelope(event)])
        if stored["_id"] == report.id:
            ctx.repo.journal([entry], plan.id, task.id)
        return codec.report_reply(stored)

    return idempotent("submit_report", ctx, req.idempotency_key, run)


def count_totals(content: ReportContent) -> dict[str, int]:
    totals: dict[str, int] = {}
    for count in content.counts:
        totals[count.metric.value] = totals.get(count.metric.value, 0) + count.count
    return totals


def review(req: ReviewReportRequest, ctx: Context) -> Any:
    def attempt() -> dict[str, Any]:
        report_doc = ctx.repo.get_report(req.report_id)
        report = codec.report_from(report_doc)
        _, plan = load_plan(ctx, report.plan_id)
        task_doc = ctx.repo.get_task(report.plan_id, report.task_id)
        task = codec.task_from(task_doc)
        before_task = codec.task_from(task_doc)
        others = [codec.report_from(d) for d in ctx.repo.task_reports(plan.id, task.id)
                  if d["_id"] != report.id]
        at = ctx.now()
        entry = review_report(report, accept=req.decision == "accepted", reviewer=req.actor,
                              at=at, reason=req.reason, task=task)
        events = [ctx.envelope(ev.ReportReviewed(
            report_id=report.id, task_id=task.id, plan_id=plan.id, unit_id=report.unit_id,
            decision=report.status.value, reason=req.reason))]
        if report.status is ReportStatus.ACCEPTED:
            as_of = max(at, report.submitted_at)
            events += _kpi_events(ctx, plan, before_task, task, others, [*others, report],
                                  "report", as_of)
        stored = ctx.repo.review(report_doc, {
            "status": report.status.value, "reviewed_by": report.reviewed_by,
            "reviewed_at": report.reviewed_at, "review_reason": report.review_reason}, events)
        entries = [entry]
        if report.status is ReportStatus.ACCEPTED:  # a correction replaces what it corrects
            for older, superseded in superseded_by_acceptance(report, others, at):
                ctx.repo.mark_superseded(plan.id, older.id, report.id)
                entries.append(superseded)
        if task.period_completions != before_task.period_completions:
            recurrence = task.recurrence  # only recurring tasks complete periods
            deadline = (recurrence.deadline(parse_period_key(report.period_key)).isoformat()
                        if recurrence is not None else None)
            ctx.repo.complete_period(plan.id, task_doc["_id"], report.period_key,
                                     task.period_completions[report.period_key], deadline)
            entries.append(AuditEntry(req.actor, "task.period_completed", "task", task.id, at,
                                      extra={"period_key": report.period_key,
                                             "report_id": report.id}))
        ctx.repo.journal(entries, plan.id, task.id)
        return codec.report_reply(stored)

    def guarded() -> dict[str, Any]:
        try:
            return attempt()
        except StaleWrite:
            status = ctx.repo.get_report(req.report_id)["status"]
            raise InvalidTransition(f"report {req.report_id} is already {status}",
                                    {"report_id": req.report_id, "status": status}) from None

    return idempotent("review_report", ctx, req.idempotency_key, guarded)


def list_reports(req: ListReportsRequest, ctx: Context) -> dict[str, Any]:
    query: dict[str, Any] = {"plan_id": req.plan_id}
    for name in ("task_id", "unit_id", "status"):
        if getattr(req, name) is not None:
            query[name] = getattr(req, name)
    rows = ctx.repo.page("reports", query, req.after, req.limit + 1, {"_outbox": 0})
    items = [codec.report_reply(r) for r in rows[:req.limit]]
    return {"items": items, "next_cursor": items[-1]["id"] if len(rows) > req.limit else None}


# -- consumed events ----------------------------------------------------------------------


def on_coverage(payload: Any, event_time: datetime, ctx: Context) -> str:
    """Count a monitored article toward the task's KPIs once per item; returns the outcome."""
    def attempt() -> str:
        task_doc = ctx.repo.find_task(payload.plan_id, payload.task_id)
        plan_doc = ctx.repo.find_plan(payload.plan_id)
        if task_doc is None or plan_doc is None:
            log.warning("coverage for an unknown task ignored", extra={
                "plan_id": payload.plan_id, "task_id": payload.task_id})
            return "unknown_task"
        plan = codec.plan_from(plan_doc)
        task = codec.task_from(task_doc)
        before = codec.task_from(task_doc)
        try:
            topic: Topic | None = Topic(payload.topic)
        except ValueError:
            topic = None
        fact = CoverageMatched(payload.item_id, payload.url or f"item:{payload.item_id}",
                               payload.outlet_unit_id, topic, payload.published_at or event_time)
        result = apply_coverage(task, fact, at=ctx.now())
        if not result.applied:
            return result.outcome.value
        reports = [codec.report_from(d) for d in ctx.repo.task_reports(plan.id, task.id)]
        as_of = max(ctx.now(), fact.published_at)
        events = _kpi_events(ctx, plan, before, task, reports, reports, "coverage", as_of,
                             payload.item_id)
        assert result.audit is not None
        _write_task(ctx, plan, task_doc, task, result.audit, events)
        return result.outcome.value

    return retrying(attempt)


def on_acknowledged(payload: Any, ctx: Context) -> bool:
    """Record that a unit acknowledged a directive of a plan or task (once per notice)."""
    if not payload.plan_id:
        return False
    new = ctx.repo.record_receipt({
        "_id": f"{payload.notice_id}:{payload.unit_id}", "plan_id": payload.plan_id,
        "task_id": payload.task_id, "unit_id": payload.unit_id, "notice_id": payload.notice_id,
        "acknowledged_at": payload.acknowledged_at, "via": payload.via, "late": payload.late})
    if new:
        kind, entity = ("task", payload.task_id) if payload.task_id else ("plan", payload.plan_id)
        ctx.repo.journal([AuditEntry(payload.unit_id, "directive.acknowledged", kind, entity,
                                     payload.acknowledged_at,
                                     extra={"notice_id": payload.notice_id, "via": payload.via,
                                            "late": payload.late})], payload.plan_id)
    return new


def receipts(req: ReceiptsRequest, ctx: Context) -> list[dict[str, Any]]:
    ctx.repo.get_plan(req.plan_id, {"_id": 1})  # an unknown plan is not_found, not "none"
    query: dict[str, Any] = {"plan_id": req.plan_id}
    if req.task_id:
        query["task_id"] = req.task_id
    return [{k: v for k, v in r.items() if k != "_id"}
            for r in ctx.repo.receipts.find(query).sort("acknowledged_at", 1)]

