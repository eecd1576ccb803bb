"""Alert rules (topics, keywords, places, harmful score): list, create or replace, delete.
Officers and admins only; a change takes effect for the next items."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from services.contracts import monitoring
from services.contracts.rpc_catalogue import monitoring as monitoring_rpc
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanReadAlertRules, CanWriteAlertRules
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import (
    NOT_FOUND,
    Cursor,
    Limit,
    deletion_of,
    page_by_id,
    page_of,
)
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/alert-rules", tags=["alert rules"])
AlertRuleBody = body_of(monitoring.AlertRuleModel, "AlertRuleBody", ("id",), strict=True)
RuleId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[a-z0-9_-]+$",
                             examples=["harmful_gia_lai"])]

AlertRulePage = page_of(monitoring.AlertRuleModel, "AlertRulePage")

AlertRuleDeleted = deletion_of("rule_id", "AlertRuleDeleted")


@router.get("", response_model=AlertRulePage, summary="List alert rules (by id)")
async def list_alert_rules(rpc: RpcDep, _: CanReadAlertRules, cursor: Cursor = None,
                           limit: Limit = 50) -> Any:
    """Pages through alert rules by id."""
    rules = await rpc.call(monitoring_rpc.LIST_ALERT_RULES)
    return page_by_id(rules, cursor, limit)


@router.put("/{rule_id}", response_model=monitoring.AlertRuleModel,
            summary="Create or replace an alert rule")
async def create_or_replace_alert_rule(rule_id: RuleId, body: AlertRuleBody,  # type: ignore[valid-type]
                                       rpc: RpcDep, principal: CanWriteAlertRules) -> Any:
    """Creates the rule with this id or replaces it: topics, keywords, places, minimum
    confidence and harmful score, severity and a cap per hour. It applies to the next items
    classified."""
    return await rpc.call(monitoring_rpc.UPSERT_ALERT_RULE,
                          rule=rpc_kwargs(body, id=rule_id), actor=principal.id)


@router.delete("/{rule_id}", response_model=AlertRuleDeleted, responses=NOT_FOUND,
               summary="Delete an alert rule")
async def delete_alert_rule(rule_id: RuleId, rpc: RpcDep, principal: CanWriteAlertRules) -> Any:
    """Deletes an alert rule; alerts it raised stay."""
    return await rpc.call(monitoring_rpc.DELETE_ALERT_RULE, rule_id=rule_id, actor=principal.id)
