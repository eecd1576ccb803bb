"""Adaptive polling interval and source health."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SourceHealth", "next_poll_interval", "source_health"]


def next_poll_interval(
    new_items_recent: Sequence[int],
    current: float,
    *,
    minimum: float = 120.0,
    maximum: float = 3600.0,
    target_per_poll: float = 1.0,
) -> float:
    """Seconds until the next poll: busier sources faster, quiet ones slower, clamped.

    ``new_items_recent`` are the new-item counts of the last polls (most recent last). The
    interval is scaled so that about ``target_per_poll`` new items arrive per poll; the change is
    limited to ×0.5..×2 per step to avoid oscillation.
    """
    current = min(max(current, minimum), maximum)
    if not new_items_recent:
        return current
    weights = [2.0**i for i in range(len(new_items_recent))]
    rate = sum(w * c for w, c in zip(weights, new_items_recent, strict=True)) / sum(weights)
    proposed = current * 1.5 if rate <= 0 else current * target_per_poll / rate
    proposed = min(max(proposed, current * 0.5), current * 2.0)
    return round(min(max(proposed, minimum), maximum), 1)


@dataclass(frozen=True, slots=True)
class SourceHealth:
    healthy: bool
    reason: str | None


def source_health(
    *,
    consecutive_failures: int,
    seconds_since_last_item: float | None,
    typical_gap_seconds: float | None,
    max_failures: int = 5,
    silence_factor: float = 4.0,
    min_silence_seconds: float = 6 * 3600.0,
) -> SourceHealth:
    """Unhealthy after ``max_failures`` failed polls in a row, or when silent for longer than
    ``silence_factor`` × its typical gap between items (at least ``min_silence_seconds``)."""
    if consecutive_failures >= max_failures:
        return SourceHealth(False, f"{consecutive_failures} consecutive failures")
    if seconds_since_last_item is not None and typical_gap_seconds:
        limit = max(silence_factor * typical_gap_seconds, min_silence_seconds)
        if seconds_since_last_item > limit:
            hours = seconds_since_last_item / 3600.0
            return SourceHealth(False, f"silent for {hours:.1f} h (limit {limit / 3600.0:.1f} h)")
    return SourceHealth(True, None)
