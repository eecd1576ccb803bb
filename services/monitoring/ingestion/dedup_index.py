"""The near-duplicate and story indexes (MinHash LSH; TF-IDF with anchors), shared by every
replica through the database.

Each process keeps the index in memory (a lookup costs microseconds) and the log in the
database (`repositories/dedup_log.py`) holds every registration in one order. A chunk's items
are registered in the process's index, then appended to the log at the position after the
last entry the process knows. If another replica appended there first, the registrations not
written are taken back, the others' entries read and the items registered again: every item
is decided against everything registered before it, by any replica, as in one process.

At start the index is restored from the log within the dedup window (oldest first, so the
first item stays the original and copies keep linking to it); a log that is still empty is
filled once from the stored items' normalised text. Exact repeats never depend on the index:
the database enforces them.

An item's story is decided in the same turn as its duplicate decision, and its log entry
carries what the story index keeps of it (kept terms, anchors, story), so every replica's story
index holds the same entries in the same order (`domain/stories.py`). Entries written before
stories were told apart (and those seeded from stored items) have none: their items cannot be
a story's origin.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from services.monitoring.domain import (
    BOUNDARY,
    DedupIndex,
    DuplicateMatch,
    Prepared,
    StoryIndex,
    StoryMatch,
)
from services.monitoring.repositories.dedup_log import DedupLogRepository
from services.monitoring.repositories.items import ItemsRepository

log = logging.getLogger(__name__)

# Turns lost to other replicas before a chunk gives up (each lost turn is one that another
# replica won, so the platform as a whole never stalls).
MAX_TURNS = 50
TRIM_EVERY_SECONDS = 3600.0
STORY_WINDOW_SECONDS = 7 * 86400.0  # a story told again after a week is a new one

Decision = tuple[DuplicateMatch, StoryMatch | None]  # None: an exact repeat, or no stories


def rebuild_dedup(items: ItemsRepository, window_seconds: float) -> DedupIndex:
    """The index of the items stored within the window, in arrival order (from their text)."""
    index = DedupIndex(window_seconds=window_seconds)
    since = datetime.now(UTC) - timedelta(seconds=window_seconds)
    for recent in items.recent(since):
        tokens = recent.text.split(" ")
        body = tokens[tokens.index(BOUNDARY) + 1:] if BOUNDARY in tokens else tokens
        index.add(recent.id, body, url=recent.url, guid=recent.guid, seen_at=recent.seen_at)
    return index


class SharedDedup:
    def __init__(self, dedup_log: DedupLogRepository, items: ItemsRepository,
                 window_seconds: float) -> None:
        self.log = dedup_log
        self.items = items
        self.window_seconds = window_seconds
        self.index = DedupIndex(window_seconds=window_seconds)
        self.stories = self._story_index()
        self.position = 0  # the last log entry this process's index holds
        self._turn = threading.Lock()  # green under eventlet: one chunk of the process at a time
        self._trimmed_at = 0.0

    def _story_index(self) -> StoryIndex:
        return StoryIndex(window_seconds=min(self.window_seconds, STORY_WINDOW_SECONDS))

    def load(self) -> DedupIndex:
        """The index as every replica has built it so far (filled from the items once)."""
        with self._turn:
            self.index = DedupIndex(window_seconds=self.window_seconds)
            self.stories = self._story_index()
            self.position = 0
            self._trim()
            if self.log.is_empty():
                seeded = rebuild_dedup(self.items, self.window_seconds).snapshot()
                self.log.append(1, seeded)  # another replica may seed it first: either will do
            self._catch_up()
            log.info("dedup index loaded", extra={"items": len(self.index),
                                                  "stories": len(self.stories),
                                                  "position": self.position})
            return self.index

    def register(self, prepared: Sequence[Prepared]) -> list[Decision]:
        """Each item's duplicate and story decisions, in order, agreed with every other
        replica."""
        with self._turn:
            pending = list(prepared)
            decided: list[Decision] = []
            for _ in range(MAX_TURNS):
                matches: list[Decision] = []
                fresh: list[int] = []  # positions in `pending` of the items the log gets
                for n, item in enumerate(pending):
                    registered_before = item.item.id in self.index  # a batch tried again
                    match = self.index.register(item.item.id, item.exact_keys,
                                                item.item.seen_at, signature=item.signature)
                    story = None if match.exact or item.story is None else (
                        self.stories.register(item.item.id, item.story, item.item.seen_at,
                                              match.original_id))
                    matches.append((match, story))
                    if not (registered_before or match.exact):
                        fresh.append(n)
                fresh_ids = [pending[n].item.id for n in fresh]
                written = self._append(fresh_ids)
                if written == len(fresh):
                    return decided + matches
                # what came before the first item not written was decided on a complete view
                cut = fresh[written]
                decided += matches[:cut]
                self._forget(fresh_ids[written:])
                pending = pending[cut:]
                self._catch_up()
            raise RuntimeError("the dedup log kept moving: too many replicas writing at once")

    def _append(self, fresh: list[str]) -> int:
        stories = self.stories.entries(fresh)
        rows = [{**row, **stories.get(row["item_id"], {})} for row in self.index.entries(fresh)]
        try:
            written = self.log.append(self.position + 1, rows)
        except Exception:
            self._forget(fresh)
            raise
        self.position += written
        if time.monotonic() - self._trimmed_at > TRIM_EVERY_SECONDS:
            self._trim()
        return written

    def _catch_up(self) -> None:
        """Take in what other replicas appended since this process last read or wrote. A
        replica appends at a position only after reading every one before it, so what is
        missing below the first row read was trimmed (past the window), never still coming."""
        rows = self.log.after(self.position)
        if rows:
            self.position = rows[-1]["position"]
            self.index.restore(rows)
            self.stories.restore(rows)
        now = time.time()
        self.index.evict(now=now)
        self.stories.evict(now=now)

    def _forget(self, item_ids: list[str]) -> None:
        """Take back registrations the log did not get, the latest first."""
        for item_id in reversed(item_ids):
            self.index.forget(item_id)
            self.stories.forget(item_id)

    def _trim(self) -> None:
        self._trimmed_at = time.monotonic()
        self.log.trim(time.time() - self.window_seconds)
