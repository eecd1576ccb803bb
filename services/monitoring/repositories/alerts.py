"""Alerts: the `alerts` collection. An alert carries its own events (`_outbox`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import ASCENDING, DESCENDING

from services.contracts import monitoring
from services.monitoring.domain import Alert
from services.monitoring.repositories.paging import newest_first, sort_key
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import AggregateRepository

ALERTS = "alerts"
OPTIONAL = ("rule_id", "topic", "harmful_score", "source_id")
HIDDEN = {"_outbox": 0}


class AlertsRepository(InDatabase, AggregateRepository[Alert]):
    collection = ALERTS
    # Acting on an alert changes its status and history together: the status guards both.
    guarded_fields = frozenset({"status"})

    stored_in = ALERTS
    indexes = (Index(ALERTS, "status", (("status", ASCENDING), ("sort_key", DESCENDING))),)

    def document_of(self, aggregate: Alert) -> dict[str, Any]:
        document: dict[str, Any] = {
            "_id": aggregate.id, "kind": aggregate.kind, "severity": aggregate.severity,
            "title": aggregate.title, "status": aggregate.status,
            "raised_at": aggregate.raised_at,
            "sort_key": sort_key(aggregate.raised_at, aggregate.id),
            "history": aggregate.history, "place_ids": aggregate.place_ids,
            "reasons": aggregate.reasons, "evidence": aggregate.evidence}
        document.update({name: getattr(aggregate, name) for name in OPTIONAL
                         if getattr(aggregate, name) is not None})
        return document

    def aggregate_of(self, document: Mapping[str, Any]) -> Alert:
        return Alert(
            id=document["_id"], kind=document["kind"], severity=document["severity"],
            title=document["title"], raised_at=document["raised_at"],
            status=document.get("status", "open"),
            place_ids=list(document.get("place_ids") or []),
            reasons=list(document.get("reasons") or []),
            evidence=list(document.get("evidence") or []),
            history=list(document.get("history") or []),
            rule_id=document.get("rule_id"), topic=document.get("topic"),
            harmful_score=document.get("harmful_score"), source_id=document.get("source_id"))

    def get(self, alert_id: str) -> Alert | None:
        found = self._records.find_one({"_id": alert_id}, HIDDEN)
        return None if found is None else self._loaded(found)

    def page(self, request: monitoring.ListAlertsRequest) -> tuple[list[Alert], str | None]:
        query: dict[str, Any] = {}
        if request.status:
            query["status"] = request.status
        if request.kind:
            query["kind"] = request.kind
        rows, cursor = newest_first(self._records, query, request.after, request.limit, HIDDEN)
        return [self.aggregate_of(d) for d in rows], cursor
