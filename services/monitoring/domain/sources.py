"""A watched source as an aggregate: its description, the lease a poller takes, the outcome
of each poll (adaptive interval, validators for conditional GET) and its health."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .polling import next_poll_interval, source_health

POLLED_KINDS = ("feed", "page")
RECENT_POLLS = 6  # new-item counts of the last polls that set the next interval
# What describes a source (the rest is the state its polls keep).
DESCRIPTION = ("name", "kind", "channel", "default_place", "url", "outlet_unit_id", "collections",
               "poll_interval_seconds", "language", "trust", "enabled")


@dataclass(frozen=True, slots=True)
class PollOutcome:
    outcome: str  # ok, not_modified, http_404, timeout, refused, ... (README: Polling)
    detail: str | None = None
    stored: int = 0
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Source:
    id: str
    kind: str
    name: str = ""
    channel: str = "press"
    default_place: str | None = None  # a gazetteer place id: context for shared names
    url: str | None = None
    outlet_unit_id: str | None = None
    collections: list[str] = field(default_factory=list)
    poll_interval_seconds: float = 900.0
    language: str = "vi"
    trust: float = 0.8
    enabled: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    # polling
    current_interval_seconds: float | None = None
    next_poll_at: datetime | None = None
    lease_until: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_outcome: str | None = None
    last_polled_at: datetime | None = None
    last_detail: str | None = None
    recent_new: list[int] = field(default_factory=list)
    consecutive_failures: int = 0
    items_total: int = 0
    last_item_at: datetime | None = None
    typical_gap_seconds: float | None = None
    # health
    healthy: bool = True
    health_reason: str | None = None
    unhealthy_transitions: int = 0

    @classmethod
    def register(cls, source_id: str, description: Mapping[str, Any], actor: str,
                 now: datetime) -> Source:
        source = cls(id=source_id, kind=str(description["kind"]), created_at=now)
        source.describe(description, actor, now, new=True)
        return source

    def describe(self, description: Mapping[str, Any], actor: str, now: datetime,
                 new: bool = False) -> None:
        """A new description; a new URL is polled from scratch (now, no validators)."""
        moved = new or self.url != description.get("url")
        for name in DESCRIPTION:
            if name in description:
                setattr(self, name, description[name])
        self.updated_at, self.updated_by = now, actor
        if moved:
            self.current_interval_seconds = self.poll_interval_seconds
            self.next_poll_at = now
            self.etag = self.last_modified = None

    @property
    def polled(self) -> bool:
        return self.kind in POLLED_KINDS and bool(self.url)

    def lease(self, now: datetime, until: datetime) -> bool:
        """Take the source for one poll; False when another poller holds it."""
        if self.lease_until is not None and self.lease_until > now:
            return False
        self.lease_until = until
        return True

    def record_poll(self, poll: PollOutcome, now: datetime, max_failures: int) -> str | None:
        """The outcome of a poll: the next interval (adapted to how many new items the last
        polls brought, backing off while failing), validators, health; the lease is
        released. Returns why the source became unhealthy, when this poll made it so."""
        base = float(self.poll_interval_seconds)
        current = float(self.current_interval_seconds or base)
        self.last_outcome, self.last_polled_at = poll.outcome, now
        self.last_detail, self.lease_until = poll.detail, None
        if poll.outcome in ("ok", "not_modified"):
            self.consecutive_failures = 0
            self.recent_new = [*self.recent_new, poll.stored][-RECENT_POLLS:]
            interval = next_poll_interval(self.recent_new, current, minimum=base / 2,
                                          maximum=base * 8)
            self.etag = poll.etag or self.etag
            self.last_modified = poll.last_modified or self.last_modified
            if poll.stored:
                if self.last_item_at is not None:
                    gap = (now - self.last_item_at).total_seconds()
                    typical = float(self.typical_gap_seconds or gap)
                    self.typical_gap_seconds = round(0.7 * typical + 0.3 * gap, 1)
                self.last_item_at = now
        else:
            self.consecutive_failures += 1
            interval = min(current * 2, base * 8)  # back off a failing source
        self.current_interval_seconds = interval
        self.next_poll_at = now + timedelta(seconds=interval)
        self.items_total += poll.stored
        reason: str | None
        if poll.outcome == "http_410":
            healthy, reason = False, "gone (HTTP 410)"
        else:
            health = source_health(consecutive_failures=self.consecutive_failures,
                                   seconds_since_last_item=None, typical_gap_seconds=None,
                                   max_failures=max_failures)
            healthy, reason = health.healthy, health.reason
            if poll.outcome == "refused":
                healthy, reason = False, f"refused: {poll.detail}"
        return self._set_health(healthy, reason, poll.outcome)

    def check_silence(self, now: datetime, max_failures: int) -> str | None:
        """Unhealthy when silent for longer than its rhythm; returns why, when it became so."""
        if not (self.enabled and self.healthy and self.kind in POLLED_KINDS
                and self.typical_gap_seconds and self.last_item_at is not None):
            return None
        health = source_health(consecutive_failures=self.consecutive_failures,
                               seconds_since_last_item=(now - self.last_item_at).total_seconds(),
                               typical_gap_seconds=float(self.typical_gap_seconds),
                               max_failures=max_failures)
        if health.healthy:
            return None
        return self._set_health(False, health.reason, "silent")

    def _set_health(self, healthy: bool, reason: str | None, fallback: str) -> str | None:
        became_unhealthy = self.healthy and not healthy
        self.healthy, self.health_reason = healthy, reason
        if not became_unhealthy:
            return None
        self.unhealthy_transitions += 1
        return reason or fallback
