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
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.contracts import monitoring as c
from services.contracts.envelope import Envelope
from services.contracts.events.monitoring import (
    AlertRaised,
    CoverageMatched,
    Evidence,
    ItemClassified,
    TopicMatch,
)
from services.monitoring import repository as r
from services.monitoring.domain import (
    DATA_DIR,
    AlertCandidate,
    AlertGate,
    AlertRule,
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
from services.runtime.outbox import with_outbox

log = logging.getLogger(__name__)

BOUNDARY = "\x00"  # the domain's title/body separator token
EXCERPT_CHARS = 300
FAR_PAST, FAR_FUTURE = date(2000, 1, 1), date(9999, 12, 31)


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


def content_hash_of(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


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


class Runtime:
    def __init__(self, db: Database, *, dedup_window_days: float = 14.0,
                 data_dir: Any = DATA_DIR) -> None:
        self.db = db
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
        started = self.db[r.STATE].find_one_and_update(
            {"_id": "counting"}, {"$setOnInsert": {"since": local_day_of(datetime.now(UTC))
                                                   .isoformat()}},
            upsert=True, return_document=ReturnDocument.AFTER)
        self.counting_since = date.fromisoformat(started["since"])
        stored = self.db[r.STATE].find_one({"_id": "alert_gate"})
        if stored:
            self.gate = AlertGate.from_dict(stored.get("gate") or {})

    def rebuild_dedup(self) -> int:
        """Rebuild the in-memory index from the stored items of the window, oldest first."""
        assert self.pipeline is not None
        index = DedupIndex(window_seconds=self.window_seconds)
        since = datetime.now(UTC) - timedelta(seconds=self.window_seconds)
        count = 0
        for doc in self.db[r.ITEMS].find(
                {"fetched_at": {"$gte": since}},
                {"text": 1, "url": 1, "guid": 1, "fetched_at": 1}).sort("fetched_at", 1):
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
        """Analyse and store a batch. `None` entries are rejected with `reasons[i]`."""
        self.start()
        self.refresh()
        assert self.pipeline is not None
        now = now or datetime.now(UTC)
        outcome = BatchOutcome()
        cid = correlation_id.get()
        # 1. exact repeats already stored (by GUID / URL, or by content for keyless items)
        keyed: list[tuple[int, RawItem, list[str], str, str]] = []
        for index, item in enumerate(raw):
            if item is None or not (item.title.strip() or item.body.strip()):
                reason = (reasons[index] if reasons else None) or "empty"
                outcome.results.append(c.ItemResult(index=index, outcome="rejected",
                                                    reason=reason))
                continue
            chash = content_hash_of(item.title, item.body)
            # guid first: the item's id derives from its first key
            keys = exact_key(url=item.url, guid=item.guid) or [f"text:{chash}"]
            keyed.append((index, item, keys, chash, item_id_for(keys)))
        lookup_keys = [k for _, _, keys, _, _ in keyed for k in keys]
        known: dict[str, str] = {}
        if keyed:
            for doc in self.db[r.ITEMS].find({"exact_keys": {"$in": lookup_keys}},
                                             {"exact_keys": 1}):
                for k in doc.get("exact_keys") or []:
                    known[k] = doc["_id"]
        # 2. analyse the new ones
        documents: list[dict[str, Any]] = []
        analysed: list[tuple[int, dict[str, Any], Any]] = []
        seen_ts = now.timestamp()
        for index, item, keys, _hash, ident in keyed:
            earlier = next((known[k] for k in keys if k in known), None)
            if earlier is not None:
                outcome.results.append(c.ItemResult(index=index, outcome="duplicate",
                                                    item_id=earlier, duplicate_of=earlier,
                                                    reason="exact_repeat"))
                ITEMS_DUPLICATES.labels(item.source_kind).inc()
                continue
            analysis = self.pipeline.analyse(Item(ident, item.title, item.body, url=item.url,
                                                  guid=item.guid, published=item.published,
                                                  seen_at=seen_ts))
            if analysis.duplicate.exact:
                original = analysis.duplicate.original_id
                outcome.results.append(c.ItemResult(index=index, outcome="duplicate",
                                                    item_id=original, duplicate_of=original,
                                                    reason="exact_repeat"))
                ITEMS_DUPLICATES.labels(item.source_kind).inc()
                continue
            for k in keys:
                known[k] = ident
            doc = self._document(item, ident, keys, analysis, now, cid)
            documents.append(doc)
            analysed.append((index, doc, analysis))
        # 3. alerts, counters, and one bulk write of the items with their events
        alerts = self._alerts(analysed, now, cid)
        if documents:
            self._insert_items(documents, outcome, analysed)
        stored_docs = [d for _, d, _ in analysed if d.get("_stored")]
        for d in stored_docs:
            d.pop("_stored", None)
        self._count(stored_docs, now)
        alerts += self._spikes(stored_docs, now, cid)
        outcome.alerts = self._insert_alerts(alerts)
        outcome.results.sort(key=lambda x: x.index)
        return outcome

    def _document(self, item: RawItem, ident: str, keys: list[str], analysis: Any,
                  now: datetime, cid: str | None) -> dict[str, Any]:
        text = " ".join(analysis.text.tokens)
        content_hash = hashlib.sha256(text.encode()).hexdigest()
        published = item.published
        day = local_day_of(published or now)
        topics = [{"topic": t.topic, "confidence": t.confidence, "terms": list(t.terms)}
                  for t in analysis.topics]
        duplicate_of = analysis.duplicate.original_id
        harmful_reasons = [f"{x.signal}:{x.evidence}"[:200] for x in analysis.harmful.reasons]
        doc: dict[str, Any] = {
            "_id": ident, "source_id": item.source_id, "source_kind": item.source_kind,
            "outlet_unit_id": item.outlet_unit_id, "url": item.url, "guid": item.guid,
            "exact_keys": keys, "title": item.title[:c.MAX_TITLE],
            "excerpt": " ".join(item.body.split())[:EXCERPT_CHARS],
            "text": text, "content_hash": content_hash, "published_at": published,
            "fetched_at": now, "day": day.isoformat(), "sort_key": r.sort_key(now, ident),
            "topics": topics, "topic_ids": [t["topic"] for t in topics],
            "place_ids": list(analysis.place_ids), "harmful_score": analysis.harmful.score,
            "harmful_reasons": harmful_reasons, "duplicate_of": duplicate_of,
            "cluster_id": analysis.cluster_id, "jaccard": analysis.duplicate.jaccard,
        }
        events: list[Envelope] = [ItemClassified(
            item_id=ident, source_id=item.source_id, outlet_unit_id=item.outlet_unit_id,
            url=item.url, title=doc["title"] or doc["excerpt"][:100] or ident,
            published_at=published,
            topics=[TopicMatch(topic=t["topic"], confidence=min(1.0, t["confidence"]),
                               terms=t["terms"]) for t in topics],
            place_ids=doc["place_ids"], harmful_score=min(1.0, analysis.harmful.score),
            duplicate_of=duplicate_of, content_hash=content_hash).to_envelope(cid)]
        if item.outlet_unit_id and topics:
            for fact in match_coverage(self.assignments, item_id=ident,
                                       outlet_unit_id=item.outlet_unit_id,
                                       topics=doc["topic_ids"], published=day):
                plan_id = self._plan_of.get(fact.task_id, "")
                events.append(CoverageMatched(
                    item_id=ident, task_id=fact.task_id, plan_id=plan_id,
                    outlet_unit_id=fact.outlet_unit_id, topic=fact.topic, url=item.url,
                    title=doc["title"] or ident, published_at=published or now,
                    content_hash=content_hash).to_envelope(cid))
        doc["coverage_tasks"] = [e.data["task_id"] for e in events[1:]]
        return with_outbox(doc, events)

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

    def _insert_items(self, documents: list[dict[str, Any]], outcome: BatchOutcome,
                      analysed: list[tuple[int, dict[str, Any], Any]]) -> None:
        failed: set[int] = set()
        try:
            self.db[r.ITEMS].insert_many(documents, ordered=False)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                if error.get("code") != 11000:
                    self.rebuild_dedup()
                    raise
                failed.add(int(error["index"]))
        except Exception:
            self.rebuild_dedup()  # forget the batch: a retry must not be taken for a repeat
            raise
        for position, (index, doc, _analysis) in enumerate(analysed):
            kind = doc["source_kind"]
            if position in failed:  # stored concurrently by another worker or replica
                outcome.results.append(c.ItemResult(index=index, outcome="duplicate",
                                                    item_id=doc["_id"], duplicate_of=doc["_id"],
                                                    reason="exact_repeat"))
                ITEMS_DUPLICATES.labels(kind).inc()
                continue
            doc["_stored"] = True
            ITEMS_INGESTED.labels(kind).inc()
            if doc["duplicate_of"]:
                ITEMS_DUPLICATES.labels(kind).inc()
            outcome.results.append(c.ItemResult(index=index, outcome="stored",
                                                item_id=doc["_id"],
                                                duplicate_of=doc["duplicate_of"]))

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
            for error in exc.details.get("writeErrors", []):
                if error.get("code") != 11000:
                    raise
                failed.add(int(error["index"]))
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

