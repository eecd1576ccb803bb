"""Acknowledgements (signed link, API, webhook reply) and escalation of the missing ones."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from services.contracts.events.notifications import (
    NotificationAcknowledged,
    NotificationEscalated,
)
from services.notifications.context import Context
from services.notifications.domain.ack import Acknowledgement, ack_key, record_ack, verify_ack_token
from services.notifications.domain.errors import UnknownRecipientError
from services.notifications.domain.escalation import EscalationPolicy, due_steps
from services.notifications.domain.vocabulary import AckVia, NoticeKind, Priority, StepKind
from services.notifications.metrics import ACK_LATENCY, ESCALATIONS
from services.notifications.repositories.changing import Changing
from services.notifications.repositories.codec import notice_to_domain
from services.notifications.use_cases.notices import UNDELIVERABLE, create_notice, get_notice
from services.runtime.logging import correlation_id

log = logging.getLogger(__name__)


def acknowledge_token(ctx: Context, token: str, actor: str | None) -> dict[str, Any]:
    key = ctx.settings.ack_link_secret.get_secret_value().encode("utf-8")
    claims = verify_ack_token(key, token, ctx.now())
    return acknowledge_unit(ctx, claims.notice_id, claims.unit_id, AckVia.LINK, actor)


def acknowledge_unit(ctx: Context, notice_id: str, unit_id: str, via: AckVia,
                     actor: str | None = None) -> dict[str, Any]:
    """Record the unit's receipt once; repeated acks answer the first (created=False)."""
    notice_doc = get_notice(ctx, notice_id)
    if unit_id not in (notice_doc.get("recipients") or []):
        # Checked on the stored notice, before building the domain Notice: a notice that
        # reached none of its recipients is kept as a record ("undeliverable", no recipients)
        # that is no valid Notice, and nobody can acknowledge it.
        why = (" (it reached none of its recipients)"
               if notice_doc.get("status") == UNDELIVERABLE else "")
        raise UnknownRecipientError(
            f"unit {unit_id} is not a recipient of notice {notice_id}{why}",
            {"notice_id": notice_id, "unit_ids": [unit_id]})
    notice = notice_to_domain(notice_doc)
    key = ack_key(notice_id, unit_id)
    now = ctx.now()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as stored (ms)
    with ctx.uow as uow:
        found = uow.acks.get(key)
        outcome = record_ack(notice, unit_id, [found.value] if found else [], now, via, actor)
        ack = outcome.ack
        if not outcome.created:
            return _view(ack, created=False)
        recorded = Changing(ack, [NotificationAcknowledged(
            notice_id=notice_id, unit_id=unit_id, acknowledged_at=ack.at,
            via=ack.via.public_name, late=ack.late, plan_id=notice.plan_id,
            task_id=notice.task_id)])
        uow.acks.add(recorded)
        if uow.acks.refused(uow.commit(), recorded):
            first = uow.acks.get(key)  # a concurrent ack won: answer with it
            return _view(first.value if first else ack, created=False)
    ACK_LATENCY.observe(max(0.0, (ack.at - notice.created_at).total_seconds()))
    return _view(ack, created=True)


def _view(ack: Acknowledgement, created: bool) -> dict[str, Any]:
    return {"notice_id": ack.notice_id, "unit_id": ack.unit_id, "acknowledged_at": ack.at,
            "via": ack.via.public_name, "late": ack.late, "created": created}


# --- escalation ------------------------------------------------------------------------------

def escalation_policy(ctx: Context, changes: dict[str, Any] | None = None
                      ) -> EscalationPolicy:
    """The stored policy (with `changes` applied, to check them before they are stored)."""
    stored = {**ctx.uow.configuration.escalation(), **(changes or {})}
    return EscalationPolicy(
        department_unit_id=stored.get("department_unit_id")
        or ctx.settings.department_unit_id,
        reminder_delay=timedelta(seconds=float(stored.get("reminder_delay_seconds", 0))),
        escalation_delay=timedelta(seconds=float(stored.get("escalation_delay_seconds",
                                                            86_400))))


def configure_escalation(ctx: Context, changes: dict[str, Any]) -> dict[str, Any]:
    # Checked first: a policy stored invalid would stop every escalation after it.
    escalation_policy(ctx, changes)
    if changes:
        with ctx.uow as uow:
            uow.configuration.configure_escalation(changes)
            uow.commit()
    return escalation_settings(ctx)


def escalation_settings(ctx: Context) -> dict[str, Any]:
    policy = escalation_policy(ctx)  # validates (escalation after reminder)
    return {"department_unit_id": policy.department_unit_id,
            "reminder_delay_seconds": policy.reminder_delay.total_seconds(),
            "escalation_delay_seconds": policy.escalation_delay.total_seconds()}


def escalate_due(ctx: Context, limit: int = 200) -> int:
    """Take every escalation step that is due; each step once (its key is the `_id`)."""
    now = ctx.now()
    policy = escalation_policy(ctx)
    taken = 0
    receipts = ctx.uow.receipts
    for doc in ctx.uow.notices.awaiting_escalation(now, limit):
        notice = notice_to_domain(doc)
        acks = ctx.uow.acks.of_notice(notice.id)
        done = receipts.steps_taken(notice.id)
        units = ctx.uow.recipients.by_id(notice.recipients)
        parents = {uid: (units.get(uid) or {}).get("parent_id") for uid in notice.recipients}
        for step in due_steps(notice, acks, now, parents, policy, done):
            event = NotificationEscalated(
                notice_id=notice.id, unit_id=step.unit_id, step=step.kind.value,
                escalated_to_unit_id=step.target_unit_id, plan_id=notice.plan_id,
                task_id=notice.task_id)
            with ctx.uow as uow:
                uow.receipts.add_step(
                    {"_id": step.key, "notice_id": notice.id, "unit_id": step.unit_id,
                     "step": step.kind.value, "target_unit_id": step.target_unit_id,
                     "due_at": step.due_at, "at": now},
                    [event.to_envelope(correlation_id.get())])
                if not uow.receipts.step_added(uow.commit(), step.key):
                    continue
            ESCALATIONS.labels(step.kind.value).inc()
            taken += 1
            unit_name = (units.get(step.unit_id) or {}).get("name") or step.unit_id
            _follow_up(ctx, doc, step.key, step.kind, step.target_unit_id, unit_name)
        acked = {a.unit_id for a in acks}
        pending = [u for u in notice.recipients if u not in acked]
        finished = all(f"esc:{notice.id}:{u}:{StepKind.ESCALATION.value}" in done
                       or receipts.step_taken(f"esc:{notice.id}:{u}:{StepKind.ESCALATION.value}")
                       for u in pending)
        if not pending or finished:
            with ctx.uow as uow:
                uow.notices.close_escalation(notice.id)
                uow.commit()
    return taken


def _follow_up(ctx: Context, original: dict[str, Any], key: str, kind: StepKind,
               target: str, unit_name: str) -> None:
    """The reminder (to the unit) or the escalation (to its parent / the Department)."""
    deadline = original.get("ack_deadline")
    when = deadline.strftime("%d/%m/%Y") if deadline else ""
    if kind is StepKind.REMINDER:
        subject = f"Nhắc xác nhận: {original['subject']}"
        body = (f"Đơn vị chưa xác nhận đã nhận thông báo \"{original['subject']}\" "
                f"(hạn xác nhận ngày {when}). Đề nghị đơn vị xác nhận ngay.")
    else:
        subject = f"Đơn vị chưa xác nhận: {original['subject']}"
        body = (f"{unit_name} chưa xác nhận đã nhận thông báo \"{original['subject']}\" "
                f"(hạn xác nhận ngày {when}). Đề nghị đôn đốc đơn vị thực hiện.")
    create_notice(ctx, natural_key=key, kind=NoticeKind.GUIDANCE, subject=subject, body=body,
                  priority=_raise(original["priority"]), references=[target],
                  plan_id=original.get("plan_id"), task_id=original.get("task_id"),
                  variables={}, escalation_of=original["_id"])


def _raise(priority: str) -> Priority:
    return Priority.CRITICAL if priority in ("high", "critical") else Priority.HIGH
