"""Tasks of a plan: adding, changing, assigning, status commands and queries; the
`task.assigned` event built for a task (also sent when its plan is issued).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from services.contracts.events import plans as plan_events
from services.contracts.plans_tasks import (
    AddTaskRequest,
    AssignTaskRequest,
    ListTasksRequest,
    TaskCommand,
    TaskReasonCommand,
    TaskRef,
    UpdateTaskRequest,
)
from services.plans import codec
from services.plans.domain import (
    AuditEntry,
    Conflict,
    InvalidTransition,
    KpiTarget,
    Plan,
    PlanStatus,
    Task,
    Topic,
    ValidationFailed,
    bucket_of,
    local_date,
)
from services.plans.domain.audit import diff
from services.plans.repositories.unit_of_work import PlansUnitOfWork
from services.plans.use_cases.context import (
    Context,
    nulls_resolved,
    page_reply,
    run_command,
    wire,
)
from services.runtime.unit_of_work import StaleWrite

# As for plans: in a change request null removes an optional value, never a required one.
TASK_REQUIRED = ("title",)
TASK_EMPTY: dict[str, Any] = {"description": "", "topics": [], "channels": [], "kpis": []}


def kpi_event(k: KpiTarget) -> plan_events.KpiTarget:
    return plan_events.KpiTarget(metric=k.metric.value, target=k.target, period=k.period.value,
                        topic=k.topic.value if k.topic else None, unit_id=k.unit_id)


def task_assigned(plan: Plan, task: Task) -> plan_events.TaskAssigned:
    start, end = task.window()
    return plan_events.TaskAssigned(
        task_id=task.id, plan_id=plan.id, plan_number=str(plan.number), title=task.title,
        lead_unit_id=task.lead_unit_id, coordinating_unit_ids=list(task.coordinating_unit_ids),
        parent_task_id=task.parent_task_id, topics=[t.value for t in task.topics],
        channels=[ch.value for ch in task.channels], due_date=task.due_date,
        recurrence=task.recurrence.cadence.value if task.recurrence else None,
        responsible_person=task.responsible_person, expected_result=task.expected_result,
        kpis=[kpi_event(k) for k in task.kpis], active_from=start, active_until=end)


def _task_values(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "recurrence" in out:
        out["recurrence"] = codec.recurrence_from(wire(out["recurrence"]))
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
    values = _task_values(req.task.model_dump())

    def run(uow: PlansUnitOfWork) -> dict[str, Any]:
        plan = uow.plans.read(req.plan_id)
        # The task's own rules first: what is wrong with a request says more than that its
        # id is taken.
        task = Task(id=req.task_id, plan_id=plan.id, starts_on=plan.issued_on, **values)
        stored = uow.tasks.find(req.plan_id, req.task_id)
        if stored is not None:
            if uow.applied_before(uow.tasks, stored):  # died before the reply was kept
                return uow.tasks.reply(stored, bucket_value(stored, ctx.now()))
            raise Conflict("a task with this id already exists in the plan",
                           {"field": "task_id"})
        _require_open(plan, "add a task")
        if task.parent_task_id and not uow.tasks.exists(plan.id, task.parent_task_id):
            raise ValidationFailed(f"unknown parent task {task.parent_task_id!r}",
                                   {"field": "parent_task_id"})
        plan.check_references(uow.units.directory(), [task])
        uow.tasks.add(task)
        if plan.status is PlanStatus.ISSUED:
            task.record(None, task_assigned(plan, task))
        if uow.tasks.refused(uow.commit(), task):  # added meanwhile: read again
            raise StaleWrite(f"task {task.id} of plan {plan.id}")
        # The journal after the task, so a refused task has no entry.
        task.record(AuditEntry(req.actor, "task.created", "task", task.id, ctx.now()))
        return uow.tasks.reply(task, bucket_value(task, ctx.now()))

    return run_command(ctx, "add_task", req.idempotency_key, run)


def bucket_value(task: Task, now: datetime) -> str | None:
    bucket = bucket_of(task, now)
    return bucket.value if bucket else None


def update_task(req: UpdateTaskRequest, ctx: Context) -> Any:
    changes = _task_values(nulls_resolved(req.changes.model_dump(exclude_unset=True),
                                           TASK_REQUIRED, TASK_EMPTY))
    if not changes:
        raise ValidationFailed("no field to change", {"field": "changes"})
    if changes.get("due_date") is not None:
        changes["recurrence"] = None
    elif changes.get("recurrence") is not None:
        changes["due_date"] = None

    def change(uow: PlansUnitOfWork, plan: Plan, task: Task) -> None:
        task.revise(changes)
        plan.check_references(uow.units.directory(), [task])
        task.record(AuditEntry(req.actor, "task.updated", "task", task.id, ctx.now(),
                               uow.tasks.changes(task)))

    return _task_command(ctx, "update_task", req,
                         lambda plan: _require_open(plan, "change a task"), change)


def assign_task(req: AssignTaskRequest, ctx: Context) -> Any:
    def change(uow: PlansUnitOfWork, plan: Plan, task: Task) -> None:
        units = uow.units.directory()
        today = local_date(ctx.now())
        for field_name, unit_id in [("lead_unit_id", req.lead_unit_id),
                                    *(("coordinating_unit_ids", u)
                                      for u in req.coordinating_unit_ids)]:
            unit = units.get(unit_id)
            if unit is None or not (unit.is_active(plan.issued_on) or unit.is_active(today)):
                raise ValidationFailed(f"unknown or inactive unit {unit_id!r}",
                                       {"field": field_name, "unit_id": unit_id})
        before = {"lead_unit_id": task.lead_unit_id,
                  "coordinating_unit_ids": list(task.coordinating_unit_ids)}
        task.revise({"lead_unit_id": req.lead_unit_id,
                     "coordinating_unit_ids": tuple(req.coordinating_unit_ids)})
        entry = AuditEntry(req.actor, "task.assigned", "task", task.id, ctx.now(), diff(
            before, {"lead_unit_id": task.lead_unit_id,
                     "coordinating_unit_ids": list(task.coordinating_unit_ids)}))
        events = [task_assigned(plan, task)] if plan.status is PlanStatus.ISSUED else []
        task.record(entry, *events)

    return _task_command(ctx, "assign_task", req,
                         lambda plan: _require_open(plan, "assign a task"), change)


def change_task_status(req: TaskCommand, action: str, ctx: Context) -> Any:
    """Start, complete, cancel or reopen a task: its change, `task.status_changed` and the
    journal entry in one commit."""
    def allowed(plan: Plan) -> None:
        if action == "cancel":
            _require_open(plan, "cancel a task")
        elif plan.status is not PlanStatus.ISSUED:
            raise InvalidTransition(f"cannot {action} a task of a {plan.status.value} plan",
                                    {"plan_id": plan.id, "status": plan.status.value})

    def change(uow: PlansUnitOfWork, plan: Plan, task: Task) -> None:
        before = task.status
        at = req.at or ctx.now()
        if isinstance(req, TaskReasonCommand):
            entry = (task.cancel(req.actor, at, req.reason) if action == "cancel"
                     else task.reopen(req.actor, at, req.reason))
        else:
            entry = task.start(req.actor, at) if action == "start" else task.complete(
                req.actor, at)
        task.record(entry, plan_events.TaskStatusChanged(
            task_id=task.id, plan_id=plan.id, from_status=before.value,
            to_status=task.status.value, bucket=bucket_value(task, ctx.now())))

    return _task_command(ctx, f"{action}_task", req, allowed, change)


class _TaskRequest(Protocol):
    plan_id: str
    task_id: str
    idempotency_key: str | None


def _task_command(ctx: Context, name: str, req: _TaskRequest, allowed: Callable[[Plan], None],
                  change: Callable[[PlansUnitOfWork, Plan, Task], None]) -> dict[str, Any]:
    """One command on a task in a unit of work: the plan's rules first, then the change, its
    events and journal entry in one commit. A retry with the same key answers the first
    result, also when the process died after the write but before the result was kept; a
    task changed meanwhile by another writer is read again."""
    def run(uow: PlansUnitOfWork) -> dict[str, Any]:
        plan = uow.plans.read(req.plan_id)
        allowed(plan)
        task = uow.tasks.get(req.plan_id, req.task_id)
        if not uow.applied_before(uow.tasks, task):
            change(uow, plan, task)
        return uow.tasks.reply(task, bucket_value(task, ctx.now()))

    return run_command(ctx, name, req.idempotency_key, run)


def get_task(req: TaskRef, ctx: Context) -> dict[str, Any]:
    with ctx.unit_of_work() as uow:
        task = uow.tasks.get(req.plan_id, req.task_id)
        return {**uow.tasks.reply(task, bucket_value(task, ctx.now())),
                "receipts": uow.receipts.of_task(req.plan_id, req.task_id)}


def list_tasks(req: ListTasksRequest, ctx: Context) -> dict[str, Any]:
    filters = {field: value for field, value in (
        ("unit_ids", req.unit_id), ("status", req.status),
        ("parent_task_id", req.parent_task_id)) if value}
    now = ctx.now()
    with ctx.unit_of_work() as uow:
        uow.plans.read(req.plan_id)  # not_found
        rows = uow.tasks.page(req.plan_id, filters, req.after, req.limit + 1,
                              lambda task: bucket_value(task, now))
    return page_reply(rows, req.limit, cursor_field="task_id")
