"""Use cases: notices from events and officers, delivery planning, templates, translations.

Every write is keyed by a natural key (notice id from the triggering event, delivery
idempotency key, translation "<notice>:<language>"), so a redelivered event or a re-run after
a crash changes nothing and sends nothing twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, overload

from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.contracts.events.notifications import TranslationApproved, TranslationRequested
from services.contracts.notifications import (
    CreateNoticeRequest,
    SaveTemplateRequest,
    TemplateKeyRequest,
)
from services.notifications import directory
from services.notifications.directory import RemoteUnits
from services.notifications.domain.ack import make_ack_token
from services.notifications.domain.composition import compose_message
from services.notifications.domain.delivery import delivery_expiry, new_delivery
from services.notifications.domain.errors import NotFoundError, UnknownRecipientError
from services.notifications.domain.notices import (
    Notice,
    NoticeKind,
    NoticeStatus,
    Priority,
    TranslationPolicy,
    VariableValue,
)
from services.notifications.domain.planning import NoUsableContact, SendMode, plan_delivery
from services.notifications.domain.templates import (
    TemplateRegistry,
    TemplateSet,
    load_default_templates,
    validate_template,
)
from services.notifications.domain.translations import (
    TRANSLATION_LANGUAGES,
    TranslationStatus,
    TranslationTask,
    request_translation,
)
from services.notifications.metrics import NOTICES, TRANSLATION_BACKLOG, UNREACHABLE
from services.notifications.repository import (
    DELIVERIES,
    SENDING,
    TEMPLATES,
    TRANSLATIONS,
    delivery_document,
    notice_document,
    notice_to_domain,
    recipient_to_domain,
    translation_fields,
    translation_id,
    translation_to_domain,
)
from services.notifications.repository import (
    NOTICES as NOTICES_COLLECTION,
)
from services.notifications.settings import NotificationsSettings
from services.runtime.logging import correlation_id
from services.runtime.mongo import refused_as_duplicates
from services.runtime.outbox import merge_updates, outbox_push, with_outbox

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Sender(Protocol):
    """The process's dispatcher, as planning sees it (`dispatch.Dispatcher`)."""

    owner: str

    def hand_over_lease(self, now: datetime) -> datetime | None:
        """The lease to store deliveries claimed for it with, or None when it has enough
        handed over already (those are then stored pending, for any dispatcher to claim)."""

    def hand_over(self, claim: str, delivery_ids: list[str], lease_until: datetime) -> None: ...


@dataclass
class Context:
    db: Database
    settings: NotificationsSettings
    remote: RemoteUnits | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    # Set in the service: deliveries due at once are stored already claimed for this
    # process's dispatcher and handed to it, instead of being claimed by one more write each.
    sender: Sender | None = None

    def now(self) -> datetime:
        return self.clock()


# The status of the record kept for a notice none of whose recipients is known: not a domain
# notice (no recipients), nothing is sent for it.
UNDELIVERABLE = "undeliverable"


@overload
def as_stored(value: datetime) -> datetime: ...


@overload
def as_stored(value: None) -> None: ...


def as_stored(value: datetime | None) -> datetime | None:
    """A time as the database keeps it (milliseconds)."""
    if value is None:
        return None
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def notice_id_for(natural_key: str) -> str:
    return "ntc_" + hashlib.sha256(natural_key.encode("utf-8")).hexdigest()[:24]


def dmy(value: date | datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


# --- notices ---------------------------------------------------------------------------------

def create_notice(ctx: Context, *, natural_key: str, kind: NoticeKind, subject: str, body: str,
                  priority: Priority, references: list[str], plan_id: str | None = None,
                  task_id: str | None = None, ack_deadline: datetime | None = None,
                  expires_at: datetime | None = None,
                  policy: TranslationPolicy = TranslationPolicy.SEND_VI_NOW,
                  variables: dict[str, VariableValue] | None = None,
                  strict: bool = False, **extra: Any) -> dict[str, Any]:
    """Create the notice once (keyed by `natural_key`) and plan its deliveries.

    Unknown recipients are recorded on the notice (`unreachable`); with `strict`, a notice
    none of whose recipients is known is refused with `UnknownRecipientError`."""
    notice_id = notice_id_for(natural_key)
    existing = ctx.db[NOTICES_COLLECTION].find_one({"_id": notice_id})
    if existing is not None:
        if existing.get("planned") is False:  # planning failed before (e.g. a template)
            plan_deliveries(ctx, existing)
            ctx.db[NOTICES_COLLECTION].update_one({"_id": notice_id},
                                                  {"$set": {"planned": True}})
        return ctx.db[NOTICES_COLLECTION].find_one({"_id": notice_id}) or existing
    resolution = directory.resolve(ctx.db, references, ctx.remote)
    unreachable = [{"unit_id": ref, "reason": "unknown_recipient", "channels_considered": []}
                   for ref in resolution.unknown]
    for _ in resolution.unknown:
        UNREACHABLE.labels("unknown_recipient").inc()
    if resolution.unknown:
        log.warning("unknown recipients", extra={"notice_id": notice_id,
                                                 "unit_ids": resolution.unknown})
    if not resolution.units:
        if strict:
            raise UnknownRecipientError(
                f"no known recipient among: {', '.join(references)}",
                {"unit_ids": resolution.unknown})
        # Nobody to send to: keep a record so the failure is visible, send nothing.
        doc = {"_id": notice_id, "kind": kind.value, "subject": subject, "body": body,
               "priority": priority.value, "created_at": ctx.now(), "recipients": [],
               "plan_id": plan_id, "task_id": task_id, "status": UNDELIVERABLE,
               "variables": variables or {},
               "unreachable": unreachable, "natural_key": natural_key, **extra}
        with contextlib.suppress(DuplicateKeyError):
            ctx.db[NOTICES_COLLECTION].insert_one(doc)
        return ctx.db[NOTICES_COLLECTION].find_one({"_id": notice_id}) or doc
    # Validated at the precision stored (milliseconds): a deadline a fraction of a millisecond
    # after creation would pass now, then fail every later read (acknowledge, escalation).
    notice = Notice(
        id=notice_id, kind=kind, subject=subject, body=body, priority=priority,
        created_at=as_stored(ctx.now()), recipients=tuple(resolution.unit_ids),
        plan_id=plan_id, task_id=task_id, ack_deadline=as_stored(ack_deadline),
        expires_at=as_stored(expires_at), translation_policy=policy,
        variables=variables or {}).approve()
    doc = notice_document(notice, unreachable=unreachable, natural_key=natural_key,
                          unsupported_languages={}, planned=False,
                          escalation_open=True if ack_deadline else None, **extra)
    try:
        ctx.db[NOTICES_COLLECTION].insert_one(doc)
    except DuplicateKeyError:
        return ctx.db[NOTICES_COLLECTION].find_one({"_id": notice_id}) or doc
    NOTICES.labels(kind.value, priority.value).inc()
    plan_deliveries(ctx, doc, resolution.docs)  # raises on a render error: retried later
    ctx.db[NOTICES_COLLECTION].update_one({"_id": notice_id}, {"$set": {"planned": True}})
    return ctx.db[NOTICES_COLLECTION].find_one({"_id": notice_id}) or doc


def create_from_request(ctx: Context, request: CreateNoticeRequest) -> dict[str, Any]:
    key = (f"rpc:{request.idempotency_key}" if request.idempotency_key
           else f"rpc:{uuid.uuid4().hex}")
    return create_notice(
        ctx, natural_key=key, kind=NoticeKind(request.kind), subject=request.subject,
        body=request.body, priority=Priority(request.priority),
        references=request.recipients, plan_id=request.plan_id, task_id=request.task_id,
        ack_deadline=request.ack_deadline, expires_at=request.expires_at,
        policy=TranslationPolicy(request.translation_policy),
        variables=dict(request.variables), strict=True, created_by=request.created_by)


def get_notice(db: Database, notice_id: str) -> dict[str, Any]:
    doc = db[NOTICES_COLLECTION].find_one({"_id": notice_id})
    if doc is None:
        raise NotFoundError(f"notice {notice_id} not found", {"notice_id": notice_id})
    return doc


# --- planning --------------------------------------------------------------------------------

_DEFAULTS: TemplateRegistry | None = None


def templates(db: Database) -> TemplateRegistry:
    """Default template files, overridden by templates saved through the RPC."""
    global _DEFAULTS
    if _DEFAULTS is None:
        _DEFAULTS = load_default_templates()
    registry = TemplateRegistry()
    for kind in NoticeKind:
        if _DEFAULTS.has(kind, "vi"):
            registry.save(_DEFAULTS.get(kind, "vi"))
    for row in db[TEMPLATES].find():
        registry.save(TemplateSet(NoticeKind(row["kind"]), row["language"], row["subject"],
                                  row["text"], row.get("html")))
    return registry


def ack_url(settings: NotificationsSettings, notice: Notice, unit_id: str, now: datetime
            ) -> str:
    if notice.ack_deadline is None:
        return ""
    expires = max(notice.ack_deadline, now) + timedelta(days=settings.ack_link_ttl_days)
    token = make_ack_token(settings.ack_link_secret.encode("utf-8"), notice.id, unit_id,
                           expires)
    return f"{settings.ack_base_url.rstrip('/')}/{token}"


def plan_deliveries(ctx: Context, notice_doc: dict[str, Any],
                    unit_docs: dict[str, dict[str, Any]] | None = None) -> int:
    """Create every delivery the notice needs now (idempotent); returns how many were new.

    Runs again when a translation is approved: languages that became ready get their
    deliveries, the ones already created are left alone (same keys)."""
    notice = notice_to_domain(notice_doc)
    now = ctx.now()
    units = unit_docs or directory.load(ctx.db, notice.recipients)
    task_rows = list(ctx.db[TRANSLATIONS].find({"notice_id": notice.id}))
    tasks = [translation_to_domain(t) for t in task_rows]
    approved = {t.language for t in tasks if t.status is TranslationStatus.APPROVED}
    registry = templates(ctx.db)
    new_docs: list[dict[str, Any]] = []
    unreachable: list[dict[str, Any]] = []
    unsupported: dict[str, list[str]] = {}
    wanted_translations: set[str] = set()
    for unit_id in notice.recipients:
        doc = units.get(unit_id)
        if doc is None:
            unreachable.append({"unit_id": unit_id, "reason": "unknown_recipient",
                                "channels_considered": []})
            continue
        unit = recipient_to_domain(doc)
        result = plan_delivery(notice, unit, now, approved)
        if isinstance(result, NoUsableContact):
            unreachable.append({"unit_id": unit_id, "reason": "no_usable_contact",
                                "channels_considered": [c.value
                                                        for c in result.channels_considered]})
            continue
        if result.unsupported_languages:
            unsupported[unit_id] = list(result.unsupported_languages)
        wanted_translations.update(lang for lang in result.pending_languages()
                                   if lang in TRANSLATION_LANGUAGES)
        channel = result.first_channel
        address = unit.usable_contacts(channel)[0].address
        link = ack_url(ctx.settings, notice, unit_id, now)
        for language in result.languages_to_send():
            message = compose_message(notice, language, registry, tasks,
                                      recipient_name=unit.name,
                                      sender_name=ctx.settings.sender_name, ack_url=link)
            delivery = new_delivery(notice.id, unit_id, channel, language, address, now=now,
                                    plan_channels=result.channels,
                                    expires_at=delivery_expiry(notice),
                                    send_at=result.timing.send_at.astimezone(UTC))
            new_docs.append(delivery_document(
                delivery, **message_fields(notice, ctx.settings, message.subject,
                                           message.text, message.html, link),
                recipient_name=unit.name, digest=result.timing.mode is SendMode.DIGEST))
    # Stored a dispatcher batch at a time, each handed over once stored: the first messages
    # go out while the next ones are still being written.
    created = 0
    size = ctx.settings.dispatch_batch_size
    for chunk in (new_docs[start:start + size] for start in range(0, len(new_docs), size)):
        claimed = _claim_for_sender(ctx, chunk, now)
        inserted = _insert_new(ctx.db[DELIVERIES], chunk)
        created += len(inserted)
        if claimed is not None and ctx.sender is not None:
            claim, lease_until = claimed
            ctx.sender.hand_over(claim, [d["_id"] for d in inserted if d.get("claim") == claim],
                                 lease_until)
    for language in sorted(wanted_translations):
        _request_translation(ctx, notice.id, language)
    _record_unreachable(ctx.db, notice.id, unreachable, unsupported)
    return created


def message_fields(notice: Notice, settings: NotificationsSettings, subject: str, text: str,
                   html: str | None, link: str) -> dict[str, Any]:
    return {"subject": subject, "text": text, "html": html, "ack_url": link,
            "kind": notice.kind.value, "priority": notice.priority.value,
            "priority_rank": notice.priority.rank, "plan_id": notice.plan_id,
            "task_id": notice.task_id, "ack_deadline": notice.ack_deadline,
            "sender_name": settings.sender_name}


def _claim_for_sender(ctx: Context, docs: list[dict[str, Any]], now: datetime
                      ) -> tuple[str, datetime] | None:
    """Store the deliveries due now as claimed (`sending`, lease, claim token) for the
    process's dispatcher; `queued` tells the housekeeping that none was attempted yet, so one
    whose lease runs out is released, not treated as an interrupted send (dispatch.py)."""
    lease_until = ctx.sender.hand_over_lease(now) if ctx.sender is not None else None
    if ctx.sender is None or lease_until is None:
        return None
    claim = uuid.uuid4().hex
    due = [d for d in docs if not d.get("digest") and d["next_attempt_at"] <= now]
    for doc in due:
        doc.update(status=SENDING, lease_until=lease_until, lease_owner=ctx.sender.owner,
                   claim=claim, queued=True)
    return (claim, lease_until) if due else None


def _insert_new(collection: Any, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert what does not exist yet; returns the documents inserted."""
    if not docs:
        return []
    try:
        collection.insert_many(docs, ordered=False)
        return docs
    except BulkWriteError as exc:
        existing = refused_as_duplicates(exc)
        return [d for i, d in enumerate(docs) if i not in existing]


def _record_unreachable(db: Database, notice_id: str, unreachable: list[dict[str, Any]],
                        unsupported: dict[str, list[str]]) -> None:
    if not unreachable and not unsupported:
        return
    current = db[NOTICES_COLLECTION].find_one({"_id": notice_id},
                                              {"unreachable": 1}) or {}
    known = {(u["unit_id"], u["reason"]) for u in current.get("unreachable") or []}
    fresh = [u for u in unreachable if (u["unit_id"], u["reason"]) not in known]
    for entry in fresh:
        UNREACHABLE.labels(entry["reason"]).inc()
        log.warning("recipient unreachable", extra={"notice_id": notice_id, **entry})
    update: dict[str, Any] = {}
    if fresh:
        update["$push"] = {"unreachable": {"$each": fresh}}
    if unsupported:
        update["$set"] = {f"unsupported_languages.{k}": v for k, v in unsupported.items()}
    if update:
        db[NOTICES_COLLECTION].update_one({"_id": notice_id}, update)


# --- translations ----------------------------------------------------------------------------

def _request_translation(ctx: Context, notice_id: str, language: str) -> None:
    task = request_translation(notice_id, language, ctx.now())
    event = TranslationRequested(translation_id=translation_id(notice_id, language),
                                 notice_id=notice_id, language=language)
    doc = with_outbox({"_id": translation_id(notice_id, language),
                       **translation_fields(task)},
                      [event.to_envelope(correlation_id.get())])
    try:
        ctx.db[TRANSLATIONS].insert_one(doc)
    except DuplicateKeyError:
        return
    refresh_backlog(ctx.db)


def refresh_backlog(db: Database) -> None:
    TRANSLATION_BACKLOG.set(db[TRANSLATIONS].count_documents(
        {"status": {"$in": [TranslationStatus.REQUESTED.value,
                            TranslationStatus.SUBMITTED.value]}}))


def _load_task(db: Database, notice_id: str, language: str) -> tuple[dict[str, Any],
                                                                     TranslationTask]:
    row = db[TRANSLATIONS].find_one({"_id": translation_id(notice_id, language)})
    if row is None:
        raise NotFoundError("no translation task",
                            {"notice_id": notice_id, "language": language})
    return row, translation_to_domain(row)


def _save_task(db: Database, row: dict[str, Any], task: TranslationTask,
               events: list[Any] | None = None) -> dict[str, Any]:
    update = {"$set": translation_fields(task)}
    if events:
        update = merge_updates(update, outbox_push(
            [e.to_envelope(correlation_id.get()) for e in events]))
    result = db[TRANSLATIONS].update_one(
        {"_id": row["_id"], "status": row["status"], "revision": row.get("revision", 0)},
        update)
    if result.matched_count != 1:
        from services.notifications.domain.errors import InvalidTransitionError

        raise InvalidTransitionError("translation changed meanwhile; reload and retry",
                                     {"task": row["_id"]})
    refresh_backlog(db)
    return translation_view(db[TRANSLATIONS].find_one({"_id": row["_id"]}) or {})


def translation_view(row: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in row.items() if not k.startswith("_")}
    return {"id": row["_id"], **fields}


def submit_translation(ctx: Context, notice_id: str, language: str, translator_id: str,
                       subject: str, body: str) -> dict[str, Any]:
    row, task = _load_task(ctx.db, notice_id, language)
    return _save_task(ctx.db, row, task.submit(translator_id, subject, body, ctx.now()))


def approve_translation(ctx: Context, notice_id: str, language: str, reviewer_id: str
                        ) -> dict[str, Any]:
    row, task = _load_task(ctx.db, notice_id, language)
    approved = task.approve(reviewer_id, ctx.now())
    event = TranslationApproved(translation_id=row["_id"], notice_id=notice_id,
                                language=language, approved_by=reviewer_id)
    result = _save_task(ctx.db, row, approved, [event])
    # Only now may that language be sent (and, under policy "wait", the held Vietnamese).
    plan_deliveries(ctx, get_notice(ctx.db, notice_id))
    return result


def reject_translation(ctx: Context, notice_id: str, language: str, reviewer_id: str,
                       reason: str) -> dict[str, Any]:
    row, task = _load_task(ctx.db, notice_id, language)
    return _save_task(ctx.db, row, task.reject(reviewer_id, reason, ctx.now()))


def list_translations(db: Database, status: str | None, language: str | None,
                      notice_id: str | None, limit: int) -> list[dict[str, Any]]:
    query: dict[str, Any] = {}
    if status:
        query["status"] = status
    if language:
        query["language"] = language
    if notice_id:
        query["notice_id"] = notice_id
    rows = db[TRANSLATIONS].find(query, {"_outbox": 0}).sort("requested_at", 1).limit(limit)
    return [translation_view(r) for r in rows]


# --- templates -------------------------------------------------------------------------------

def get_template(db: Database, request: TemplateKeyRequest) -> dict[str, Any]:
    saved = db[TEMPLATES].find_one({"_id": f"{request.kind}:{request.language}"})
    if saved is not None:
        return {"kind": saved["kind"], "language": saved["language"],
                "subject": saved["subject"], "text": saved["text"], "html": saved.get("html"),
                "source": "saved"}
    registry = templates(db)
    found = registry.get(NoticeKind(request.kind), request.language)
    return {"kind": request.kind, "language": request.language, "subject": found.subject,
            "text": found.text, "html": found.html, "source": "default"}


def save_template(db: Database, request: SaveTemplateRequest) -> dict[str, Any]:
    template = TemplateSet(NoticeKind(request.kind), request.language, request.subject,
                           request.text, request.html)
    validate_template(template)  # raises InvalidTemplateError with part/line/message
    db[TEMPLATES].replace_one(
        {"_id": f"{request.kind}:{request.language}"},
        {"kind": request.kind, "language": request.language, "subject": request.subject,
         "text": request.text, "html": request.html, "saved_at": datetime.now(UTC)},
        upsert=True)
    return get_template(db, TemplateKeyRequest(kind=request.kind, language=request.language))


__all__ = ["Context", "NoticeStatus", "create_notice", "plan_deliveries"]
