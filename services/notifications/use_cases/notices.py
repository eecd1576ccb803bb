"""Notices from events and officers, and templates. Delivery planning is in
`delivery_planning.py`, translations in `translations.py`.

Every write is keyed by a natural key (notice id from the triggering event, delivery
idempotency key, translation "<notice>:<language>"), so a redelivered event or a re-run after
a crash changes nothing and sends nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import UTC, date, datetime
from typing import Any, overload

from services.contracts.notifications import (
    CreateNoticeRequest,
    SaveTemplateRequest,
    TemplateKeyRequest,
)
from services.notifications.context import Context
from services.notifications.domain.errors import NotFoundError, UnknownRecipientError
from services.notifications.domain.notices import (
    Notice,
    VariableValue,
    default_translation_deadline,
)
from services.notifications.domain.templates import TemplateSet, validate_template
from services.notifications.domain.vocabulary import NoticeKind, Priority, TranslationPolicy
from services.notifications.metrics import NOTICES, UNREACHABLE
from services.notifications.use_cases import directory, notice_dates
from services.notifications.use_cases.delivery_planning import plan_deliveries, templates

log = logging.getLogger(__name__)


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
                  policy: TranslationPolicy = TranslationPolicy.VI_FIRST,
                  translation_deadline: datetime | None = None,
                  as_of: date | None = None,
                  variables: dict[str, VariableValue] | None = None,
                  strict: bool = False, **extra: Any) -> dict[str, Any]:
    """Create the notice once (keyed by `natural_key`) and plan its deliveries.

    Under policy wait the Vietnamese copy is held for a unit's translations until
    `translation_deadline` (default: `default_translation_deadline`). Recipients resolve as
    of `as_of` (default: the plan's period, else today; `notice_dates`), and the notice is
    signed with the issuer's name then. Unknown recipients are recorded on the notice
    (`unreachable`); with `strict`, a notice none of whose recipients is known is refused
    with `UnknownRecipientError`."""
    notices = ctx.uow.notices
    notice_id = notice_id_for(natural_key)
    existing = notices.stored(notice_id)
    if existing is not None:
        if existing.get("planned") is False:  # planning failed before (e.g. a template)
            plan_deliveries(ctx, existing)
            _mark_planned(ctx, notice_id)
        return notices.stored(notice_id) or existing
    plan = notice_dates.known_plan(ctx, plan_id) if plan_id else None
    day = notice_dates.resolution_day(ctx, as_of, plan)
    resolution = directory.resolve(ctx, references, day)
    issuer_id, sender_name = notice_dates.signature(ctx, plan, day)
    extra.update(as_of=day.isoformat(), issuer_unit_id=issuer_id, sender_name=sender_name,
                 inactive_recipients=resolution.inactive)
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
        with ctx.uow as uow:
            uow.notices.add_record(doc)
            uow.commit()
        return notices.stored(notice_id) or doc
    # Validated at the precision stored (milliseconds): a deadline a fraction of a millisecond
    # after creation would pass now, then fail every later read (acknowledge, escalation).
    created_at = as_stored(ctx.now())
    if translation_deadline is None and policy is TranslationPolicy.WAIT:
        translation_deadline = default_translation_deadline(created_at, ack_deadline)
    notice = Notice(
        id=notice_id, kind=kind, subject=subject, body=body, priority=priority,
        created_at=created_at, recipients=tuple(resolution.unit_ids),
        plan_id=plan_id, task_id=task_id, ack_deadline=as_stored(ack_deadline),
        expires_at=as_stored(expires_at), translation_policy=policy,
        translation_deadline=as_stored(translation_deadline),
        variables=variables or {}).approve()
    # Policy wait: the housekeeping releases held Vietnamese copies at the deadline, once.
    if notice.effective_translation_policy is TranslationPolicy.WAIT:
        extra["translation_hold_open"] = True
    with ctx.uow as uow:
        doc = uow.notices.add(notice, unreachable=unreachable, natural_key=natural_key,
                              unsupported_languages={}, planned=False,
                              escalation_open=True if ack_deadline else None, **extra)
        if not uow.notices.added(uow.commit(), notice_id):
            return notices.stored(notice_id) or doc
    NOTICES.labels(kind.value, priority.value).inc()
    plan_deliveries(ctx, doc, resolution.docs)  # raises on a render error: retried later
    _mark_planned(ctx, notice_id)
    return notices.stored(notice_id) or doc


def _mark_planned(ctx: Context, notice_id: str) -> None:
    """The notice's deliveries are all planned: a re-run of its cause plans nothing more."""
    with ctx.uow as uow:
        uow.notices.mark_planned(notice_id)
        uow.commit()


def create_from_request(ctx: Context, request: CreateNoticeRequest) -> dict[str, Any]:
    key = (f"rpc:{request.idempotency_key}" if request.idempotency_key
           else f"rpc:{uuid.uuid4().hex}")
    return create_notice(
        ctx, natural_key=key, kind=NoticeKind(request.kind), subject=request.subject,
        body=request.body, priority=Priority(request.priority),
        references=request.recipients, plan_id=request.plan_id, task_id=request.task_id,
        ack_deadline=request.ack_deadline, expires_at=request.expires_at,
        policy=TranslationPolicy(request.translation_policy),
        translation_deadline=request.translation_deadline, as_of=request.as_of,
        variables=dict(request.variables), strict=True, created_by=request.created_by)


def get_notice(ctx: Context, notice_id: str) -> dict[str, Any]:
    doc = ctx.uow.notices.stored(notice_id)
    if doc is None:
        raise NotFoundError(f"notice {notice_id} not found", {"notice_id": notice_id})
    return doc


# --- templates -------------------------------------------------------------------------------

def get_template(ctx: Context, request: TemplateKeyRequest) -> dict[str, Any]:
    saved = ctx.uow.configuration.saved_template(request.kind, request.language)
    if saved is not None:
        return {"kind": saved["kind"], "language": saved["language"],
                "subject": saved["subject"], "text": saved["text"], "html": saved.get("html"),
                "source": "saved"}
    registry = templates(ctx)
    found = registry.get(NoticeKind(request.kind), request.language)
    return {"kind": request.kind, "language": request.language, "subject": found.subject,
            "text": found.text, "html": found.html, "source": "default"}


def save_template(ctx: Context, request: SaveTemplateRequest) -> dict[str, Any]:
    template = TemplateSet(NoticeKind(request.kind), request.language, request.subject,
                           request.text, request.html)
    validate_template(template)  # raises InvalidTemplateError with part/line/message
    with ctx.uow as uow:
        uow.configuration.save_template(
            {"kind": request.kind, "language": request.language, "subject": request.subject,
             "text": request.text, "html": request.html, "saved_at": datetime.now(UTC)})
        uow.commit()
    return get_template(ctx, TemplateKeyRequest(kind=request.kind, language=request.language))
