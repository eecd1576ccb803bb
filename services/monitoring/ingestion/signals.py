"""What stored items signal: rule alerts (one per rule and story, rate limited by the alert
gate, whose state is kept in the database so it holds across restarts), and spikes (today's
count of a topic or place above mean + k·σ of the baseline days, once per key and day)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from services.monitoring.domain import (
    Alert,
    AlertGate,
    Analysis,
    counted_in,
    detect_spike,
    evaluate_rules,
    local_day,
)
from services.monitoring.ingestion.reference import ReferenceData
from services.monitoring.metrics import ALERTS_HELD, ALERTS_RAISED
from services.monitoring.repositories import MonitoringUnitOfWork
from services.monitoring.repositories.items import evidence_of

Stored = tuple[int, dict[str, Any], Analysis]  # position in the batch, document, analysis
SPIKE_EXAMPLES = 5


class Signals:
    def __init__(self, reference: ReferenceData) -> None:
        self.reference = reference
        self.gate = AlertGate()
        self.counting_since = date.today()

    def start(self, stores: MonitoringUnitOfWork, today: date) -> None:
        self.counting_since = stores.state.counting_since(today)
        stored = stores.state.alert_gate()
        if stored:
            self.gate = AlertGate.from_dict(stored)

    def rule_alerts(self, stored: list[Stored], now: datetime,
                    uow: MonitoringUnitOfWork) -> list[Alert]:
        """Alerts of the rules the items satisfy that the gate admits; the gate's state is
        saved with them."""
        rules = self.reference.rules
        by_rule = {rule.id: rule for rule in rules}
        out: list[Alert] = []
        changed = False
        for _, doc, analysis in stored:
            candidates = evaluate_rules(
                rules, item_id=doc["_id"], cluster_id=doc["duplicate_of"] or doc["_id"],
                story_id=doc["cluster_id"],
                topics=analysis.topic_confidences(), places=doc["place_ids"],
                harmful=doc["harmful_score"], text=analysis.text.text)
            for candidate in candidates:
                rule = by_rule[candidate.rule_id]
                held = self.gate.admit(candidate, now.timestamp(), rule.max_per_hour)
                changed = True
                if held is not None:
                    ALERTS_HELD.labels(held).inc()
                    continue
                out.append(Alert.for_rule(
                    rule.id, rule.severity, candidate.cluster_id,
                    f"{rule.id}: {doc['title'] or doc['excerpt'][:120]}", candidate.reasons,
                    now, place_ids=doc["place_ids"],
                    harmful_score=min(1.0, doc["harmful_score"]),
                    evidence=[evidence_of(doc)]))
        if changed:
            self.gate.prune(now.timestamp())
            uow.state.save_alert_gate(self.gate.to_dict())
        return out

    def spikes(self, docs: list[dict[str, Any]], now: datetime,
               stores: MonitoringUnitOfWork) -> list[Alert]:
        today = local_day(now)
        keys: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for doc in docs:
            if doc["day"] != today.isoformat():
                continue
            for topic in doc["topic_ids"]:
                keys.setdefault(("topic", topic), []).append(doc)
            for place in doc["place_ids"]:
                keys.setdefault(("place", place), []).append(doc)
        if not keys:
            return []
        settings = self.reference.spike
        # counted in stories: a story retold all day long is one, however many items tell it
        count = counted_in(settings.get("count", "items"))
        prefix = "story_" if count == "stories" else ""
        days = int(settings.get("baseline_days", 14))
        # days before counting began are unknown, not zero (no "spike" on the first day)
        since = self.counting_since.isoformat()
        previous_days = [d for d in ((today - timedelta(days=i)).isoformat()
                                     for i in range(days, -1, -1)) if d >= since]
        by_day = stores.counts.series(previous_days)
        out: list[Alert] = []
        for (kind, value), examples in keys.items():
            series = [(by_day.get(d) or {}).get(prefix + kind, {}).get(value, 0)
                      for d in previous_days]
            spike = detect_spike(f"{kind}|{value}", series[-1], series[:-1],
                                 k=float(settings.get("k", 3.0)),
                                 min_count=int(settings.get("min_count", 5)),
                                 min_days=int(settings.get("min_days", 3)))
            if not spike.is_spike:
                continue
            out.append(Alert.for_spike(
                kind, value, today, spike.today, spike.mean,
                [f"today:{spike.today}", f"mean:{spike.mean}", f"stdev:{spike.stdev}",
                 f"limit:{spike.limit}", f"count:{count}"],
                [evidence_of(d) for d in examples[:SPIKE_EXAMPLES]], now))
        return out


def raise_alerts(uow: MonitoringUnitOfWork, alerts: list[Alert]) -> int:
    """Store the alerts with their events (and what else the unit of work holds); an alert of
    a story or spike alerted before is refused as a repeat. Returns how many were raised."""
    for alert in alerts:
        uow.alerts.add(alert)
    result = uow.commit()
    raised = 0
    for alert in alerts:
        if uow.alerts.refused(result, alert):
            ALERTS_HELD.labels("duplicate_story").inc()
            continue
        raised += 1
        ALERTS_RAISED.labels(alert.topic or "none", alert.kind).inc()
    return raised
