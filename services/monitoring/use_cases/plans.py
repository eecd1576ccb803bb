"""What plans tell monitoring (consumed events): the plans watched and which outlet is
assigned which topics, for coverage; consumers are idempotent on natural keys (documents
keyed by plan, and by task and unit)."""

from __future__ import annotations

import dataclasses
from typing import Any

from services.contracts import monitoring
from services.contracts.errors import DomainError, ErrorCode
from services.contracts.events.plans import PlanClosed, PlanCreated, PlanIssued, TaskAssigned
from services.monitoring.use_cases.context import Context


def on_plan_created(event: PlanCreated, event_id: str, ctx: Context) -> None:
    with ctx.uow as uow:
        uow.plans.remember_plan(event.plan_id, {
            "number": event.number, "topics": event.topics, "event_id": event_id},
            on_insert={"status": event.status})
        uow.commit()


def on_plan_issued(event: PlanIssued, ctx: Context) -> None:
    with ctx.uow as uow:
        uow.plans.remember_plan(event.plan_id, {
            "number": event.number, "topics": event.topics, "status": "issued",
            "issued_on": event.issued_on.isoformat() if event.issued_on else None})
        uow.commit()  # before reading the assignments: see on_task_assigned
        # tasks without their own topics follow the plan's
        uow.plans.set_topics(uow.plans.following_plan(event.plan_id), event.topics)
        uow.state.bump("assignments")
        uow.commit()


def on_task_assigned(event: TaskAssigned, ctx: Context) -> None:
    with ctx.uow as uow:
        plan = uow.plans.plan(event.plan_id)
        if plan is not None and plan.over:
            return
        topics = event.topics or (plan.topics if plan is not None else [])
        units = [event.lead_unit_id, *event.coordinating_unit_ids]
        uow.plans.drop(uow.plans.of_task_except(event.task_id, units))
        ids = [f"{event.task_id}|{unit}" for unit in units]
        for ident, unit in zip(ids, units, strict=True):
            uow.plans.assign(ident, {
                "task_id": event.task_id, "plan_id": event.plan_id, "unit_id": unit,
                "topics": topics, "own_topics": bool(event.topics), "active": True,
                "start": event.active_from.isoformat() if event.active_from else None,
                "end": event.active_until.isoformat() if event.active_until else None})
        uow.commit()
        if not event.topics:
            # plan.issued, on another queue, may have run between our read of the plan and
            # our writes, and found none of these assignments to update: read the plan again
            # now that they are written (one of the two handlers always sees the other's
            # write). The guard keeps a newer plan.issued's topics.
            latest = uow.plans.plan(event.plan_id)
            latest_topics = latest.topics if latest is not None else []
            if latest_topics != topics:
                uow.plans.set_topics(ids, latest_topics, unless_changed_from=topics)
        uow.state.bump("assignments")
        uow.commit()


def on_plan_closed(event: PlanClosed, ctx: Context) -> None:
    with ctx.uow as uow:
        uow.plans.remember_plan(event.plan_id, {"status": event.status})
        uow.plans.deactivate(uow.plans.of_plan(event.plan_id))
        uow.state.bump("assignments")
        uow.commit()


def watched_plan(plan_id: str, ctx: Context) -> dict[str, Any]:
    """What monitoring has applied of a plan's events (tests and operators wait on it)."""
    plan = ctx.uow.plans.plan(plan_id)
    if plan is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"plan {plan_id} is not watched")
    return {field.name: getattr(plan, field.name) for field in dataclasses.fields(plan)
            if getattr(plan, field.name) is not None}


def list_assignments(request: monitoring.ListAssignmentsRequest,
                     ctx: Context) -> list[dict[str, Any]]:
    return ctx.uow.plans.listed(request.outlet_unit_id, request.plan_id, request.active_only)
