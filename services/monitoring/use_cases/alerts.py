"""Alerts officers act on, and the rules that raise them."""

from __future__ import annotations

from typing import Any

from services.contracts import monitoring
from services.contracts.errors import not_found
from services.monitoring.domain import Alert
from services.monitoring.use_cases.context import Context, as_reply
from services.monitoring.use_cases.reference import delete_reference
from services.runtime.unit_of_work import retrying


def alert_reply(alert: Alert) -> monitoring.AlertReply:
    return monitoring.AlertReply.model_validate(as_reply(alert))


def list_alerts(request: monitoring.ListAlertsRequest, ctx: Context) -> monitoring.Page:
    alerts, cursor = ctx.uow.alerts.page(request)
    return monitoring.Page(items=[alert_reply(a) for a in alerts], next_cursor=cursor)


def act_on_alert(request: monitoring.AlertActionRequest, ctx: Context) -> monitoring.AlertReply:
    """Acknowledge or resolve; a retried command answers as the first did."""
    def act() -> monitoring.AlertReply:
        with ctx.uow as uow:
            alert = uow.alerts.get(request.alert_id)
            if alert is None:
                raise not_found(f"alert {request.alert_id}")
            if alert.act(request.action, request.actor, request.note, ctx.now()):
                uow.commit()
            return alert_reply(alert)

    return retrying(act)


def list_alert_rules(ctx: Context) -> list[monitoring.AlertRuleModel]:
    return ctx.uow.rules.all()


def upsert_alert_rule(request: monitoring.UpsertAlertRuleRequest,
                      ctx: Context) -> monitoring.AlertRuleModel:
    """Applies to the next batch of every replica (the rules' version counter moves)."""
    with ctx.uow as uow:
        uow.rules.save(request.rule, request.actor, ctx.now())
        uow.state.bump(uow.rules.version)
        uow.commit()
    return request.rule


def delete_alert_rule(request: monitoring.AlertRuleRef, ctx: Context) -> dict[str, Any]:
    delete_reference(ctx, ctx.uow.rules, request.rule_id)
    return {"rule_id": request.rule_id, "deleted": True}
