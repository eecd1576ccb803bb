"""The monitoring service's RPC methods (services/monitoring/README.md describes each)."""

from __future__ import annotations

from services.contracts import monitoring as m
from services.contracts.rpc import RpcMethod

WATCHED_PLAN = RpcMethod(
    "monitoring", "watched_plan", None,
    internal="whether monitoring has applied a plan's events: tests and operators wait on it")
LIST_ASSIGNMENTS = RpcMethod(
    "monitoring", "list_assignments", m.ListAssignmentsRequest,
    internal=("monitoring's copy of the plans' task assignments, kept to match coverage; "
              "people read assignments from plans' tasks"))
UPSERT_SOURCE = RpcMethod("monitoring", "upsert_source", m.UpsertSourceRequest)
GET_SOURCE = RpcMethod("monitoring", "get_source", m.SourceRef)
LIST_SOURCES = RpcMethod("monitoring", "list_sources", m.ListSourcesRequest)
POLL_NOW = RpcMethod("monitoring", "poll_now", m.SourceRef)
PUSH_ITEM = RpcMethod("monitoring", "push_item", m.PushItemRequest)
PUSH_ITEMS = RpcMethod("monitoring", "push_items", m.PushItemsRequest)
GET_ITEM = RpcMethod("monitoring", "get_item", m.ItemRef)
LIST_ITEMS = RpcMethod("monitoring", "list_items", m.ListItemsRequest)
LIST_ALERTS = RpcMethod("monitoring", "list_alerts", m.ListAlertsRequest)
ACT_ON_ALERT = RpcMethod("monitoring", "act_on_alert", m.AlertActionRequest)
LIST_ALERT_RULES = RpcMethod("monitoring", "list_alert_rules", m.ListAlertRulesRequest)
UPSERT_ALERT_RULE = RpcMethod("monitoring", "upsert_alert_rule", m.UpsertAlertRuleRequest)
DELETE_ALERT_RULE = RpcMethod("monitoring", "delete_alert_rule", m.AlertRuleRef)
LIST_TOPICS = RpcMethod("monitoring", "list_topics", m.ListTopicsRequest)
UPSERT_TOPIC = RpcMethod("monitoring", "upsert_topic", m.UpsertTopicRequest)
DELETE_TOPIC = RpcMethod("monitoring", "delete_topic", m.TopicRef)
COVERAGE = RpcMethod("monitoring", "coverage", m.CoverageRequest)
EXPORT_COVERAGE_CSV = RpcMethod("monitoring", "export_coverage_csv", m.CoverageRequest)
