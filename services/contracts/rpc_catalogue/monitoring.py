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
UPSERT_SOURCE = RpcMethod("monitoring", "upsert_source", m.UpsertSourceRequest, m.SourceReply)
GET_SOURCE = RpcMethod("monitoring", "get_source", m.SourceRef, m.SourceReply)
LIST_SOURCES = RpcMethod("monitoring", "list_sources", m.ListSourcesRequest, m.Page)
POLL_NOW = RpcMethod("monitoring", "poll_now", m.SourceRef, m.PollResult)
PUSH_ITEM = RpcMethod("monitoring", "push_item", m.PushItemRequest, m.ItemResult)
PUSH_ITEMS = RpcMethod("monitoring", "push_items", m.PushItemsRequest, m.PushResult)
GET_ITEM = RpcMethod("monitoring", "get_item", m.ItemRef, m.ItemReply)
LIST_ITEMS = RpcMethod("monitoring", "list_items", m.ListItemsRequest, m.Page)
LIST_ALERTS = RpcMethod("monitoring", "list_alerts", m.ListAlertsRequest, m.Page)
ACT_ON_ALERT = RpcMethod("monitoring", "act_on_alert", m.AlertActionRequest, m.AlertReply)
LIST_ALERT_RULES = RpcMethod("monitoring", "list_alert_rules", m.ListAlertRulesRequest,
                             list[m.AlertRuleModel])
UPSERT_ALERT_RULE = RpcMethod("monitoring", "upsert_alert_rule", m.UpsertAlertRuleRequest,
                              m.AlertRuleModel)
DELETE_ALERT_RULE = RpcMethod("monitoring", "delete_alert_rule", m.AlertRuleRef)
LIST_TOPICS = RpcMethod("monitoring", "list_topics", m.ListTopicsRequest, list[m.TopicModel])
UPSERT_TOPIC = RpcMethod("monitoring", "upsert_topic", m.UpsertTopicRequest, m.TopicModel)
DELETE_TOPIC = RpcMethod("monitoring", "delete_topic", m.TopicRef)
# Untyped while services/gateway/routers/committee_report.py reads the reply as a dict.
COVERAGE = RpcMethod("monitoring", "coverage", m.CoverageRequest)
EXPORT_COVERAGE_CSV = RpcMethod("monitoring", "export_coverage_csv", m.CoverageRequest,
                                m.CsvExport)
