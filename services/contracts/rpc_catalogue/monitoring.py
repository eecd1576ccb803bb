"""The monitoring service's RPC methods (services/monitoring/README.md describes each)."""

from __future__ import annotations

from services.contracts import monitoring as m
from services.contracts import monitoring_labels as ml
from services.contracts import monitoring_models as mm
from services.contracts import monitoring_thresholds as mt
from services.contracts.rpc import ServiceMethods

method = ServiceMethods("monitoring")

WATCHED_PLAN = method(
    "watched_plan", None,
    internal="whether monitoring has applied a plan's events: tests and operators wait on it")
LIST_ASSIGNMENTS = method(
    "list_assignments", m.ListAssignmentsRequest,
    internal=("monitoring's copy of the plans' task assignments, kept to match coverage; "
              "people read assignments from plans' tasks"))
UPSERT_SOURCE = method("upsert_source", m.UpsertSourceRequest, m.SourceReply)
GET_SOURCE = method("get_source", m.SourceRef, m.SourceReply)
LIST_SOURCES = method("list_sources", m.ListSourcesRequest, m.Page)
POLL_NOW = method("poll_now", m.SourceRef, m.PollResult)
PUSH_ITEM = method("push_item", m.PushItemRequest, m.ItemResult)
PUSH_ITEMS = method("push_items", m.PushItemsRequest, m.PushResult)
GET_ITEM = method("get_item", m.ItemRef, m.ItemReply)
LIST_ITEMS = method("list_items", m.ListItemsRequest, m.Page)
LIST_ALERTS = method("list_alerts", m.ListAlertsRequest, m.Page)
ACT_ON_ALERT = method("act_on_alert", m.AlertActionRequest, m.AlertReply)
LIST_ALERT_RULES = method("list_alert_rules", m.ListAlertRulesRequest, list[m.AlertRuleModel])
UPSERT_ALERT_RULE = method("upsert_alert_rule", m.UpsertAlertRuleRequest, m.AlertRuleModel)
DELETE_ALERT_RULE = method("delete_alert_rule", m.AlertRuleRef)
LIST_TOPICS = method("list_topics", m.ListTopicsRequest, list[m.TopicModel])
UPSERT_TOPIC = method("upsert_topic", m.UpsertTopicRequest, m.TopicModel)
DELETE_TOPIC = method("delete_topic", m.TopicRef)
THRESHOLDS = method("thresholds", m.ListTopicsRequest, mt.ThresholdsReply)
SET_THRESHOLDS = method("set_thresholds", mt.SetThresholdsRequest, mt.ThresholdsReply)
LABEL_ITEM = method("label_item", ml.LabelItemRequest, ml.LabelReply)
LIST_LABELS = method("list_labels", ml.ListLabelsRequest, m.Page)
EXPORT_LABELS = method("export_labels", ml.ExportLabelsRequest, ml.LabelsExport)
TRAIN_MODEL = method("train_model", mm.TrainModelRequest, mm.TrainJobReply)
TRAIN_JOB = method("train_job", mm.TrainJobRef, mm.TrainJobReply)
LIST_MODELS = method("list_models", mm.ListModelsRequest, list[mm.ModelVersionReply])
ACTIVATE_MODEL = method("activate_model", mm.ModelVersionRef, mm.ModelVersionReply)
# Untyped while services/gateway/routers/committee_report.py reads the reply as a dict.
COVERAGE = method("coverage", m.CoverageRequest)
EXPORT_COVERAGE_CSV = method("export_coverage_csv", m.CoverageRequest, m.CsvExport)
