"""Items: the `items` collection, the document of an analysed item, and the events derived
from a stored item alone (the staged-events sweep rebuilds them from what was stored).

Items are written by the ingestion in bulk (`insert_chunk`, at once: not through a unit of
work), their events staged in `item_events` (services/runtime/staged_events.py) rather than
carried by each item, because the relay settles every document it publishes with updates,
and on SecantusDB those cost more per item document than the insert itself."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError

from services.contracts import monitoring
from services.contracts.envelope import Envelope
from services.contracts.events.monitoring import CoverageMatched, Evidence, ItemClassified
from services.monitoring.domain import Analysis, RawItem, TopicMatch
from services.monitoring.domain.model import ModelScores
from services.monitoring.repositories.paging import HIDDEN, filters, newest_first, sort_key
from services.runtime.mongo import refused_as_duplicates
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.staged_events import Publish, StagedEvents, time_key
from services.runtime.unit_of_work import Repository

ITEMS = "items"
ITEM_EVENTS = "item_events"  # one staged (then outbox) document per chunk of ingested items
EXCERPT_CHARS = 300


class Recent(NamedTuple):
    """What the dedup index keeps of a stored item."""

    id: str
    text: str
    url: str | None
    guid: str | None
    seen_at: float


def excerpt_of(body: str) -> str:
    """The body's first `EXCERPT_CHARS` characters, whitespace collapsed; a long body's
    beginning is enough (collapsing it is a prefix of collapsing the whole)."""
    head = " ".join(body[:EXCERPT_CHARS * 2].split())
    if len(head) >= EXCERPT_CHARS or len(body) <= EXCERPT_CHARS * 2:
        return head[:EXCERPT_CHARS]
    return " ".join(body.split())[:EXCERPT_CHARS]


def topic_hits(matches: Sequence[TopicMatch], thresholds: Mapping[str, float],
               model: ModelScores | None = None) -> list[dict[str, Any]]:
    """Stored topic verdicts: score (`confidence`), matched terms and rules, the threshold,
    and the learned model's probability and strongest features when it ran."""
    hits = []
    for t in matches:
        hit = {"topic": t.topic, "confidence": t.confidence, "terms": list(t.terms),
               "rules": list(t.rules), "threshold": thresholds.get(t.topic)}
        learned = model.get(t.topic) if model is not None else None
        if model is not None and learned is not None:
            hit["model"] = {"version": model.version,
                            "probability": learned.probability,
                            "threshold": learned.threshold, "features": list(learned.reasons)}
        hits.append(hit)
    return hits


def topic_hit(stored: dict[str, Any], assigned: bool) -> monitoring.TopicHit:
    terms = stored.get("terms") or []
    score = min(1.0, stored["confidence"])
    return monitoring.TopicHit(
        topic=stored["topic"], confidence=stored["confidence"], terms=terms, score=score,
        threshold=stored.get("threshold"), assigned=assigned,
        reasons=[f"term:{t}" for t in terms] + [f"rule:{r}" for r in stored.get("rules") or []]
        + [f"model:{f}" for f in (stored.get("model") or {}).get("features") or []])


def harmful_score_and_threshold(doc: dict[str, Any]) -> tuple[float, float]:
    """The stored harmful score and the threshold it was judged by; items stored before the
    threshold was kept are judged by the default."""
    return (min(1.0, doc.get("harmful_score") or 0.0),
            doc.get("harmful_threshold", monitoring.DEFAULT_HARMFUL_THRESHOLD))


def harmful_verdict(doc: dict[str, Any]) -> monitoring.HarmfulVerdict:
    """From the stored score, reasons and threshold."""
    score, threshold = harmful_score_and_threshold(doc)
    signals = doc.get("harmful_signals")
    if signals is None:
        signals = [dict(zip(("signal", "evidence"), reason.split(":", 1), strict=False))
                   for reason in doc.get("harmful_reasons") or []]
    return monitoring.HarmfulVerdict(
        flag=score >= threshold, score=score, threshold=threshold,
        reasons=[monitoring.HarmfulReason.model_validate(s) for s in signals])


def item_document(item: RawItem, ident: str, keys: list[str], analysis: Analysis,
                  day: date, now: datetime, arrival: int, events_id: str,
                  coverage: list[dict[str, str]]) -> dict[str, Any]:
    """The stored item: its normalised text and content hash (the evidence snapshot), topics,
    places, harmful score and reasons, cluster, and the (task, topic) pairs it is evidence
    for; `events_id`, its staged events document."""
    text = " ".join(analysis.text.tokens)
    return {
        "_id": ident, "source_id": item.source_id, "source_kind": item.source_kind,
        "channel": item.channel, "outlet_unit_id": item.outlet_unit_id, "url": item.url,
        "guid": item.guid,
        "exact_keys": keys, "title": item.title[:monitoring.MAX_TITLE],
        "excerpt": excerpt_of(item.body),
        "text": text, "content_hash": hashlib.sha256(text.encode()).hexdigest(),
        "published_at": item.published, "fetched_at": now, "day": day.isoformat(),
        "sort_key": sort_key(now, ident, arrival),
        "topics": topic_hits(analysis.topics, analysis.thresholds, analysis.model),
        "topic_candidates": topic_hits(analysis.candidates, analysis.thresholds,
                                       analysis.model),
        "topic_ids": [t.topic for t in analysis.topics], "place_ids": list(analysis.place_ids),
        "harmful_score": analysis.harmful.score,
        "harmful_threshold": analysis.harmful_threshold,
        "harmful_signals": [{"signal": x.signal, "kind": x.kind, "evidence": x.evidence[:200],
                             "weight": x.weight} for x in analysis.harmful.reasons],
        "harmful_reasons": [f"{x.signal}:{x.evidence}"[:200] for x in analysis.harmful.reasons],
        "duplicate_of": analysis.duplicate.original_id, "cluster_id": analysis.cluster_id,
        "story_of": analysis.story.origin if analysis.story else None,
        "story_reasons": list(analysis.story.reasons) if analysis.story else [],
        "jaccard": analysis.duplicate.jaccard, "coverage_matches": coverage,
        "event_batch": events_id,
    }


def event_id_for(*parts: str) -> str:
    """An event id derived from what the event announces: released twice, it is one event."""
    return hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


def item_events(doc: dict[str, Any], cid: str | None) -> list[Envelope]:
    """The events announcing a stored item, from its document alone: `item_classified`, and
    `coverage_matched` per (task, topic) the item is evidence for."""
    ident = doc["_id"]
    at = doc["fetched_at"]
    title = doc["title"] or ident
    topics = doc.get("topics") or []
    harmful_score, harmful_threshold = harmful_score_and_threshold(doc)
    # one validation by pydantic-core for the event and its topic matches
    events = [ItemClassified.model_validate({
        "item_id": ident, "source_id": doc.get("source_id"),
        "outlet_unit_id": doc.get("outlet_unit_id"), "url": doc.get("url"),
        "title": doc["title"] or doc.get("excerpt", "")[:100] or ident,
        "published_at": doc.get("published_at"),
        "topics": [{"topic": t["topic"], "confidence": min(1.0, t["confidence"]),
                    "terms": t["terms"]} for t in topics],
        "place_ids": doc.get("place_ids") or [],
        "harmful_score": harmful_score, "harmful": harmful_score >= harmful_threshold,
        "harmful_threshold": harmful_threshold,
        "channel": doc.get("channel"), "cluster_id": doc.get("cluster_id"),
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


def evidence_of(doc: dict[str, Any]) -> dict[str, Any]:
    """An alert's evidence: what identifies the item as it was stored."""
    return Evidence(item_id=doc["_id"], url=doc.get("url"), title=doc["title"] or doc["_id"],
                    excerpt=doc.get("excerpt", "")[:EXCERPT_CHARS],
                    content_hash=doc["content_hash"]).model_dump(mode="json")


def item_reply(doc: dict[str, Any], with_text: bool = False) -> monitoring.ItemReply:
    return monitoring.ItemReply(
        id=doc["_id"], source_id=doc.get("source_id"), source_kind=doc["source_kind"],
        channel=doc.get("channel"), outlet_unit_id=doc.get("outlet_unit_id"), url=doc.get("url"),
        guid=doc.get("guid"),
        title=doc["title"], excerpt=doc.get("excerpt", ""),
        published_at=doc.get("published_at"), day=date.fromisoformat(doc["day"]),
        fetched_at=doc["fetched_at"],
        topics=[topic_hit(t, True) for t in doc.get("topics", [])],
        topic_candidates=[topic_hit(t, False) for t in doc.get("topic_candidates") or []],
        place_ids=doc.get("place_ids", []), harmful=harmful_verdict(doc),
        harmful_score=doc.get("harmful_score", 0.0),
        harmful_reasons=doc.get("harmful_reasons", []), duplicate_of=doc.get("duplicate_of"),
        cluster_id=doc["cluster_id"], story_of=doc.get("story_of"),
        story_reasons=doc.get("story_reasons") or [], content_hash=doc["content_hash"],
        normalised_text=doc.get("text") if with_text else None)


class ItemsRepository(InDatabase, Repository):
    stored_in = ITEMS
    # Few indexes on purpose: every index is paid on each of thousands of inserts a minute
    # (each costs ~10% of an item insert on SecantusDB). topic/place/outlet filters of
    # list_items walk the sort_key index, and so does the dedup rebuild (sort keys begin with
    # the fetch time, then the arrival order within the batch).
    indexes = (Index(ITEMS, "exact_keys", (("exact_keys", ASCENDING),)),
               Index(ITEMS, "sort_key", (("sort_key", DESCENDING),)))

    # -- reads ------------------------------------------------------------------------------

    def exists(self, item_id: str) -> bool:
        return self._records.find_one({"_id": item_id}, {"_id": 1}) is not None

    def reply(self, item_id: str) -> monitoring.ItemReply | None:
        doc = self._records.find_one({"_id": item_id}, HIDDEN)
        return None if doc is None else item_reply(doc, with_text=True)

    def page(self, request: monitoring.ListItemsRequest, needle: str | None
             ) -> tuple[list[monitoring.ItemReply], str | None]:
        """Newest first; `needle`, a substring of the normalised text (not `$text`, so it
        runs on MongoDB and SecantusDB alike)."""
        query = filters(("topic_ids", request.topic), ("place_ids", request.place_id),
                        ("outlet_unit_id", request.outlet_unit_id),
                        ("source_id", request.source_id), ("channel", request.channel),
                        ("cluster_id", request.cluster_id))
        if request.date_from or request.date_to:
            query["day"] = {k: v.isoformat() for k, v in (("$gte", request.date_from),
                                                           ("$lte", request.date_to)) if v}
        if request.min_harmful is not None:
            query["harmful_score"] = {"$gte": request.min_harmful}
        if request.originals_only:
            query["duplicate_of"] = None
        if needle:
            query["text"] = {"$regex": re.escape(needle)}
        rows, cursor = newest_first(self._records, query, request.after, request.limit,
                                    {**HIDDEN, "text": 0})
        return [item_reply(d) for d in rows], cursor

    def stored_keys(self, keys: list[str]) -> dict[str, str]:
        """Exact keys that stored items have already: key -> item id (one read a batch)."""
        known: dict[str, str] = {}
        if keys:
            for doc in self._records.find({"exact_keys": {"$in": keys}}, {"exact_keys": 1}):
                for key in doc.get("exact_keys") or []:
                    known[key] = doc["_id"]
        return known

    def recent(self, since: datetime) -> Iterator[Recent]:
        """The items fetched since then, in arrival order (by sort key: fetch time, then the
        position in the batch)."""
        for doc in self._records.find({"sort_key": {"$gte": time_key(since)}},
                                    {"text": 1, "url": 1, "guid": 1, "fetched_at": 1}
                                    ).sort("sort_key", 1):
            yield Recent(doc["_id"], str(doc.get("text") or ""), doc.get("url"),
                         doc.get("guid"), doc["fetched_at"].timestamp())

    # -- the ingestion's bulk writes --------------------------------------------------------

    def insert_chunk(self, documents: Sequence[dict[str, Any]]) -> set[str]:
        """Store a chunk of items at once; returns the ids refused as stored already (by
        another worker or replica meanwhile)."""
        if not documents:
            return set()
        try:
            self._records.insert_many(documents, ordered=False)
        except BulkWriteError as exc:
            return {documents[i]["_id"] for i in refused_as_duplicates(exc)}
        return set()

    def staged_events(self, publish: Publish | None) -> StagedEvents:
        """The staged events of items: what the sweep rebuilds comes from the stored items of
        a staged chunk."""
        def rebuild(item_ids: list[str], staged_id: str, cid: str | None) -> list[Envelope]:
            stored = self._records.find({"_id": {"$in": item_ids}, "event_batch": staged_id},
                                      {"text": 0})
            return [event for item in stored for event in item_events(item, cid)]

        return StagedEvents(self._collection(ITEM_EVENTS), rebuild, publish)
