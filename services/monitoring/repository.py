"""MongoDB collections of the monitoring service, their indexes and document <-> reply codecs.

Alerts carry their own events (`_outbox`). Items do not: the events of a chunk of items
travel in one `item_events` document (see ingest.py), because the relay settles every
document it publishes with updates, and on SecantusDB those cost more per item document
than the insert itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from services.contracts import monitoring as c

SOURCES = "sources"
ITEMS = "items"
ITEM_EVENTS = "item_events"  # one outbox document per chunk of ingested items
ALERTS = "alerts"
ALERT_RULES = "alert_rules"
TOPICS = "topics"
ASSIGNMENTS = "assignments"
WATCHED_PLANS = "watched_plans"
COUNTS = "counts"  # one document per day: topic, place and outlet|topic coverage counters
STATE = "state"

OUTBOX_COLLECTIONS = [ITEM_EVENTS, ALERTS]
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def ensure_indexes(db: Database) -> None:
    items = db[ITEMS]
    items.create_index("exact_keys", name="exact_keys")
    # Few indexes on purpose: every index is paid on each of thousands of inserts a minute
    # (each costs ~10% of an item insert on SecantusDB). topic/place/outlet filters of
    # list_items walk the sort_key index, and so does the dedup rebuild (sort keys begin with
    # the fetch time, then the arrival order within the batch).
    items.create_index([("sort_key", DESCENDING)], name="sort_key")
    db[SOURCES].create_index([("enabled", ASCENDING), ("next_poll_at", ASCENDING)], name="due")
    db[ALERTS].create_index([("status", ASCENDING), ("sort_key", DESCENDING)], name="status")
    db[ASSIGNMENTS].create_index("unit_id", name="unit")
    db[ASSIGNMENTS].create_index("plan_id", name="plan")
    db[ASSIGNMENTS].create_index("task_id", name="task")
    db[COUNTS].create_index("day", name="day")


def now_utc() -> datetime:
    return datetime.now(UTC)


def local_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


def sort_key(moment: datetime, ident: str, arrival: int | None = None) -> str:
    """Newest-first listing key; `arrival` (the position in a batch, whose items share one
    fetch time) keeps a batch's items in the order they came."""
    if arrival is None:
        return f"{time_key(moment)}:{ident}"
    return f"{time_key(moment)}:{arrival:05d}:{ident}"


def time_key(moment: datetime) -> str:
    """The prefix of sort keys (milliseconds, fixed width): a range bound on them."""
    return f"{int(moment.timestamp() * 1000):014d}"


def page(rows: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], str | None]:
    if len(rows) > limit:
        return rows[:limit], str(rows[limit - 1]["sort_key"])
    return rows, None


# -- codecs ---------------------------------------------------------------------------------


def source_reply(doc: dict[str, Any]) -> c.SourceReply:
    return c.SourceReply.model_validate({**doc, "id": doc["_id"]})


def item_reply(doc: dict[str, Any], with_text: bool = False) -> c.ItemReply:
    return c.ItemReply(
        id=doc["_id"], source_id=doc.get("source_id"), source_kind=doc["source_kind"],
        outlet_unit_id=doc.get("outlet_unit_id"), url=doc.get("url"), guid=doc.get("guid"),
        title=doc["title"], excerpt=doc.get("excerpt", ""),
        published_at=doc.get("published_at"), day=date.fromisoformat(doc["day"]),
        fetched_at=doc["fetched_at"],
        topics=[c.TopicHit.model_validate(t) for t in doc.get("topics", [])],
        place_ids=doc.get("place_ids", []), harmful_score=doc.get("harmful_score", 0.0),
        harmful_reasons=doc.get("harmful_reasons", []), duplicate_of=doc.get("duplicate_of"),
        cluster_id=doc["cluster_id"], content_hash=doc["content_hash"],
        normalised_text=doc.get("text") if with_text else None)


def alert_reply(doc: dict[str, Any]) -> c.AlertReply:
    return c.AlertReply.model_validate({**doc, "id": doc["_id"]})
