"""An alert as an aggregate: raised once per story, spike or source failure (its id derives
from what it is about, so raising it again is refused as a repeat), announced by the event it
records, then acknowledged and resolved by officers."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.contracts.errors import DomainError, ErrorCode
from services.contracts.events.monitoring import AlertRaised, Evidence

# The status an action leads to, and the statuses it may start from.
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "acknowledge": ("acknowledged", ("open",)),
    "resolve": ("resolved", ("open", "acknowledged")),
}


def alert_id_for(*parts: str) -> str:
    return "al-" + hashlib.blake2b("|".join(parts).encode(), digest_size=10).hexdigest()


@dataclass
class Alert:
    id: str
    kind: str  # rule, spike, source_health
    severity: str
    title: str
    raised_at: datetime
    status: str = "open"
    rule_id: str | None = None
    topic: str | None = None
    place_ids: list[str] = field(default_factory=list)
    harmful_score: float | None = None
    reasons: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)  # Evidence, as JSON
    source_id: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def raise_(cls, alert_id: str, kind: str, severity: str, title: str, now: datetime,
               **fields: Any) -> Alert:
        """A new alert, with the event announcing it."""
        alert = cls(alert_id, kind, severity, title, now, **fields)
        alert.events.append(AlertRaised(
            alert_id=alert.id, kind=kind, severity=severity, title=title,
            rule_id=alert.rule_id, topic=alert.topic, place_ids=alert.place_ids,
            harmful_score=alert.harmful_score, reasons=alert.reasons,
            evidence=[Evidence.model_validate(e) for e in alert.evidence]))
        return alert

    @classmethod
    def for_rule(cls, rule_id: str, severity: str, cluster_id: str, title: str,
                 reasons: Sequence[str], now: datetime, **fields: Any) -> Alert:
        """One alert per rule and story (the cluster of an item and its near-copies)."""
        topic = next((x.split(":", 1)[1] for x in reasons if x.startswith("topic:")), None)
        return cls.raise_(alert_id_for("rule", rule_id, cluster_id), "rule", severity,
                          title[:300], now, rule_id=rule_id, topic=topic,
                          reasons=list(reasons), **fields)

    @classmethod
    def for_spike(cls, kind: str, value: str, day: date, today: int, mean: float,
                  reasons: Sequence[str], evidence: list[dict[str, Any]],
                  now: datetime) -> Alert:
        """One alert per topic or place and day whose count is above its baseline."""
        return cls.raise_(
            alert_id_for("spike", f"{kind}|{value}", day.isoformat()), "spike", "warning",
            f"Tăng đột biến {kind} {value}: {today} tin hôm nay (trung bình {mean:.1f})", now,
            topic=value if kind == "topic" else None,
            place_ids=[value] if kind == "place" else [], reasons=list(reasons),
            evidence=evidence)

    @classmethod
    def for_source(cls, source_id: str, source_name: str, transition: int, reason: str,
                   now: datetime) -> Alert:
        """One alert each time a source becomes unhealthy (its `transition`-th time)."""
        return cls.raise_(f"al-src-{source_id}-{transition}", "source_health", "warning",
                          f"Nguồn không hoạt động: {source_name or source_id}"[:300], now,
                          source_id=source_id, reasons=[reason[:300]], evidence=[])

    def act(self, action: str, actor: str, note: str | None, at: datetime) -> bool:
        """Acknowledge or resolve; False when it is in that status already (a retried
        command gets the same answer), `invalid_transition` when it cannot be done."""
        status, allowed_from = ACTIONS[action]
        if self.status == status:
            return False
        if self.status not in allowed_from:
            raise DomainError(ErrorCode.INVALID_TRANSITION,
                              f"alert is {self.status}, cannot {action}")
        self.status = status
        self.history.append({"action": action, "actor": actor, "note": note, "at": at})
        return True
