"""Cyclic garbage collector settings for a long-running service process.

CPython's default collects the young generation every 700 new container objects, which a
service allocates in a fraction of a request, so collections ran constantly; reference
counting frees almost everything anyway, the collector is only for cycles. The measurements
behind the threshold: docs/decisions/0006-garbage-collector.md."""

from __future__ import annotations

import gc

# Young objects between two collections (why not more: docs/decisions/0006-garbage-collector.md).
YOUNG_THRESHOLD = 10_000


def tune_for_service() -> None:
    """Call once, after start-up imports and before serving."""
    # What start-up built so far (modules, classes, settings) lives as long as the process:
    # keep it out of every later collection.
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
