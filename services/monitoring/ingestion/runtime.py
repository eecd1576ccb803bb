"""Ingestion: a batch of raw items -> analysed, deduplicated, stored documents with their
events, coverage and spike counters, and alerts.

One `Ingestion` per process holds the domain `Pipeline` (compiled taxonomy, gazetteer,
harmful scorer: `reference.py`), the MinHash dedup index shared with the other replicas
(`dedup_index.py`: an item is analysed here, its duplicate decision agreed there), the alert
gate (`signals.py`), and writes chunk by chunk (`chunks.py`). Exact repeats (same GUID or
normalised URL) are enforced by the database: an item's id derives from its first exact key,
and a lookup on `exact_keys` runs per batch.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from services.contracts import monitoring
from services.monitoring.domain import (
    DATA_DIR,
    Analysis,
    Item,
    Prepared,
    RawItem,
    exact_key,
    local_day,
)
from services.monitoring.domain import match_coverage as coverage_of
from services.monitoring.ingestion.batches import (
    BatchOutcome,
    Candidate,
    ChunkWritten,
    content_hash_of,
    in_background,
    item_id_for,
    write_chunks,
)
from services.monitoring.ingestion.chunks import ChunkWriter
from services.monitoring.ingestion.dedup_index import SharedDedup
from services.monitoring.ingestion.reference import ReferenceData
from services.monitoring.ingestion.signals import Signals, Stored, raise_alerts
from services.monitoring.metrics import ITEMS_DUPLICATES, ITEMS_INGESTED
from services.monitoring.repositories import MonitoringUnitOfWork
from services.monitoring.repositories.items import item_document
from services.runtime.logging import correlation_id
from services.runtime.outbox import events_staged
from services.runtime.staged_events import STAGED_GRACE_SECONDS, Publish

log = logging.getLogger(__name__)

YIELD_EVERY = 5  # items analysed between two chances for other green threads (~6 ms)


class Ingestion:
    def __init__(self, unit_of_work: Callable[[], MonitoringUnitOfWork], *,
                 dedup_window_days: float = 14.0, data_dir: Path = DATA_DIR,
                 publish: Publish | None = None) -> None:
        """`unit_of_work` makes one (alerts are committed through it); `publish`, the direct
        path for item events (without it they take the outbox)."""
        self.unit_of_work = unit_of_work
        # reads and the bulk writes, shared by the batches of the process (nothing tracked)
        self.stores = unit_of_work()
        self.window_seconds = dedup_window_days * 86400.0
        self.reference = ReferenceData(data_dir)
        self.signals = Signals(self.reference)
        self.chunks = ChunkWriter(self.stores.items, publish)
        self.dedup = SharedDedup(self.stores.dedup_log, self.stores.items, self.window_seconds)
        self._starting = threading.Lock()  # green under eventlet

    # start-up ------------------------------------------------------------------------------

    def start(self) -> None:
        """Seed the data, compile the pipeline, load the dedup index. Idempotent: an RPC or
        timer that arrives while the container is still starting waits for it."""
        with self._starting:
            if self.reference.pipeline is None:
                self.reference.seed(self.stores)
                self.reference.refresh(self.stores, self.dedup.load(), force=True)
                self.signals.start(self.stores, local_day(datetime.now(UTC)))

    def release_staged_events(self, now: datetime | None = None,
                              grace_seconds: float = STAGED_GRACE_SECONDS) -> int:
        """Events of batches whose worker died mid-write (the recovery sweep)."""
        return self.chunks.release_staged_events(now, grace_seconds)

    # ingestion -----------------------------------------------------------------------------

    def ingest(self, raw: Sequence[RawItem | None], now: datetime | None = None,
               reasons: Sequence[str | None] | None = None) -> BatchOutcome:
        """Analyse and store a batch. `None` entries are rejected with `reasons[i]`.

        The items are analysed and written in chunks (`write_chunks`): a chunk's write runs
        in the background while the next chunk is analysed, so the database's time hides
        behind the analysis instead of adding to it."""
        self.start()
        assert self.reference.pipeline is not None
        self.reference.refresh(self.stores, self.reference.pipeline.dedup)
        now = now or datetime.now(UTC)
        outcome = BatchOutcome()
        cid = correlation_id.get()
        candidates = self._candidates(raw, reasons, outcome)
        known = self.stores.items.stored_keys([k for x in candidates for k in x.keys])
        chunks = write_chunks(candidates)
        events_ids = self.chunks.stage(chunks, now, cid)
        analysed: list[Stored] = []
        writes: list[Callable[[], ChunkWritten]] = []
        try:
            for chunk, events_id in zip(chunks, events_ids, strict=True):
                documents = self._analyse(chunk, known, now, events_id, outcome, analysed)
                writes.append(in_background(partial(self.chunks.write, events_id, documents,
                                                    cid)))
        except Exception:  # what was registered stays: a retry gets the same decisions
            for wait in writes:
                with contextlib.suppress(Exception):
                    wait()
            raise
        refused, via_outbox = self._wait_for(writes)
        stored = self._settle_results(analysed, refused, outcome)
        if via_outbox:
            events_staged.set(True)  # the writes ran in other threads: wake the relay from here
        outcome.alerts = self._signal(stored, now)
        outcome.results.sort(key=lambda x: x.index)
        return outcome

    def _wait_for(self, writes: list[Callable[[], ChunkWritten]]) -> tuple[set[str], bool]:
        refused: set[str] = set()
        via_outbox = False
        failures: list[Exception] = []
        for wait in writes:
            try:
                written = wait()
            except Exception as exc:
                failures.append(exc)
                continue
            refused |= written.refused
            via_outbox = via_outbox or written.via_outbox
        if failures:  # the items that were stored get their events from the recovery sweep
            raise failures[0]
        return refused, via_outbox

    def _signal(self, stored: list[Stored], now: datetime) -> int:
        """Counters (written in the background while the rules are evaluated), then alerts."""
        documents = [doc for _, doc, _ in stored]
        with self.unit_of_work() as uow:
            counted = in_background(partial(self.stores.counts.add, documents))
            try:
                alerts = self.signals.rule_alerts(stored, now, uow)  # computing, meanwhile
                uow.commit()  # the alert gate's state, while the counters are written
            finally:
                counted()  # its failure, too, is the caller's
            # spikes read today's counters, this batch's included
            alerts += self.signals.spikes(documents, now, self.stores)
            return raise_alerts(uow, alerts)

    def _candidates(self, raw: Sequence[RawItem | None], reasons: Sequence[str | None] | None,
                    outcome: BatchOutcome) -> list[Candidate]:
        """The items worth analysing, with their exact keys and ids; the rest are rejected."""
        candidates: list[Candidate] = []
        for index, item in enumerate(raw):
            if item is None or not (item.title.strip() or item.body.strip()):
                reason = (reasons[index] if reasons else None) or "empty"
                outcome.results.append(monitoring.ItemResult(index=index, outcome="rejected",
                                                    reason=reason))
                continue
            # guid first: the item's id derives from its first key; keyless items are known
            # by their content
            exact = exact_key(url=item.url, guid=item.guid)
            keys = exact or [f"text:{content_hash_of(item.title, item.body)}"]
            candidates.append(Candidate(index, item, keys, item_id_for(keys), tuple(exact)))
        return candidates

    def _analyse(self, chunk: list[Candidate], known: dict[str, str], now: datetime,
                 events_id: str, outcome: BatchOutcome,
                 analysed: list[Stored]) -> list[dict[str, Any]]:
        """Analyse a chunk: its exact repeats become results, the rest documents to store."""
        pipeline = self.reference.pipeline
        assert pipeline is not None
        seen_ts = now.timestamp()
        prepared: list[tuple[Candidate, Prepared]] = []
        repeats: list[tuple[int, str, str]] = []  # position, source kind, the earlier item
        for count, candidate in enumerate(chunk, 1):
            if count % YIELD_EVERY == 0:
                # Green threads switch only when one yields, and analysis never waits: without
                # this, the chunk writes and the outbox relay (same process) advance one
                # database round trip per chunk, and the relay falls behind the ingestion.
                time.sleep(0)
            index, item, keys, ident, exact = candidate
            earlier = next((known[k] for k in keys if k in known), None)
            if earlier is not None:
                repeats.append((index, item.source_kind, earlier))
                continue
            for k in keys:
                known[k] = ident  # later items of the batch with these keys repeat this one
            prepared.append((candidate, pipeline.prepare(Item(
                ident, item.title, item.body, url=item.url, guid=item.guid,
                published=item.published, seen_at=seen_ts, exact_keys=exact,
                default_place=item.default_place))))
        decisions = self.dedup.register([p for _, p in prepared])
        redirect: dict[str, str] = {}  # an item found repeating one the index knows
        documents: list[dict[str, Any]] = []
        for (candidate, ready), (duplicate, story) in zip(prepared, decisions, strict=True):
            index, item, keys, ident, _ = candidate
            if duplicate.exact and duplicate.original_id is not None:
                redirect[ident] = duplicate.original_id
                for k in keys:
                    known[k] = duplicate.original_id
                repeats.append((index, item.source_kind, duplicate.original_id))
                continue
            analysis = ready.decided(duplicate, story)
            day = local_day(item.published or now)
            doc = item_document(item, ident, keys, analysis, day, now, index, events_id,
                                self._coverage(item, ident, analysis, day))
            documents.append(doc)
            analysed.append((index, doc, analysis))
        for index, kind, earlier in repeats:
            earlier = redirect.get(earlier, earlier)
            outcome.results.append(monitoring.ItemResult(index=index, outcome="duplicate",
                                                item_id=earlier, duplicate_of=earlier,
                                                reason="exact_repeat"))
            ITEMS_DUPLICATES.labels(kind).inc()
        return documents

    def _coverage(self, item: RawItem, ident: str, analysis: Analysis,
                  day: date) -> list[dict[str, str]]:
        """The (task, topic) pairs the item is evidence for: its outlet leads or coordinates
        an active task on one of its topics."""
        if not item.outlet_unit_id or not analysis.topics:
            return []
        plan_of = self.reference.plan_of(self.stores)
        return [{"task_id": fact.task_id, "plan_id": plan_of.get(fact.task_id, ""),
                 "topic": fact.topic}
                for fact in coverage_of(self.reference.assignments, item_id=ident,
                                        outlet_unit_id=item.outlet_unit_id,
                                        topics=[t.topic for t in analysis.topics],
                                        published=day)]

    def _settle_results(self, analysed: list[Stored], refused: set[str],
                        outcome: BatchOutcome) -> list[Stored]:
        """Per-item results and metrics once the writes are done; returns what was stored."""
        stored = []
        for index, doc, analysis in analysed:
            kind = doc["source_kind"]
            if doc["_id"] in refused:  # stored concurrently by another worker or replica
                outcome.results.append(monitoring.ItemResult(index=index, outcome="duplicate",
                                                    item_id=doc["_id"], duplicate_of=doc["_id"],
                                                    reason="exact_repeat"))
                ITEMS_DUPLICATES.labels(kind).inc()
                continue
            stored.append((index, doc, analysis))
            ITEMS_INGESTED.labels(kind).inc()
            if doc["duplicate_of"]:
                ITEMS_DUPLICATES.labels(kind).inc()
            outcome.results.append(monitoring.ItemResult(index=index, outcome="stored",
                                                item_id=doc["_id"],
                                                duplicate_of=doc["duplicate_of"]))
        return stored
