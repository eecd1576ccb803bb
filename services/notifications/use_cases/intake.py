"""Events in -> notices. Each notice id is derived from the event's natural key (not its
event id), so the same fact published twice, even as two distinct events, makes one notice."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.contracts.events.monitoring import AlertRaised
from services.contracts.events.plans import PlanIssued, TaskAssigned, TaskDueSoon, TaskOverdue
from services.notifications.context import Context
from services.notifications.domain.vocabulary import NoticeKind, Priority
from services.notifications.use_cases.notices import create_notice, dmy


def _ack_deadline(ctx: Context) -> datetime:
    return ctx.now() + timedelta(hours=ctx.settings.default_ack_hours)


def on_plan_issued(ctx: Context, event: PlanIssued) -> None:
    create_notice(
        ctx, natural_key=f"plan_issued:{event.plan_id}:{event.revision}",
        kind=NoticeKind.PLAN_ISSUED,
        subject=f"Kế hoạch số {event.number}: {event.title}", body="",
        priority=Priority.HIGH, references=event.recipient_unit_ids, plan_id=event.plan_id,
        ack_deadline=_ack_deadline(ctx),
        variables={"plan_number": event.number, "plan_title": event.title,
                   "issued_date": dmy(event.issued_on) or dmy(ctx.now()),
                   "report_deadline": f"{ctx.settings.annual_report_day}/{event.year}"})


def on_task_assigned(ctx: Context, event: TaskAssigned) -> None:
    common = {"plan_number": event.plan_number, "task_title": event.title,
              "due_date": dmy(event.due_date) or "theo Kế hoạch"}
    body = event.expected_result or ""
    for role, key, units in (("chủ trì", "lead", [event.lead_unit_id]),
                             ("phối hợp", "coordinating", event.coordinating_unit_ids)):
        if not units:
            continue
        create_notice(
            ctx, natural_key=f"task_assigned:{event.task_id}:{key}",
            kind=NoticeKind.TASK_ASSIGNED, subject=f"Giao nhiệm vụ: {event.title}", body=body,
            priority=Priority.HIGH, references=units, plan_id=event.plan_id,
            task_id=event.task_id, ack_deadline=_ack_deadline(ctx),
            variables={**common, "role": role})


def on_task_due_soon(ctx: Context, event: TaskDueSoon) -> None:
    create_notice(
        ctx, natural_key=f"task_due_soon:{event.task_id}:{event.period_key}",
        kind=NoticeKind.TASK_DUE_SOON, subject=f"Nhắc hạn: {event.title}", body="",
        priority=Priority.NORMAL,
        references=[event.lead_unit_id, *event.coordinating_unit_ids],
        plan_id=event.plan_id, task_id=event.task_id,
        variables={"plan_number": event.plan_number, "task_title": event.title,
                   "due_date": dmy(event.deadline), "days_left": event.days_left})


def on_task_overdue(ctx: Context, event: TaskOverdue) -> None:
    create_notice(
        ctx, natural_key=f"task_overdue:{event.task_id}:{event.period_key}",
        kind=NoticeKind.TASK_OVERDUE, subject=f"Quá hạn: {event.title}", body="",
        priority=Priority.HIGH, references=[event.lead_unit_id, *event.coordinating_unit_ids],
        plan_id=event.plan_id, task_id=event.task_id, ack_deadline=_ack_deadline(ctx),
        variables={"plan_number": event.plan_number, "task_title": event.title,
                   "due_date": dmy(event.deadline), "days_overdue": event.days_overdue})


SEVERITY = {"critical": Priority.CRITICAL, "high": Priority.HIGH}


def on_alert_raised(ctx: Context, event: AlertRaised) -> None:
    evidence = event.evidence[0] if event.evidence else None
    create_notice(
        ctx, natural_key=f"alert:{event.alert_id}", kind=NoticeKind.ALERT,
        subject=event.title, body="\n".join(event.reasons),
        priority=SEVERITY.get(event.severity, Priority.NORMAL),
        references=ctx.settings.alert_recipient_list(), ack_deadline=_ack_deadline(ctx),
        variables={"item_title": evidence.title if evidence else event.title,
                   "source_name": event.kind, "item_url": (evidence.url or "") if evidence
                   else "", "risk_level": event.severity, "detected_at": ctx.now()},
        alert_id=event.alert_id)
