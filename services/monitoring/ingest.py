"""Ingestion: a batch of raw items -> analysed, deduplicated, persisted documents with their
events, coverage counters, spike counters and alerts.

One `Runtime` per process holds the domain `Pipeline` (compiled taxonomy, gazetteer, harmful
scorer and the MinHash dedup index), the alert gate, and caches of alert rules and task
assignments. Caches are reloaded when the `state` document's version counters change, so an
edit through RPC (or in another replica) applies to the next batch.

The dedup index lives in process memory and is rebuilt at start from the stored items of the
dedup window (their normalised text), in arrival order, so the first item stays the
original. Exact repeats (same GUID or normalised URL) are also enforced by the database:
an item's id derives from its first exact key, and a lookup on `exact_keys` runs per batch.

Events of items are derived from the stored item alone, and their ids from the item, so
publishing them twice is one event to consumers (they drop the repeat). That lets items skip
the outbox in the common case (an outbox document costs SecantusDB a decode, copy and encode
of every event on each of the relay's claim, lease and settle):

1. before any item is written, one *staged* events document per chunk (`staged_at`, the
   chunk's item ids): the relay ignores it;
2. the chunk's items, one `insert_many`, each naming its events document (`event_batch`);
3. the events of the items stored are published directly, with publisher confirms, and the
   staged document is deleted. When the broker does not take them, they are pushed onto the
   staged document instead, which becomes pending for the outbox relay (one update by `_id`).

A worker that dies between 1 and 3 leaves its chunk staged; `release_staged_events` (a timer)
releases, after a grace period, the events of those of its items that were stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple, TypeVar

from pymongo import UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from services.contracts import monitoring as c
from services.contracts.envelope import Envelope
from services.contracts.events.monitoring import (
    AlertRaised,
    CoverageMatched,
    Evidence,
    ItemClassified,
)
from services.monitoring import repository as r
from services.monitoring.domain import (
    DATA_DIR,
    AlertCandidate,
    AlertGate,
    AlertRule,
    Analysis,
    Assignment,
    DateParseError,
    DedupIndex,
    Gazetteer,
    HarmfulScorer,
    Item,
    Pipeline,
    TopicClassifier,
    detect_spike,
    evaluate_rules,
    exact_key,
    load_data_file,
    match_coverage,
    normalise,
    parse_alert_rules,
    parse_date,
)
from services.monitoring.metrics import ALERTS_HELD, ALERTS_RAISED, ITEMS_DUPLICATES, ITEMS_INGESTED
from services.runtime.logging import correlation_id
from services.runtime.mongo import refused_as_duplicates
from services.runtime.outbox import (
    PENDING,
    events_staged,
    merge_updates,
    outbox_push,
    with_outbox,
)

log = logging.getLogger(__name__)

BOUNDARY = "\x00"  # the domain's title/body separator token
EXCERPT_CHARS = 300
FAR_PAST, FAR_FUTURE = date(2000, 1, 1), date(9999, 12, 31)
# Items analysed, then written while the next chunk is analysed; also the number of item
# events per outbox document (the relay's settle grows with the square of it on SecantusDB).
WRITE_CHUNK = 100
# A batch ends in chunks that halve: a chunk's write (about half as long as its analysis)
# hides behind the next chunk's analysis, down to the last, small one, written while the
# caller waits.
TAIL_CHUNKS = (48, 24, 12)
YIELD_EVERY = 5  # items analysed between two chances for other green threads (~6 ms)
STAGED = "staged_at"  # on an events document until its chunk's events are released
# A worker releases its chunks within seconds; a chunk staged for longer lost its worker.
STAGED_GRACE_SECONDS = 120.0
# After the broker failed to take a chunk's events, the next chunks go to the outbox at once
# for this long, instead of each waiting out a connection or confirm timeout.
DIRECT_PAUSE_SECONDS = 30.0

T = TypeVar("T")


@dataclass
class RawItem:
    """An item from a feed, a page or a push, before analysis."""

    title: str
    body: str
    url: str | None = None
    guid: str | None = None
    published: datetime | None = None
    source_id: str | None = None
    source_kind: str = "push"
    outlet_unit_id: str | None = None


class Candidate(NamedTuple):
    """An item to analyse: its position in the batch, the keys it is stored under (its GUID
    and URL keys, or else its content's), its deterministic id, and its GUID and URL keys."""

    position: int
    item: RawItem
    keys: list[str]
    ident: str
    exact: tuple[str, ...]


class ChunkWritten(NamedTuple):
    refused: set[str]  # ids another worker or replica stored first
    via_outbox: bool  # its events wait for the outbox relay


@dataclass
class BatchOutcome:
    results: list[c.ItemResult] = field(default_factory=list)
    alerts: int = 0

    @property
    def stored(self) -> int:
        return sum(1 for x in self.results if x.outcome == "stored")

    @property
    def duplicates(self) -> int:
        return sum(1 for x in self.results if x.outcome == "duplicate")

    @property
    def rejected(self) -> int:
        return sum(1 for x in self.results if x.outcome == "rejected")

    def reply(self) -> c.PushResult:
        return c.PushResult(stored=self.stored, duplicates=self.duplicates,
                            rejected=self.rejected, results=self.results)


def item_id_for(keys: Sequence[str]) -> str:
    return "it-" + hashlib.blake2b(keys[0].encode(), digest_size=12).hexdigest()


def excerpt_of(body: str) -> str:
    """The body's first `EXCERPT_CHARS` characters, whitespace collapsed; a long body's
    beginning is enough (collapsing it is a prefix of collapsing the whole)."""
    head = " ".join(body[:EXCERPT_CHARS * 2].split())
    if len(head) >= EXCERPT_CHARS or len(body) <= EXCERPT_CHARS * 2:
        return head[:EXCERPT_CHARS]
    return " ".join(body.split())[:EXCERPT_CHARS]


def content_hash_of(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def event_id_for(*parts: str) -> str:
    """An event id derived from what the event announces: released twice, it is one event."""
    return hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


def item_events(doc: dict[str, Any], cid: str | None) -> list[Envelope]:
    """The events announcing a stored item, from its document alone (the recovery sweep
    rebuilds them from what was stored): `item_classified`, and `coverage_matched` per
    (task, topic) the item is evidence for."""
    ident = doc["_id"]
    at = doc["fetched_at"]
    title = doc["title"] or ident
    topics = doc.get("topics") or []
    # one validation by pydantic-core for the event and its topic matches
    events = [ItemClassified.model_validate({
        "item_id": ident, "source_id": doc.get("source_id"),
        "outlet_unit_id": doc.get("outlet_unit_id"), "url": doc.get("url"),
        "title": doc["title"] or doc.get("excerpt", "")[:100] or ident,
        "published_at": doc.get("published_at"),
        "topics": [{"topic": t["topic"], "confidence": min(1.0, t["confidence"]),
                    "terms": t["terms"]} for t in topics],
        "place_ids": doc.get("place_ids") or [],
        "harmful_score": min(1.0, doc.get("harmful_score") or 0.0),
        "duplicate_of": doc.get("duplicate_of"), "content_hash": doc["content_hash"],
    }).to_envelope(cid, event_id=event_id_for(ident, ItemClassified.event_type), time=at)]
    for match in doc.get("coverage_matches") or []:
        events.append(CoverageMatched(
            item_id=ident, task_id=match["task_id"], plan_id=match["plan_id"],
            outlet_unit_id=doc["outlet_unit_id"], topic=match["topic"], url=doc.get("url"),
            title=title, published_at=doc.get("published_at") or at,
            content_hash=doc["content_hash"],
        ).to_envelope(cid, event_id=event_id_for(ident, CoverageMatched.event_type,
                                                 match["task_id"], match["topic"]), time=at))
    return events


def write_chunks(candidates: list[T]) -> list[list[T]]:
    """Chunks of at most `WRITE_CHUNK`, then the `TAIL_CHUNKS`: each chunk is written while
    the next is analysed, and what the last one leaves to write after all analysis is the
    part of a batch that nothing hides. Small batches keep the smaller tail chunks only."""
    tail = list(TAIL_CHUNKS)
    while tail and len(candidates) < sum(tail) + tail[0]:
        tail.pop(0)
    head = len(candidates) - sum(tail)
    count = -(-head // WRITE_CHUNK)
    bounds = [head * k // count for k in range(count + 1)] if count else [0]
    for size in tail:
        bounds.append(bounds[-1] + size)
    return [candidates[a:b] for a, b in itertools.pairwise(bounds)]


def in_background(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` in another thread (a green thread in the service, whose threading eventlet
    patches) and return a function that waits for its result or raises its error. Yields
    once, so that the work sends its request before the caller goes back to computing."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the waiter
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="monitoring-write", daemon=True)
    thread.start()
    time.sleep(0)

    def wait() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        result: T = outcome["value"]
        return result

    return wait


# -- taxonomy and rules as data in the database ---------------------------------------------


def seed_topics(db: Database, directory: Any = DATA_DIR) -> None:
    """Store topic definitions from data/topics.yaml once; the database is the truth after."""
    if db[r.TOPICS].estimated_document_count() > 0:
        return
    data = load_data_file(directory / "topics.yaml")
    defaults = data.get("defaults") or {}
    db[r.STATE].update_one({"_id": "taxonomy"}, {"$setOnInsert": {"defaults": defaults,
                                                                  "version": 1}}, upsert=True)
    for topic_id, spec in (data.get("topics") or {}).items():
        with contextlib.suppress(DuplicateKeyError):
            db[r.TOPICS].insert_one({"_id": topic_id, **spec})


def seed_alert_rules(db: Database, directory: Any = DATA_DIR) -> None:
    if db[r.ALERT_RULES].estimated_document_count() > 0:
        return
    data = load_data_file(directory / "alert_rules.yaml")
    db[r.STATE].update_one({"_id": "spike"}, {"$setOnInsert": dict(data.get("spike") or {})},
                           upsert=True)
    for spec in data.get("rules") or []:
        rule = c.AlertRuleModel.model_validate(spec)
        with contextlib.suppress(DuplicateKeyError):
            db[r.ALERT_RULES].insert_one({"_id": rule.id, **rule.model_dump(exclude={"id"})})


def topics_document(db: Database) -> dict[str, Any]:
    state = db[r.STATE].find_one({"_id": "taxonomy"}) or {}
    topics = {}
    for doc in db[r.TOPICS].find().sort("_id", 1):
        spec = {k: v for k, v in doc.items() if k != "_id" and v is not None}
        topics[doc["_id"]] = spec
    return {"defaults": state.get("defaults") or {}, "topics": topics}


def bump(db: Database, what: str) -> None:
    db[r.STATE].update_one({"_id": "versions"}, {"$inc": {what: 1}}, upsert=True)


# -- the per-process runtime ----------------------------------------------------------------


# Publishes envelopes and returns once the broker confirmed them all.
Publish = Callable[[Sequence[Envelope]], None]


class Runtime:
    def __init__(self, db: Database, *, dedup_window_days: float = 14.0,
                 data_dir: Any = DATA_DIR, publish: Publish | None = None) -> None:
        """`publish`: the direct path for item events; without it they take the outbox."""
        self.db = db
        self.publish = publish
        self._direct_from = 0.0  # monotonic time from which `publish` is tried again
        self.window_seconds = dedup_window_days * 86400.0
        self.gazetteer = Gazetteer.from_data(load_data_file(data_dir / "places.yaml"))
        self.scorer = HarmfulScorer.from_data(load_data_file(data_dir / "harmful.yaml"))
        self.data_dir = data_dir
        self.versions: dict[str, int] = {}
        self.pipeline: Pipeline | None = None
        self.rules: list[AlertRule] = []
        self.rule_enabled: dict[str, bool] = {}
        self.spike: dict[str, Any] = {}
        self.assignments: list[Assignment] = []
        self.gate = AlertGate()
        self.counting_since = date.today()
        self._starting = threading.Lock()  # green under eventlet

    # start-up ------------------------------------------------------------------------------

    def start(self) -> None:
        """Seed the data, compile the pipeline, rebuild the dedup index. Idempotent: an RPC or
        timer that arrives while the container is still starting waits for it."""
        with self._starting:
            if self.pipeline is None:
                self._start()

    def _start(self) -> None:
        seed_topics(self.db, self.data_dir)
        seed_alert_rules(self.db, self.data_dir)
        self.refresh(force=True)
        self.rebuild_dedup()
        self.db[r.STATE].update_one(
            {"_id": "counting"}, {"$setOnInsert": {"since": local_day_of(datetime.now(UTC))
                                                   .isoformat()}}, upsert=True)
        started = self.db[r.STATE].find_one({"_id": "counting"}) or {}
        self.counting_since = date.fromisoformat(started["since"])
        stored = self.db[r.STATE].find_one({"_id": "alert_gate"})
        if stored:
            self.gate = AlertGate.from_dict(stored.get("gate") or {})

    def rebuild_dedup(self) -> int:
        """Rebuild the in-memory index from the stored items of the window, oldest first (by
        sort key: fetch time, then arrival within the batch)."""
        assert self.pipeline is not None
        index = DedupIndex(window_seconds=self.window_seconds)
        since = datetime.now(UTC) - timedelta(seconds=self.window_seconds)
        count = 0
        for doc in self.db[r.ITEMS].find(
                {"sort_key": {"$gte": r.time_key(since)}},
                {"text": 1, "url": 1, "guid": 1, "fetched_at": 1}).sort("sort_key", 1):
            tokens = str(doc.get("text") or "").split(" ")
            body = tokens[tokens.index(BOUNDARY) + 1:] if BOUNDARY in tokens else tokens
            index.add(doc["_id"], body, url=doc.get("url"), guid=doc.get("guid"),
                      seen_at=doc["fetched_at"].timestamp())
            count += 1
        self.pipeline.dedup = index
        log.info("dedup index rebuilt", extra={"items": count})
        return count

    def refresh(self, force: bool = False) -> None:
        """Reload what changed since the last batch (one read of the version counters)."""
        versions = self.db[r.STATE].find_one({"_id": "versions"}) or {}
        versions = {k: int(v) for k, v in versions.items() if k != "_id"}
        changed = {k for k in ("topics", "rules", "assignments")
                   if force or versions.get(k, 0) != self.versions.get(k, 0)}
        if "topics" in changed:
            classifier = TopicClassifier.from_data(topics_document(self.db))
            dedup = self.pipeline.dedup if self.pipeline is not None else None
            self.pipeline = Pipeline(classifier, self.gazetteer, self.scorer,
                                     dedup or DedupIndex(window_seconds=self.window_seconds))
        if "rules" in changed:
            docs = list(self.db[r.ALERT_RULES].find())
            self.rule_enabled = {d["_id"]: bool(d.get("enabled", True)) for d in docs}
            # keywords are matched on normalised text: normalise them the same way
            self.rules = parse_alert_rules({"rules": [
                {**d, "id": d["_id"],
                 "keywords": [normalise(k).text for k in d.get("keywords") or []]}
                for d in docs if d.get("enabled", True)]})
            self.spike = self.db[r.STATE].find_one({"_id": "spike"}) or {}
        if "assignments" in changed:
            self.assignments = [
                Assignment(d["task_id"], d["unit_id"], frozenset(d.get("topics") or ()),
                           date.fromisoformat(d.get("start") or FAR_PAST.isoformat()),
                           date.fromisoformat(d.get("end") or FAR_FUTURE.isoformat()))
                for d in self.db[r.ASSIGNMENTS].find({"active": True})]
        self.versions = versions

    # ingestion -----------------------------------------------------------------------------

    def ingest(self, raw: Sequence[RawItem | None], now: datetime | None = None,
               reasons: Sequence[str | None] | None = None) -> BatchOutcome:
        """Analyse and store a batch. `None` entries are rejected with `reasons[i]`.

        The items are analysed and written in chunks (`write_chunks`): a chunk's write runs
        in the background while the next chunk is analysed, so the database's time hides
        behind the analysis instead of adding to it."""
        self.start()
        self.refresh()
        assert self.pipeline is not None
        now = now or datetime.now(UTC)
        outcome = BatchOutcome()
        cid = correlation_id.get()
        candidates = self._candidates(raw, reasons, outcome)
        known = self._stored_keys(candidates)
        chunks = write_chunks(candidates)
        events_ids = self._stage_events(chunks, now, cid)
        analysed: list[tuple[int, dict[str, Any], Analysis]] = []
        writes: list[Callable[[], ChunkWritten]] = []
        try:
            for chunk, events_id in zip(chunks, events_ids, strict=True):
                documents = self._analyse(chunk, known, now, events_id, outcome, analysed)
                writes.append(in_background(partial(self._write_chunk, events_id, documents,
                                                    cid)))
        except Exception:
            for wait in writes:
                with contextlib.suppress(Exception):
                    wait()
            self.rebuild_dedup()  # forget the batch: a retry must not be taken for a repeat
            raise
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
            self.rebuild_dedup()
            raise failures[0]
        stored = self._settle_results(analysed, refused, outcome)
        if via_outbox:
            events_staged.set(True)  # the writes ran in other threads: wake the relay from here
        stored_docs = [doc for _, doc, _ in stored]
        counted = in_background(partial(self._count, stored_docs, now))  # a database wait
        try:
            alerts = self._alerts(stored, now, cid)  # computing, meanwhile
        finally:
            counted()  # its failure, too, is the caller's
        alerts += self._spikes(stored_docs, now, cid)
        outcome.alerts = self._insert_alerts(alerts)
        outcome.results.sort(key=lambda x: x.index)
        return outcome

    def _candidates(self, raw: Sequence[RawItem | None], reasons: Sequence[str | None] | None,
                    outcome: BatchOutcome) -> list[Candidate]:
        """The items worth analysing, with their exact keys and ids; the rest are rejected."""
        candidates: list[Candidate] = []
        for index, item in enumerate(raw):
            if item is None or not (item.title.strip() or item.body.strip()):
                reason = (reasons[index] if reasons else None) or "empty"
                outcome.results.append(c.ItemResult(index=index, outcome="rejected",
                                                    reason=reason))
                continue
            # guid first: the item's id derives from its first key; keyless items are known
            # by their content
            exact = exact_key(url=item.url, guid=item.guid)
            keys = exact or [f"text:{content_hash_of(item.title, item.body)}"]
            candidates.append(Candidate(index, item, keys, item_id_for(keys), tuple(exact)))
        return candidates

    def _stored_keys(self, candidates: list[Candidate]) -> dict[str, str]:
        """Exact keys of the batch that stored items already have: key -> item id."""
        known: dict[str, str] = {}
        if candidates:
            lookup = [k for candidate in candidates for k in candidate.keys]
            for doc in self.db[r.ITEMS].find({"exact_keys": {"$in": lookup}},
                                             {"exact_keys": 1}):
                for k in doc.get("exact_keys") or []:
                    known[k] = doc["_id"]
        return known

    def _stage_events(self, chunks: list[list[Candidate]], now: datetime,
                      cid: str | None) -> list[str]:
        """One staged events document per chunk, written before any of its items: if this
        worker dies before releasing them, the recovery sweep finds the chunk by it."""
        if not chunks:
            return []
        batch = f"{r.time_key(now)}-{uuid.uuid4().hex[:12]}"
        staged: list[dict[str, Any]] = [
            {"_id": f"{batch}-{number:03d}", STAGED: now, "correlation_id": cid,
             "item_ids": [candidate.ident for candidate in chunk]}
            for number, chunk in enumerate(chunks)]
        self.db[r.ITEM_EVENTS].insert_many(staged)
        return [doc["_id"] for doc in staged]

    def _analyse(self, chunk: list[Candidate], known: dict[str, str], now: datetime,
                 events_id: str, outcome: BatchOutcome,
                 analysed: list[tuple[int, dict[str, Any], Analysis]]) -> list[dict[str, Any]]:
        """Analyse a chunk: its exact repeats become results, the rest documents to store."""
        assert self.pipeline is not None
        documents: list[dict[str, Any]] = []
        seen_ts = now.timestamp()
        for count, (index, item, keys, ident, exact) in enumerate(chunk, 1):
            if count % YIELD_EVERY == 0:
                # Green threads switch only when one yields, and analysis never waits: without
                # this, the chunk writes and the outbox relay (same process) advance one
                # database round trip per chunk, and the relay falls behind the ingestion.
                time.sleep(0)
            earlier = next((known[k] for k in keys if k in known), None)
            if earlier is None:
                analysis = self.pipeline.analyse(Item(
                    ident, item.title, item.body, url=item.url, guid=item.guid,
                    published=item.published, seen_at=seen_ts, exact_keys=exact))
                if analysis.duplicate.exact:
                    earlier = analysis.duplicate.original_id
            if earlier is not None:
                outcome.results.append(c.ItemResult(index=index, outcome="duplicate",
                                                    item_id=earlier, duplicate_of=earlier,
                                                    reason="exact_repeat"))
                ITEMS_DUPLICATES.labels(item.source_kind).inc()
                continue
            for k in keys:
                known[k] = ident
            doc = self._document(item, ident, keys, analysis, now, index, events_id)
            documents.append(doc)
            analysed.append((index, doc, analysis))
        return documents

    def _document(self, item: RawItem, ident: str, keys: list[str], analysis: Analysis,
                  now: datetime, arrival: int, events_id: str) -> dict[str, Any]:
        text = " ".join(analysis.text.tokens)
        published = item.published
        day = local_day_of(published or now)
        topics: list[dict[str, Any]] = [
            {"topic": t.topic, "confidence": t.confidence, "terms": list(t.terms)}
            for t in analysis.topics]
        topic_ids = [t.topic for t in analysis.topics]
        coverage: list[dict[str, str]] = []
        if item.outlet_unit_id and topics:
            plan_of = self._plan_of
            coverage = [{"task_id": fact.task_id, "plan_id": plan_of.get(fact.task_id, ""),
                         "topic": fact.topic}
                        for fact in match_coverage(self.assignments, item_id=ident,
                                                   outlet_unit_id=item.outlet_unit_id,
                                                   topics=topic_ids, published=day)]
        return {
            "_id": ident, "source_id": item.source_id, "source_kind": item.source_kind,
            "outlet_unit_id": item.outlet_unit_id, "url": item.url, "guid": item.guid,
            "exact_keys": keys, "title": item.title[:c.MAX_TITLE],
            "excerpt": excerpt_of(item.body),
            "text": text, "content_hash": hashlib.sha256(text.encode()).hexdigest(),
            "published_at": published, "fetched_at": now, "day": day.isoformat(),
            "sort_key": r.sort_key(now, ident, arrival), "topics": topics,
            "topic_ids": topic_ids, "place_ids": list(analysis.place_ids),
            "harmful_score": analysis.harmful.score,
            "harmful_reasons": [f"{x.signal}:{x.evidence}"[:200]
                                for x in analysis.harmful.reasons],
            "duplicate_of": analysis.duplicate.original_id, "cluster_id": analysis.cluster_id,
            "jaccard": analysis.duplicate.jaccard, "coverage_matches": coverage,
            "event_batch": events_id,
        }

    @property
    def _plan_of(self) -> dict[str, str]:
        cached: dict[str, str] | None = getattr(self, "_plan_cache", None)
        version = self.versions.get("assignments", 0)
        if cached is None or getattr(self, "_plan_cache_version", -1) != version:
            cached = {d["task_id"]: d["plan_id"]
                      for d in self.db[r.ASSIGNMENTS].find({"active": True},
                                                           {"task_id": 1, "plan_id": 1})}
            self._plan_cache, self._plan_cache_version = cached, version
        return cached

    def _write_chunk(self, events_id: str, documents: list[dict[str, Any]],
                     cid: str | None) -> ChunkWritten:
        """Store a chunk's items, then announce them; says which ids were refused as already
        stored (by another worker or replica meanwhile)."""
        refused: set[str] = set()
        if documents:
            try:
                self.db[r.ITEMS].insert_many(documents, ordered=False)
            except BulkWriteError as exc:
                refused = {documents[i]["_id"] for i in refused_as_duplicates(exc)}
        events = [event for doc in documents if doc["_id"] not in refused
                  for event in item_events(doc, cid)]
        if self._publish_directly(events_id, events):
            return ChunkWritten(refused, via_outbox=False)
        self._release_events(events_id, events)
        return ChunkWritten(refused, via_outbox=bool(events))

    def _publish_directly(self, events_id: str, events: list[Envelope]) -> bool:
        """Publish a chunk's events and drop its staged document; False when there is no
        direct path or the broker did not take them (the outbox then carries them)."""
        if self.publish is None or not events or time.monotonic() < self._direct_from:
            return False
        try:
            self.publish(events)
        except Exception as exc:
            self._direct_from = time.monotonic() + DIRECT_PAUSE_SECONDS
            log.warning("item events go through the outbox: the broker did not take them",
                        extra={"events": len(events), "error": str(exc)[:300],
                               "direct_again_in_s": DIRECT_PAUSE_SECONDS})
            return False
        try:
            self.db[r.ITEM_EVENTS].delete_one({"_id": events_id, STAGED: {"$exists": True}})
        except PyMongoError as exc:
            # Left staged, the chunk is released again by the recovery sweep: the same event
            # ids a second time, which consumers drop. The items are stored either way.
            log.warning("a published chunk stays staged until the sweep",
                        extra={"events_id": events_id, "error": str(exc)[:300]})
        return True

    def _release_events(self, events_id: str, events: list[Envelope]) -> None:
        """Hand a staged chunk's events to the outbox relay (one update by `_id`)."""
        collection = self.db[r.ITEM_EVENTS]
        staged = {"_id": events_id, STAGED: {"$exists": True}}
        if not events:
            collection.delete_one(staged)
            return
        release = merge_updates({"$unset": {STAGED: "", "item_ids": ""}}, outbox_push(events))
        if collection.update_one(staged, release).modified_count == 0:
            # The recovery sweep took this chunk first (this worker outlived the grace period)
            # and may have missed items stored since: publish them all again. The event ids
            # derive from the items, so consumers drop the repeats.
            collection.insert_one(with_outbox({"_id": f"{events_id}-late"}, events))

    def release_staged_events(self, now: datetime | None = None,
                              grace_seconds: float = STAGED_GRACE_SECONDS) -> int:
        """Recovery sweep: release the events of chunks whose worker died between staging and
        releasing them (only the items that were stored), and delete events documents the
        relay has emptied. Returns how many events it released. Events documents are keyed by
        time, so this reads only those older than the grace period, by `_id` range."""
        now = now or datetime.now(UTC)
        collection = self.db[r.ITEM_EVENTS]
        before = r.time_key(now - timedelta(seconds=grace_seconds))
        released = 0
        relayed: list[str] = []
        for doc in collection.find({"_id": {"$lt": before}}, {STAGED: 1, PENDING: 1,
                                                              "item_ids": 1,
                                                              "correlation_id": 1}):
            if STAGED in doc:
                items = self.db[r.ITEMS].find(
                    {"_id": {"$in": doc.get("item_ids") or []}, "event_batch": doc["_id"]},
                    {"text": 0})
                events = [event for item in items
                          for event in item_events(item, doc.get("correlation_id"))]
                self._release_events(doc["_id"], events)
                released += len(events)
            elif PENDING not in doc:
                relayed.append(doc["_id"])
        if relayed:
            collection.delete_many({"_id": {"$in": relayed}, PENDING: {"$exists": False},
                                    STAGED: {"$exists": False}})
        if released:
            log.warning("released the events of an interrupted batch",
                        extra={"events": released})
        return released

    def _settle_results(self, analysed: list[tuple[int, dict[str, Any], Analysis]],
                        refused: set[str], outcome: BatchOutcome,
                        ) -> list[tuple[int, dict[str, Any], Analysis]]:
        """Per-item results and metrics once the writes are done; returns what was stored."""
        stored = []
        for index, doc, analysis in analysed:
            kind = doc["source_kind"]
            if doc["_id"] in refused:  # stored concurrently by another worker or replica
                outcome.results.append(c.ItemResult(index=index, outcome="duplicate",
                                                    item_id=doc["_id"], duplicate_of=doc["_id"],
                                                    reason="exact_repeat"))
                ITEMS_DUPLICATES.labels(kind).inc()
                continue
            stored.append((index, doc, analysis))
            ITEMS_INGESTED.labels(kind).inc()
            if doc["duplicate_of"]:
                ITEMS_DUPLICATES.labels(kind).inc()
            outcome.results.append(c.ItemResult(index=index, outcome="stored",
                                                item_id=doc["_id"],
                                                duplicate_of=doc["duplicate_of"]))
        return stored

    # counters ------------------------------------------------------------------------------

    def _count(self, docs: list[dict[str, Any]], now: datetime) -> None:
        """One counters document per day (`$inc` on nested fields): topics and places for
        spike detection, outlet × topic for coverage. A batch touches one document per
        distinct day, not one per counter (single upserts are what a database pays most)."""
        per_day: dict[str, dict[str, int]] = {}
        for doc in docs:
            counters = per_day.setdefault(doc["day"], {})
            fields = [f"topic.{field_key(t)}" for t in doc["topic_ids"]]
            fields += [f"place.{field_key(p)}" for p in doc["place_ids"]]
            outlet = doc.get("outlet_unit_id")
            if outlet:
                fields += [f"coverage.{field_key(outlet)}|{field_key(t)}"
                           for t in doc["topic_ids"]]
            for name in fields:
                counters[name] = counters.get(name, 0) + 1
        ops = [UpdateOne({"_id": f"day|{day}"},
                         {"$inc": counters, "$setOnInsert": {"day": day}}, upsert=True)
               for day, counters in per_day.items() if counters]
        if ops:
            self.db[r.COUNTS].bulk_write(ops, ordered=False)

    # alerts --------------------------------------------------------------------------------

    def _alerts(self, analysed: list[tuple[int, dict[str, Any], Any]], now: datetime,
                cid: str | None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        by_rule = {rule.id: rule for rule in self.rules}
        changed = False
        for _, doc, analysis in analysed:
            candidates = evaluate_rules(
                self.rules, item_id=doc["_id"], cluster_id=doc["cluster_id"],
                topics=analysis.topic_confidences(), places=doc["place_ids"],
                harmful=doc["harmful_score"], text=analysis.text.text)
            for candidate in candidates:
                rule = by_rule[candidate.rule_id]
                held = self.gate.admit(candidate, now.timestamp(), rule.max_per_hour)
                changed = True
                if held is not None:
                    ALERTS_HELD.labels(held).inc()
                    continue
                out.append(self._rule_alert(candidate, rule, doc, now, cid))
        if changed:
            self.gate.prune(now.timestamp())
            self.db[r.STATE].update_one({"_id": "alert_gate"},
                                        {"$set": {"gate": self.gate.to_dict()}}, upsert=True)
        return out

    def _rule_alert(self, candidate: AlertCandidate, rule: AlertRule, doc: dict[str, Any],
                    now: datetime, cid: str | None) -> dict[str, Any]:
        alert_id = "al-" + hashlib.blake2b(
            f"rule|{rule.id}|{candidate.cluster_id}".encode(), digest_size=10).hexdigest()
        topic = next((x.split(":", 1)[1] for x in candidate.reasons
                      if x.startswith("topic:")), None)
        evidence = [evidence_of(doc)]
        title = f"{rule.id}: {doc['title'] or doc['excerpt'][:120]}"[:300]
        return alert_document(alert_id, "rule", rule.severity, title, now, cid,
                              rule_id=rule.id, topic=topic, place_ids=doc["place_ids"],
                              harmful_score=min(1.0, doc["harmful_score"]),
                              reasons=list(candidate.reasons), evidence=evidence)

    def _spikes(self, docs: list[dict[str, Any]], now: datetime,
                cid: str | None) -> list[dict[str, Any]]:
        today = local_day_of(now)
        keys: dict[str, list[dict[str, Any]]] = {}
        for doc in docs:
            if doc["day"] != today.isoformat():
                continue
            for topic in doc["topic_ids"]:
                keys.setdefault(f"topic|{topic}", []).append(doc)
            for place in doc["place_ids"]:
                keys.setdefault(f"place|{place}", []).append(doc)
        if not keys:
            return []
        days = int(self.spike.get("baseline_days", 14))
        # days before counting began are unknown, not zero (no "spike" on the first day)
        since = self.counting_since.isoformat()
        previous_days = [d for d in ((today - timedelta(days=i)).isoformat()
                                     for i in range(days, -1, -1)) if d >= since]
        by_day = {d["day"]: d for d in self.db[r.COUNTS].find(
            {"_id": {"$in": [f"day|{d}" for d in previous_days]}})}
        out: list[dict[str, Any]] = []
        for key, examples in keys.items():
            kind, value = key.split("|", 1)
            series = [int((by_day.get(d) or {}).get(kind, {}).get(field_key(value), 0))
                      for d in previous_days]
            spike = detect_spike(key, series[-1], series[:-1],
                                 k=float(self.spike.get("k", 3.0)),
                                 min_count=int(self.spike.get("min_count", 5)),
                                 min_days=int(self.spike.get("min_days", 3)))
            if not spike.is_spike:
                continue
            alert_id = "al-" + hashlib.blake2b(f"spike|{key}|{today}".encode(),
                                               digest_size=10).hexdigest()
            out.append(alert_document(
                alert_id, "spike", "warning",
                f"Tăng đột biến {kind} {value}: {spike.today} tin hôm nay "
                f"(trung bình {spike.mean:.1f})", now, cid,
                topic=value if kind == "topic" else None,
                place_ids=[value] if kind == "place" else [],
                reasons=[f"today:{spike.today}", f"mean:{spike.mean}", f"stdev:{spike.stdev}",
                         f"limit:{spike.limit}"],
                evidence=[evidence_of(d) for d in examples[:5]]))
        return out

    def _insert_alerts(self, alerts: list[dict[str, Any]]) -> int:
        if not alerts:
            return 0
        failed: set[int] = set()
        try:
            self.db[r.ALERTS].insert_many(alerts, ordered=False)
        except BulkWriteError as exc:
            failed = refused_as_duplicates(exc)
        for position, alert in enumerate(alerts):
            if position in failed:  # the same story or spike was alerted before
                ALERTS_HELD.labels("duplicate_story").inc()
                continue
            ALERTS_RAISED.labels(alert.get("topic") or "none", alert["kind"]).inc()
        return len(alerts) - len(failed)


def field_key(value: str) -> str:
    """A value usable as a field name ('.' and a leading '$' are path syntax)."""
    return value.replace(".", "\uff0e").replace("$", "\uff04")


def local_day_of(moment: datetime) -> date:
    return r.local_day(moment)


def evidence_of(doc: dict[str, Any]) -> dict[str, Any]:
    return Evidence(item_id=doc["_id"], url=doc.get("url"), title=doc["title"] or doc["_id"],
                    excerpt=doc.get("excerpt", "")[:EXCERPT_CHARS],
                    content_hash=doc["content_hash"]).model_dump(mode="json")


def alert_document(alert_id: str, kind: str, severity: str, title: str, now: datetime,
                   cid: str | None, **fields: Any) -> dict[str, Any]:
    event = AlertRaised(alert_id=alert_id, kind=kind, severity=severity, title=title,
                        rule_id=fields.get("rule_id"), topic=fields.get("topic"),
                        place_ids=fields.get("place_ids") or [],
                        harmful_score=fields.get("harmful_score"),
                        reasons=fields.get("reasons") or [],
                        evidence=[Evidence.model_validate(e)
                                  for e in fields.get("evidence") or []])
    doc = {"_id": alert_id, "kind": kind, "severity": severity, "title": title,
           "status": "open", "raised_at": now, "sort_key": r.sort_key(now, alert_id),
           "history": [], **fields}
    return with_outbox(doc, [event.to_envelope(cid)])


def raw_from_push(item: c.PushedItem, sources: dict[str, dict[str, Any]],
                  now: datetime) -> tuple[RawItem | None, str | None]:
    """A pushed item as a raw item, or (None, reason) when it cannot be taken."""
    source = sources.get(item.source_id) if item.source_id else None
    if item.source_id and source is None:
        return None, "unknown_source"
    published: datetime | None
    if isinstance(item.published_at, str):
        try:
            published = parse_date(item.published_at, now=now)
        except DateParseError:
            return None, "bad_published_at"
    else:
        published = item.published_at
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=r.LOCAL_TZ)
    if item.url and not item.url.lower().startswith(("http://", "https://")):
        return None, "bad_url"
    outlet = item.outlet_unit_id or (source or {}).get("outlet_unit_id")
    kind = (source or {}).get("kind") or "push"
    return RawItem(item.title, item.body, item.url, item.guid, published,
                   item.source_id, kind, outlet), None


def sources_by_id(db: Database, ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    return {d["_id"]: d for d in db[r.SOURCES].find({"_id": {"$in": wanted}})}

