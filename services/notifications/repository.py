"""MongoDB documents of the notifications service and their mapping to the domain.

Collections (ids are natural keys, so a replayed write is a no-op):
  recipients    _id unit id
  notices       _id notice id (derived from the triggering event's natural key)
  deliveries    _id idempotency key (notice, unit, channel, language): exactly once
  translations  _id "<notice>:<language>"
  acks          _id "<notice>:<unit>"
  reads         _id "<notice>:<unit>" (first read of a notice by a unit)
  escalations   _id step key "esc:<notice>:<unit>:<step>"
  channels      _id channel name (provider configuration as data)
  templates     _id "<kind>:<language>" (saved overrides of the default files)
  config        _id "escalation"
  dispatch_log  one document per sent batch: results + events, applied to deliveries
Events are stored with the change in the same document (`_outbox`).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.cursor import Cursor
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.notifications.domain.delivery import (
    Attempt,
    AttemptOutcome,
    Delivery,
    DeliveryStatus,
    HoldReason,
)
from services.notifications.domain.notices import (
    Notice,
    NoticeKind,
    NoticeStatus,
    Priority,
    TranslationPolicy,
)
from services.notifications.domain.preferences import (
    Channel,
    Contact,
    DigestSettings,
    FormerName,
    QuietHours,
    RecipientPreferences,
    RecipientUnit,
)
from services.notifications.domain.templates import TemplateSet
from services.notifications.domain.translations import TranslationStatus, TranslationTask
from services.runtime.mongo import keyset_after, refused_as_duplicates
from services.runtime.outbox import merge_updates, outbox_push, with_outbox

RECIPIENTS = "recipients"
NOTICES = "notices"
DELIVERIES = "deliveries"
TRANSLATIONS = "translations"
ACKS = "acks"
ESCALATIONS = "escalations"
CHANNELS = "channels"
TEMPLATES = "templates"
CONFIG = "config"
DISPATCH_LOG = "dispatch_log"
KNOWN_PLANS = "known_plans"
READS = "reads"

OUTBOX_COLLECTIONS = [NOTICES, DELIVERIES, TRANSLATIONS, ACKS, ESCALATIONS, DISPATCH_LOG]

# A notice without its pending events (the outbox's fields).
NOTICE_PROJECTION = {"_outbox": 0, "_outbox_pending": 0, "_outbox_lease": 0}

SENDING = "sending"  # claimed by a dispatcher, network call in progress (not a domain state)


def ensure_indexes(db: Database) -> None:
    db[DELIVERIES].create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)],
                                name="due")
    db[DELIVERIES].create_index([("notice_id", ASCENDING)], name="notice")
    # Claims are re-read by `_id`s and token: an index on the token was one more entry to
    # rewrite on every claim and outcome (SecantusDB rewrites all of a document's entries).
    if "claim" in db[DELIVERIES].index_information():
        db[DELIVERIES].drop_index("claim")
    db[DISPATCH_LOG].create_index([("applied", ASCENDING), ("lease_until", ASCENDING)],
                                  name="unapplied")
    db[DISPATCH_LOG].create_index([("claims", ASCENDING)], name="claims")
    db[DELIVERIES].create_index([("unit_id", ASCENDING), ("created_at", DESCENDING)],
                                name="unit")
    db[DELIVERIES].create_index([("provider_message_id", ASCENDING)], sparse=True,
                                name="provider_message")
    db[NOTICES].create_index([("recipients", ASCENDING)], name="recipients")
    db[NOTICES].create_index([("plan_id", ASCENDING)], name="plan")
    db[NOTICES].create_index([("created_at", DESCENDING)], name="newest")
    db[NOTICES].create_index([("escalation_open", ASCENDING), ("ack_deadline", ASCENDING)],
                             sparse=True, name="escalation_open")
    db[NOTICES].create_index([("translation_hold_open", ASCENDING),
                              ("translation_deadline", ASCENDING)],
                             sparse=True, name="translation_hold")
    db[TRANSLATIONS].create_index([("status", ASCENDING)], name="status")
    db[ACKS].create_index([("notice_id", ASCENDING)], name="notice")
    db[ESCALATIONS].create_index([("notice_id", ASCENDING)], name="notice")
    db[RECIPIENTS].create_index([("groups", ASCENDING)], name="groups")


# --- recipients ------------------------------------------------------------------------------

def _hm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def recipient_to_domain(doc: dict[str, Any]) -> RecipientUnit:
    prefs = doc.get("preferences") or {}
    known = {c.value for c in Channel}
    order = tuple(Channel(c) for c in prefs.get("channel_order") or [] if c in known)
    quiet = prefs.get("quiet_hours")
    digest_at = prefs.get("digest_at")
    preferences = RecipientPreferences(
        **({"channel_order": order} if order else {}),
        quiet_hours=QuietHours(_hm(quiet["start"]), _hm(quiet["end"])) if quiet else None,
        digest=DigestSettings(_hm(digest_at)) if digest_at else None,
    )
    contacts = tuple(
        Contact(Channel(c["channel"]), str(c.get("address") or ""), bool(c.get("active", True)))
        for c in doc.get("contacts") or [] if c.get("channel") in known)
    return RecipientUnit(unit_id=doc["_id"], name=doc.get("name") or doc["_id"],
                         contacts=contacts, preferences=preferences,
                         languages=tuple(doc.get("languages") or ["vi"]),
                         parent_id=doc.get("parent_id"),
                         valid_from=_day(doc.get("valid_from")),
                         valid_to=_day(doc.get("valid_to")),
                         former_names=tuple(FormerName(f["name"], date.fromisoformat(f["until"]))
                                            for f in doc.get("former_names") or []))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# --- notices ---------------------------------------------------------------------------------

def notice_to_domain(doc: dict[str, Any]) -> Notice:
    return Notice(
        id=doc["_id"], kind=NoticeKind(doc["kind"]), subject=doc["subject"], body=doc["body"],
        priority=Priority(doc["priority"]), created_at=doc["created_at"],
        recipients=tuple(doc["recipients"]), plan_id=doc.get("plan_id"),
        task_id=doc.get("task_id"), ack_deadline=doc.get("ack_deadline"),
        expires_at=doc.get("expires_at"),
        translation_policy=TranslationPolicy(doc.get("translation_policy", "vi_first")),
        translation_deadline=doc.get("translation_deadline"),
        status=NoticeStatus(doc.get("status", "approved")),
        variables=dict(doc.get("variables") or {}))


def notice_document(notice: Notice, **extra: Any) -> dict[str, Any]:
    return {
        "_id": notice.id, "kind": notice.kind.value, "subject": notice.subject,
        "body": notice.body, "priority": notice.priority.value,
        "priority_rank": notice.priority.rank, "created_at": notice.created_at,
        "recipients": list(notice.recipients), "plan_id": notice.plan_id,
        "task_id": notice.task_id, "ack_deadline": notice.ack_deadline,
        "expires_at": notice.expires_at,
        "translation_policy": notice.translation_policy.value,
        "translation_deadline": notice.translation_deadline, "status": notice.status.value,
        "variables": dict(notice.variables), **extra}


# --- deliveries ------------------------------------------------------------------------------

def delivery_document(delivery: Delivery, **extra: Any) -> dict[str, Any]:
    doc = delivery_fields(delivery)
    doc.update(_id=delivery.key, notice_id=delivery.notice_id, unit_id=delivery.unit_id,
               channel=delivery.channel.value, language=delivery.language,
               address=delivery.address,
               fallback_channels=[c.value for c in delivery.fallback_channels],
               expires_at=delivery.expires_at, awaits_report=delivery.awaits_report,
               created_at=delivery.updated_at, **extra)
    if delivery.hold_reason is not None:
        doc["hold_reason"] = delivery.hold_reason.value
    return doc


def delivery_fields(delivery: Delivery) -> dict[str, Any]:
    """The fields an attempt or a report changes."""
    fields = {
        "status": delivery.status.value,
        "attempts": [{"number": a.number, "at": a.at, "outcome": a.outcome.value,
                      "reason": a.reason, "provider_message_id": a.provider_message_id}
                     for a in delivery.attempts],
        "next_attempt_at": delivery.next_attempt_at,
        "failure_reason": delivery.failure_reason,
        "fallback_channel": delivery.fallback_channel.value if delivery.fallback_channel else None,
        "updated_at": delivery.updated_at,
    }
    # Stored only once known (a provider's answer; it is never taken back): a null would be
    # an entry of the sparse `provider_message` index, rewritten with every write of every
    # delivery (measured on SecantusDB: writes of 100 deliveries 40% faster without it).
    if delivery.provider_message_id is not None:
        fields["provider_message_id"] = delivery.provider_message_id
    return fields


def delivery_to_domain(doc: dict[str, Any]) -> Delivery:
    status = doc["status"]
    if status == SENDING:  # claimed: the state it was claimed from
        status = (DeliveryStatus.RETRYING if doc.get("attempts")
                  else DeliveryStatus.PENDING).value
    return Delivery(
        key=doc["_id"], notice_id=doc["notice_id"], unit_id=doc["unit_id"],
        channel=Channel(doc["channel"]), language=doc["language"], address=doc["address"],
        fallback_channels=tuple(Channel(c) for c in doc.get("fallback_channels") or []),
        status=DeliveryStatus(status),
        attempts=tuple(Attempt(a["number"], a["at"], AttemptOutcome(a["outcome"]),
                               a.get("reason"), a.get("provider_message_id"))
                       for a in doc.get("attempts") or []),
        next_attempt_at=doc.get("next_attempt_at"), expires_at=doc.get("expires_at"),
        provider_message_id=doc.get("provider_message_id"),
        failure_reason=doc.get("failure_reason"),
        fallback_channel=Channel(doc["fallback_channel"]) if doc.get("fallback_channel")
        else None,
        awaits_report=bool(doc.get("awaits_report")), updated_at=doc.get("updated_at"),
        hold_reason=HoldReason(doc["hold_reason"]) if doc.get("hold_reason") else None,
        resends=int(doc.get("resends") or 0))


# --- translations ----------------------------------------------------------------------------

def translation_id(notice_id: str, language: str) -> str:
    return f"{notice_id}:{language}"


def translation_to_domain(doc: dict[str, Any]) -> TranslationTask:
    return TranslationTask(
        notice_id=doc["notice_id"], language=doc["language"], requested_at=doc["requested_at"],
        status=TranslationStatus(doc["status"]), subject=doc.get("subject", ""),
        body=doc.get("body", ""), translator_id=doc.get("translator_id"),
        reviewer_id=doc.get("reviewer_id"), rejection_reason=doc.get("rejection_reason"),
        revision=int(doc.get("revision", 0)), updated_at=doc.get("updated_at"))


def translation_fields(task: TranslationTask) -> dict[str, Any]:
    return {"notice_id": task.notice_id, "language": task.language,
            "requested_at": task.requested_at, "status": task.status.value,
            "subject": task.subject, "body": task.body, "translator_id": task.translator_id,
            "reviewer_id": task.reviewer_id, "rejection_reason": task.rejection_reason,
            "revision": task.revision, "updated_at": task.updated_at}


def public(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored document without internal fields, `_id` as `id`."""
    if doc is None:
        return None
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    out["id"] = doc["_id"]
    return out



# --- named queries and writes of the use cases -----------------------------------------------
# (What the use cases in `use_cases/` read and write; the older modules still hold some of
# their queries themselves.)

# A delivery without its message: what planning and status lists need.
WITHOUT_MESSAGE = {"subject": 0, "text": 0, "html": 0, "_outbox": 0}


def translations_of_notice(db: Database, notice_id: str) -> list[TranslationTask]:
    return [translation_to_domain(t) for t in db[TRANSLATIONS].find({"notice_id": notice_id})]


def planned_deliveries(db: Database, notice_id: str) -> list[Delivery]:
    """Every delivery of a notice (held ones included), without the messages."""
    return [delivery_to_domain(d) for d in db[DELIVERIES].find({"notice_id": notice_id},
                                                               WITHOUT_MESSAGE)]


def insert_new_deliveries(db: Database, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert what does not exist yet (the `_id` is the delivery key); returns the documents
    inserted."""
    if not docs:
        return []
    try:
        db[DELIVERIES].insert_many(docs, ordered=False)
        return docs
    except BulkWriteError as exc:
        existing = refused_as_duplicates(exc)
        return [d for i, d in enumerate(docs) if i not in existing]


def release_held_deliveries(db: Database, releases: list[tuple[str, dict[str, Any]]]) -> int:
    """Held deliveries made due, each with its message: one round trip; one already released
    (a concurrent approval, a re-run) is left alone."""
    if not releases:
        return 0
    operations = [UpdateOne({"_id": key, "status": DeliveryStatus.HELD.value},
                            {"$set": fields, "$unset": {"hold_reason": ""}})
                  for key, fields in releases]
    return db[DELIVERIES].bulk_write(operations, ordered=False).modified_count


def record_unreachable(db: Database, notice_id: str, unreachable: list[dict[str, Any]],
                       unsupported: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Add the recipients the notice could not reach (each once) and the audience languages
    with no translation workflow; returns the entries new to the notice."""
    if not unreachable and not unsupported:
        return []
    current = db[NOTICES].find_one({"_id": notice_id}, {"unreachable": 1}) or {}
    known = {(u["unit_id"], u["reason"]) for u in current.get("unreachable") or []}
    fresh = [u for u in unreachable if (u["unit_id"], u["reason"]) not in known]
    update: dict[str, Any] = {}
    if fresh:
        update["$push"] = {"unreachable": {"$each": fresh}}
    if unsupported:
        update["$set"] = {f"unsupported_languages.{k}": v for k, v in unsupported.items()}
    if update:
        db[NOTICES].update_one({"_id": notice_id}, update)
    return fresh


def saved_templates(db: Database) -> list[TemplateSet]:
    return [TemplateSet(NoticeKind(row["kind"]), row["language"], row["subject"], row["text"],
                        row.get("html")) for row in db[TEMPLATES].find()]


def notices_past_translation_deadline(db: Database, now: datetime, limit: int = 100
                                      ) -> list[dict[str, Any]]:
    """Notices under policy wait whose translation deadline passed and whose held Vietnamese
    copies were not released for it yet (the `translation_hold` index)."""
    return list(db[NOTICES].find({"translation_hold_open": True,
                                  "translation_deadline": {"$lte": now}}, limit=limit))


def close_translation_hold(db: Database, notice_id: str, now: datetime) -> None:
    db[NOTICES].update_one({"_id": notice_id, "translation_hold_open": True},
                           {"$set": {"translation_hold_open": False,
                                     "translation_hold_closed_at": now}})


def insert_translation_task(db: Database, task: TranslationTask, events: list[Any]) -> bool:
    """A new translation task with its events; False when the notice has it already."""
    doc = with_outbox({"_id": translation_id(task.notice_id, task.language),
                       **translation_fields(task)}, events)
    try:
        db[TRANSLATIONS].insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


def translation_backlog(db: Database) -> int:
    """Translations waiting for a translator or a reviewer."""
    return db[TRANSLATIONS].count_documents(
        {"status": {"$in": [TranslationStatus.REQUESTED.value,
                            TranslationStatus.SUBMITTED.value]}})


def find_translation(db: Database, notice_id: str, language: str) -> TranslationTask | None:
    row = db[TRANSLATIONS].find_one({"_id": translation_id(notice_id, language)})
    return translation_to_domain(row) if row is not None else None


def save_translation(db: Database, before: TranslationTask, after: TranslationTask,
                     events: list[Any]) -> bool:
    """Write the task's new state if nobody changed it since `before` was read."""
    update: dict[str, Any] = {"$set": translation_fields(after)}
    if events:
        update = merge_updates(update, outbox_push(events))
    result = db[TRANSLATIONS].update_one(
        {"_id": translation_id(before.notice_id, before.language),
         "status": before.status.value, "revision": before.revision}, update)
    return result.matched_count == 1


def translation_rows(db: Database, *, status: str | None, language: str | None,
                     notice_id: str | None, limit: int,
                     after: str | None = None) -> list[dict[str, Any]]:
    """Translation tasks, oldest request first (then by id), as stored (without their
    events); `after` is the id of the last row of the previous page."""
    query: dict[str, Any] = {}
    for name, value in (("status", status), ("language", language), ("notice_id", notice_id)):
        if value:
            query[name] = value
    if after:
        query.update(keyset_after(db[TRANSLATIONS], after, "requested_at"))
    return list(db[TRANSLATIONS].find(query, {"_outbox": 0, "_outbox_pending": 0})
                .sort([("requested_at", 1), ("_id", 1)]).limit(limit))


def notices_newest_first(db: Database, query: dict[str, Any],
                         after: str | None) -> Cursor[dict[str, Any]]:
    """Notices newest first by creation (their ids are hashes, in no order of time); `after`
    is the id of the last notice of the previous page."""
    if after:
        query = {**query, **keyset_after(db[NOTICES], after, "created_at", newest_first=True)}
    return db[NOTICES].find(query, NOTICE_PROJECTION).sort(
        [("created_at", DESCENDING), ("_id", DESCENDING)])


def find_notice(db: Database, notice_id: str) -> dict[str, Any] | None:
    return db[NOTICES].find_one({"_id": notice_id}, NOTICE_PROJECTION)


def notices_by_id(db: Database, notice_ids: list[str]) -> dict[str, dict[str, Any]]:
    return {n["_id"]: n for n in db[NOTICES].find({"_id": {"$in": notice_ids}},
                                                  NOTICE_PROJECTION)}


# --- per-recipient status --------------------------------------------------------------------

def delivery_rows(db: Database, *, notice_id: str | None, unit_ids: list[str] | None,
                  channel: str | None, status: str | None, language: str | None,
                  after: str | None, limit: int) -> list[dict[str, Any]]:
    """Deliveries by `_id` (the cursor), without their messages; `limit` + 1 to tell whether
    a next page exists."""
    query: dict[str, Any] = {}
    if notice_id:
        query["notice_id"] = notice_id
    if unit_ids is not None:
        query["unit_id"] = unit_ids[0] if len(unit_ids) == 1 else {"$in": unit_ids}
    for name, value in (("channel", channel), ("status", status), ("language", language)):
        if value:
            query[name] = value
    if after:
        query["_id"] = {"$gt": after}
    return list(db[DELIVERIES].find(query, {**WITHOUT_MESSAGE, "_outbox_pending": 0})
                .sort("_id", 1).limit(limit + 1))


def delivery_counts(db: Database, notice_id: str, unit_ids: list[str] | None = None
                    ) -> dict[str, int]:
    query: dict[str, Any] = {"notice_id": notice_id}
    if unit_ids is not None:
        query["unit_id"] = {"$in": unit_ids}
    counts: dict[str, int] = {}
    for row in db[DELIVERIES].find(query, {"status": 1}):
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


def receipts_of(db: Database, keys: list[str]) -> tuple[dict[str, dict[str, Any]],
                                                        dict[str, dict[str, Any]]]:
    """Acknowledgements and reads by their key "<notice>:<unit>"."""
    if not keys:
        return {}, {}
    acks = {a["_id"]: a for a in db[ACKS].find({"_id": {"$in": keys}}, {"_outbox": 0})}
    reads = {r["_id"]: r for r in db[READS].find({"_id": {"$in": keys}})}
    return acks, reads


def find_delivery(db: Database, delivery_id: str) -> Delivery | None:
    doc = db[DELIVERIES].find_one({"_id": delivery_id}, WITHOUT_MESSAGE)
    return delivery_to_domain(doc) if doc is not None else None


def delivery_row(db: Database, delivery_id: str) -> dict[str, Any] | None:
    return db[DELIVERIES].find_one({"_id": delivery_id}, {**WITHOUT_MESSAGE,
                                                          "_outbox_pending": 0})


def save_resend(db: Database, before: Delivery, after: Delivery, actor: str) -> bool:
    """A delivery sent once more, if nothing changed it since it was read."""
    fields = delivery_fields(after)
    fields.update(expires_at=after.expires_at, resends=after.resends,
                  resent_at=after.updated_at, resent_by=actor)
    result = db[DELIVERIES].update_one(
        {"_id": before.key, "status": before.status.value,
         "resends": before.resends if before.resends else {"$in": [0, None]}},
        {"$set": fields, "$unset": {"provider_message_id": ""}})
    return result.modified_count == 1


def insert_read(db: Database, notice_id: str, unit_id: str, at: datetime,
                actor: str | None) -> tuple[dict[str, Any], bool]:
    """The unit's first read of the notice; a later one answers the first (created False)."""
    doc = {"_id": f"{notice_id}:{unit_id}", "notice_id": notice_id, "unit_id": unit_id,
           "at": at, "actor": actor}
    try:
        db[READS].insert_one(doc)
    except DuplicateKeyError:
        return db[READS].find_one({"_id": doc["_id"]}) or doc, False
    return doc, True


# --- plans known from their events ------------------------------------------------------------

def record_known_plan(db: Database, plan_id: str, fields: dict[str, Any]) -> None:
    """What notifications knows of a plan (its number, issuer, year, issue date), keyed by
    plan id: applying the same event twice leaves one record."""
    db[KNOWN_PLANS].update_one({"_id": plan_id},
                               {"$set": {k: v for k, v in fields.items() if v is not None}},
                               upsert=True)


def find_known_plan(db: Database, plan_id: str) -> dict[str, Any] | None:
    return db[KNOWN_PLANS].find_one({"_id": plan_id})
