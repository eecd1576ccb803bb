"""Use cases of the monitoring service: plain functions over the database, the ingestion
runtime and the fetcher. The nameko class in service.py only wires them."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.contracts import monitoring as c
from services.contracts.errors import ErrorCode, ServiceError
from services.monitoring import repository as r
from services.monitoring.domain import (
    FeedError,
    TopicClassifier,
    next_poll_interval,
    normalise,
    parse_feed,
    source_health,
)
from services.monitoring.fetching import (
    Fetcher,
    FetchError,
    decode,
    extract_article,
    feed_text,
    looks_like_feed,
)
from services.monitoring.ingest import (
    RawItem,
    Runtime,
    alert_document,
    bump,
    raw_from_push,
    sources_by_id,
    topics_document,
)
from services.monitoring.metrics import ALERTS_RAISED, SOURCE_FETCHES, SOURCES_UNHEALTHY
from services.runtime.logging import correlation_id
from services.runtime.ssrf import UrlNotAllowed, check_url

log = logging.getLogger(__name__)

POLLED_KINDS = ("feed", "page")
LEASE_SECONDS = 120
CLAIM_CANDIDATES = 8  # due sources read per claim, in case another replica leases some first


@dataclass
class Context:
    db: Database
    runtime: Runtime
    fetcher: Fetcher
    now: Callable[[], datetime]
    max_failures: int = 5


def not_found(what: str) -> ServiceError:
    return ServiceError(ErrorCode.NOT_FOUND, f"{what} not found")


# -- sources --------------------------------------------------------------------------------


def upsert_source(req: c.UpsertSourceRequest, ctx: Context) -> c.SourceReply:
    source = req.source
    if source.kind in POLLED_KINDS and not source.url:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, f"a {source.kind} source needs a url",
                           {"errors": [{"loc": ["source", "url"], "msg": "required",
                                        "type": "missing"}]})
    if source.url:
        try:  # the rule every fetch applies, told now rather than at the first poll
            check_url(source.url, ctx.fetcher.allowlist, unresolved_ok=True)
        except UrlNotAllowed as exc:
            raise ServiceError(ErrorCode.VALIDATION_FAILED, f"url not allowed: {exc}", {
                "reason": exc.reason, "errors": [{"loc": ["source", "url"], "type":
                                                  "url_not_allowed",
                                                  "msg": f"not allowed: {exc.reason}"}]}
            ) from None
    now = ctx.now()
    fields = source.model_dump(exclude={"id"})
    existing = ctx.db[r.SOURCES].find_one({"_id": source.id})
    update: dict[str, Any] = {"$set": {**fields, "updated_at": now, "updated_by": req.actor}}
    if existing is None or existing.get("url") != source.url:
        update["$set"].update({"current_interval_seconds": source.poll_interval_seconds,
                               "next_poll_at": now, "etag": None, "last_modified": None})
    update["$setOnInsert"] = {"created_at": now, "healthy": True, "consecutive_failures": 0,
                              "recent_new": [], "items_total": 0}
    ctx.db[r.SOURCES].update_one({"_id": source.id}, update, upsert=True)
    doc = ctx.db[r.SOURCES].find_one({"_id": source.id})
    assert doc is not None
    return r.source_reply(doc)


def get_source(source_id: str, ctx: Context) -> c.SourceReply:
    doc = ctx.db[r.SOURCES].find_one({"_id": source_id})
    if doc is None:
        raise not_found(f"source {source_id}")
    return r.source_reply(doc)


def list_sources(req: c.ListSourcesRequest, ctx: Context) -> c.Page:
    query: dict[str, Any] = {}
    if req.kind:
        query["kind"] = req.kind
    if req.collection:
        query["collections"] = req.collection
    if req.outlet_unit_id:
        query["outlet_unit_id"] = req.outlet_unit_id
    if req.healthy is not None:
        query["healthy"] = req.healthy
    if req.after:
        query["_id"] = {"$gt": req.after}
    rows = list(ctx.db[r.SOURCES].find(query).sort("_id", 1).limit(req.limit + 1))
    more = len(rows) > req.limit
    rows = rows[:req.limit]
    return c.Page(items=[r.source_reply(d) for d in rows],
                  next_cursor=rows[-1]["_id"] if more else None)


# -- polling --------------------------------------------------------------------------------


def claim_due_source(ctx: Context) -> dict[str, Any] | None:
    """Lease one due source, so that two replicas never poll it at once: read the most
    overdue free ones on the `due` index, then lease one by `_id` with the same guard (the
    other replica may have taken it meanwhile: `modified_count` says). No findAndModify and
    no `$or`, which SecantusDB answers with a collection scan."""
    now = ctx.now()
    free = {"lease_until": {"$not": {"$gt": now}}}  # never leased, released (None) or expired
    due = ctx.db[r.SOURCES].find(
        {"enabled": True, "next_poll_at": {"$lte": now}, "kind": {"$in": list(POLLED_KINDS)},
         **free}).sort("next_poll_at", 1).limit(CLAIM_CANDIDATES)
    for source in due:
        lease = now + timedelta(seconds=LEASE_SECONDS)
        leased = ctx.db[r.SOURCES].update_one({"_id": source["_id"], **free},
                                              {"$set": {"lease_until": lease}})
        if leased.modified_count:
            source["lease_until"] = lease
            result: dict[str, Any] = source
            return result
    return None


def poll_source(source: dict[str, Any], ctx: Context) -> c.PollResult:
    """Fetch one source, ingest what is new, and record the outcome; never raises for the
    source's own faults (they are outcomes)."""
    url = str(source["url"])
    headers: dict[str, str] = {}
    if source.get("etag"):
        headers["If-None-Match"] = source["etag"]
    if source.get("last_modified"):
        headers["If-Modified-Since"] = source["last_modified"]
    result = c.PollResult(source_id=source["_id"], outcome="ok")
    validators: dict[str, Any] = {}
    try:
        if not ctx.fetcher.allowed_by_robots(url):
            raise FetchError("robots_disallowed", url)
        response = ctx.fetcher.get(url, headers)
        result.http_status = response.status
        if response.status == 304:
            result.outcome = "not_modified"
        elif response.status >= 400:
            outcome = f"http_{response.status}" if response.status in (404, 410) else "http_error"
            raise FetchError(outcome, f"HTTP {response.status}", response.status)
        else:
            validators = {"etag": response.headers.get("etag"),
                          "last_modified": response.headers.get("last-modified")}
            raw = items_of(source, response, ctx.now())
            result.fetched = len(raw)
            batch = ctx.runtime.ingest(raw, ctx.now())
            result.stored, result.duplicates = batch.stored, batch.duplicates
    except FetchError as exc:
        result.outcome = exc.outcome
        result.detail = exc.detail[:500] or None
        result.http_status = exc.status or result.http_status
    except Exception as exc:  # a bug or the database: recorded, never blocks other sources
        log.exception("poll failed", extra={"source_id": source["_id"]})
        result.outcome, result.detail = "error", f"{type(exc).__name__}: {exc}"[:500]
    SOURCE_FETCHES.labels(result.outcome).inc()
    record_poll(source, result, validators, ctx)
    return result


def items_of(source: dict[str, Any], response: Any, now: datetime) -> list[RawItem | None]:
    base = {"source_id": source["_id"], "source_kind": source["kind"],
            "outlet_unit_id": source.get("outlet_unit_id")}
    if source["kind"] == "feed" or looks_like_feed(response):
        try:
            feed = parse_feed(feed_text(response.body, response.charset), now=now)
        except FeedError as exc:
            raise FetchError("malformed", str(exc)[:300], response.status) from exc
        return [RawItem(title=e.title, body=e.content or e.summary, url=e.link, guid=e.guid,
                        published=e.published, **base) for e in feed.items]
    html = decode(response.body, response.charset)
    article = extract_article(html, response.url, now)
    if article is None:
        raise FetchError("not_article", "no article text found", response.status)
    return [RawItem(title=article.title, body=article.text, url=response.url,
                    published=article.published, **base)]


FAILURES = {"http_404", "http_error", "timeout", "network_error", "refused", "malformed",
            "not_article", "too_large", "robots_disallowed", "too_many_redirects", "error"}


def record_poll(source: dict[str, Any], result: c.PollResult, validators: dict[str, Any],
                ctx: Context) -> None:
    now = ctx.now()
    failures = int(source.get("consecutive_failures", 0))
    recent = list(source.get("recent_new") or [])
    current = float(source.get("current_interval_seconds") or source["poll_interval_seconds"])
    base = float(source["poll_interval_seconds"])
    update: dict[str, Any] = {"last_outcome": result.outcome, "last_polled_at": now,
                              "last_detail": result.detail, "lease_until": None}
    if result.outcome in ("ok", "not_modified"):
        failures = 0
        recent = ([*recent, result.stored])[-6:]
        interval = next_poll_interval(recent, current, minimum=base / 2, maximum=base * 8)
        update.update({k: v for k, v in validators.items() if v})
        if result.stored:
            last = source.get("last_item_at")
            if last is not None:
                gap = (now - last).total_seconds()
                typical = float(source.get("typical_gap_seconds") or gap)
                update["typical_gap_seconds"] = round(0.7 * typical + 0.3 * gap, 1)
            update["last_item_at"] = now
    else:
        failures += 1
        interval = min(current * 2, base * 8)  # back off a failing source
    update.update({"consecutive_failures": failures, "recent_new": recent,
                   "current_interval_seconds": interval,
                   "next_poll_at": now + timedelta(seconds=interval)})
    result.next_poll_at = update["next_poll_at"]
    reason: str | None
    if result.outcome == "http_410":
        healthy, reason = False, "gone (HTTP 410)"
    else:
        health = source_health(consecutive_failures=failures, seconds_since_last_item=None,
                               typical_gap_seconds=None, max_failures=ctx.max_failures)
        healthy, reason = health.healthy, health.reason
        if result.outcome == "refused":
            healthy, reason = False, f"refused: {result.detail}"
    update.update({"healthy": healthy, "health_reason": reason})
    inc = {"items_total": result.stored} if result.stored else {}
    ctx.db[r.SOURCES].update_one({"_id": source["_id"]},
                                 {"$set": update, **({"$inc": inc} if inc else {})})
    if source.get("healthy", True) and not healthy:
        raise_health_alert(source, reason or result.outcome, ctx)
    refresh_unhealthy_gauge(ctx.db)


def raise_health_alert(source: dict[str, Any], reason: str, ctx: Context) -> None:
    now = ctx.now()
    ctx.db[r.SOURCES].update_one({"_id": source["_id"]}, {"$inc": {"unhealthy_transitions": 1}})
    counted = ctx.db[r.SOURCES].find_one({"_id": source["_id"]}, {"unhealthy_transitions": 1})
    count = int((counted or {}).get("unhealthy_transitions") or 1)
    alert_id = f"al-src-{source['_id']}-{count}"
    doc = alert_document(alert_id, "source_health", "warning",
                         f"Nguồn không hoạt động: {source.get('name', source['_id'])}"[:300],
                         now, correlation_id.get(), source_id=source["_id"],
                         reasons=[reason[:300]], evidence=[])
    try:
        ctx.db[r.ALERTS].insert_one(doc)
        ALERTS_RAISED.labels("none", "source_health").inc()
    except DuplicateKeyError:
        pass


def scan_health(ctx: Context) -> int:
    """Mark sources silent beyond their rhythm unhealthy; returns how many became so."""
    now = ctx.now()
    marked = 0
    for source in ctx.db[r.SOURCES].find({"enabled": True, "healthy": True,
                                          "kind": {"$in": list(POLLED_KINDS)},
                                          "typical_gap_seconds": {"$gt": 0}}):
        last = source.get("last_item_at")
        if last is None:
            continue
        health = source_health(consecutive_failures=int(source.get("consecutive_failures", 0)),
                               seconds_since_last_item=(now - last).total_seconds(),
                               typical_gap_seconds=float(source["typical_gap_seconds"]),
                               max_failures=ctx.max_failures)
        if health.healthy:
            continue
        done = ctx.db[r.SOURCES].update_one({"_id": source["_id"], "healthy": True}, {
            "$set": {"healthy": False, "health_reason": health.reason}})
        if done.modified_count:
            raise_health_alert(source, health.reason or "silent", ctx)
            marked += 1
    refresh_unhealthy_gauge(ctx.db)
    return marked


def refresh_unhealthy_gauge(db: Database) -> None:
    SOURCES_UNHEALTHY.set(db[r.SOURCES].count_documents({"enabled": True, "healthy": False}))


# -- items ----------------------------------------------------------------------------------


def push(items: list[c.PushedItem], ctx: Context) -> c.PushResult:
    now = ctx.now()
    sources = sources_by_id(ctx.db, (i.source_id for i in items))
    raw: list[RawItem | None] = []
    reasons: list[str | None] = []
    for item in items:
        converted, reason = raw_from_push(item, sources, now)
        raw.append(converted)
        reasons.append(reason)
    return ctx.runtime.ingest(raw, now, reasons).reply()


def get_item(item_id: str, ctx: Context) -> c.ItemReply:
    doc = ctx.db[r.ITEMS].find_one({"_id": item_id}, {"_outbox": 0})
    if doc is None:
        raise not_found(f"item {item_id}")
    return r.item_reply(doc, with_text=True)


def list_items(req: c.ListItemsRequest, ctx: Context) -> c.Page:
    query: dict[str, Any] = {}
    for field, value in (("topic_ids", req.topic), ("place_ids", req.place_id),
                         ("outlet_unit_id", req.outlet_unit_id), ("source_id", req.source_id),
                         ("cluster_id", req.cluster_id)):
        if value:
            query[field] = value
    if req.date_from or req.date_to:
        query["day"] = {k: v.isoformat() for k, v in (("$gte", req.date_from),
                                                       ("$lte", req.date_to)) if v}
    if req.min_harmful is not None:
        query["harmful_score"] = {"$gte": req.min_harmful}
    if req.originals_only:
        query["duplicate_of"] = None
    if req.text:
        needle = normalise(req.text).text
        if needle:
            query["text"] = {"$regex": re.escape(needle)}
    if req.after:
        query["sort_key"] = {"$lt": req.after}
    rows = list(ctx.db[r.ITEMS].find(query, {"_outbox": 0, "text": 0})
                .sort("sort_key", -1).limit(req.limit + 1))
    rows, cursor = r.page(rows, req.limit)
    return c.Page(items=[r.item_reply(d) for d in rows], next_cursor=cursor)


# -- alerts and rules -----------------------------------------------------------------------


def list_alerts(req: c.ListAlertsRequest, ctx: Context) -> c.Page:
    query: dict[str, Any] = {}
    if req.status:
        query["status"] = req.status
    if req.kind:
        query["kind"] = req.kind
    if req.after:
        query["sort_key"] = {"$lt": req.after}
    rows = list(ctx.db[r.ALERTS].find(query, {"_outbox": 0}).sort("sort_key", -1)
                .limit(req.limit + 1))
    rows, cursor = r.page(rows, req.limit)
    return c.Page(items=[r.alert_reply(d) for d in rows], next_cursor=cursor)


def act_on_alert(req: c.AlertActionRequest, ctx: Context) -> c.AlertReply:
    status = {"acknowledge": "acknowledged", "resolve": "resolved"}[req.action]
    allowed_from = ["open"] if status == "acknowledged" else ["open", "acknowledged"]
    entry = {"action": req.action, "actor": req.actor, "note": req.note, "at": ctx.now()}
    # a guarded update by `_id`, then a read (findAndModify scans the collection on SecantusDB)
    changed = ctx.db[r.ALERTS].update_one(
        {"_id": req.alert_id, "status": {"$in": allowed_from}},
        {"$set": {"status": status}, "$push": {"history": entry}}).modified_count
    doc = ctx.db[r.ALERTS].find_one({"_id": req.alert_id}, {"_outbox": 0})
    if doc is None:
        raise not_found(f"alert {req.alert_id}")
    if not changed and doc["status"] != status:  # else a retried command: same answer
        raise ServiceError(ErrorCode.INVALID_TRANSITION,
                           f"alert is {doc['status']}, cannot {req.action}")
    return r.alert_reply(doc)


def list_alert_rules(ctx: Context) -> list[c.AlertRuleModel]:
    rows = ctx.db[r.ALERT_RULES].find({}, {"updated_at": 0, "updated_by": 0}).sort("_id", 1)
    return [c.AlertRuleModel.model_validate(
        {"id": d["_id"], **{k: v for k, v in d.items() if k != "_id"}}) for d in rows]


def upsert_alert_rule(req: c.UpsertAlertRuleRequest, ctx: Context) -> c.AlertRuleModel:
    rule = req.rule
    fields = rule.model_dump(exclude={"id"})
    ctx.db[r.ALERT_RULES].update_one({"_id": rule.id}, {"$set": {
        **fields, "updated_at": ctx.now(), "updated_by": req.actor}}, upsert=True)
    bump(ctx.db, "rules")
    return rule


def delete_alert_rule(req: c.AlertRuleRef, ctx: Context) -> dict[str, Any]:
    deleted = ctx.db[r.ALERT_RULES].delete_one({"_id": req.rule_id}).deleted_count
    if not deleted:
        raise not_found(f"alert rule {req.rule_id}")
    bump(ctx.db, "rules")
    return {"rule_id": req.rule_id, "deleted": True}


# -- topics ---------------------------------------------------------------------------------


def list_topics(ctx: Context) -> list[c.TopicModel]:
    return [c.TopicModel.model_validate(
        {**{k: v for k, v in d.items() if k not in ("_id", "updated_at", "updated_by")},
         "id": d["_id"]}) for d in ctx.db[r.TOPICS].find().sort("_id", 1)]


def upsert_topic(req: c.UpsertTopicRequest, ctx: Context) -> c.TopicModel:
    topic = req.topic
    spec = topic.model_dump(exclude={"id"}, exclude_none=True)
    candidate = topics_document(ctx.db)
    candidate["topics"][topic.id] = spec
    try:  # refuse a definition the classifier cannot compile
        TopicClassifier.from_data(candidate)
    except ValueError as exc:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, f"invalid topic: {exc}",
                           {"errors": [{"loc": ["topic"], "msg": str(exc)[:300],
                                        "type": "value_error"}]}) from None
    ctx.db[r.TOPICS].replace_one({"_id": topic.id}, {**spec, "updated_at": ctx.now(),
                                                     "updated_by": req.actor}, upsert=True)
    bump(ctx.db, "topics")
    return topic


def delete_topic(req: c.TopicRef, ctx: Context) -> dict[str, Any]:
    if not ctx.db[r.TOPICS].delete_one({"_id": req.topic_id}).deleted_count:
        raise not_found(f"topic {req.topic_id}")
    bump(ctx.db, "topics")
    return {"topic_id": req.topic_id, "deleted": True}


def utc_now() -> datetime:
    return datetime.now(UTC)
