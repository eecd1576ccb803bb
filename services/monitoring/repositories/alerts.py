"""Alerts: the `alerts` collection. An alert carries its own events (`_outbox`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import ASCENDING, DESCENDING

from services.contracts import monitoring
from services.monitoring.domain import Alert
from services.monitoring.repositories.paging import ListedNewestFirst, filters, sort_key
from services.runtime.mongo_repository import Index

ALERTS = "alerts"
OPTIONAL = ("rule_id", "topic", "harmful_score", "source_id")


class AlertsRepository(ListedNewestFirst[Alert]):
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

    def page(self, request: monitoring.ListAlertsRequest) -> tuple[list[Alert], str | None]:
        query = filters(("status", request.status), ("kind", request.kind))
        return self._newest_first(query, request.after, request.limit)
