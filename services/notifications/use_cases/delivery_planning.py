"""Planning a notice's deliveries: for each recipient unit and language version, a delivery to
send, one held for a translation, or a held one released (domain `version_steps`).

Runs when the notice is created, when a translation is approved and when policy wait's
translation deadline passes; each run is idempotent (delivery keys, guarded releases).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.contracts.events.notifications import TranslationRequested
from services.notifications.context import Context
from services.notifications.domain.ack import make_ack_token
from services.notifications.domain.composition import compose_message
from services.notifications.domain.delivery import delivery_expiry, new_delivery
from services.notifications.domain.holds import VersionStep, version_steps
from services.notifications.domain.notices import Notice
from services.notifications.domain.planning import DeliveryPlan, NoUsableContact, plan_delivery
from services.notifications.domain.preferences import RecipientUnit
from services.notifications.domain.templates import (
    TemplateRegistry,
    load_default_templates,
)
from services.notifications.domain.translations import (
    TRANSLATION_LANGUAGES,
    TranslationTask,
    request_translation,
)
from services.notifications.domain.vocabulary import (
    DeliveryStatus,
    NoticeKind,
    SendMode,
    Step,
    TranslationStatus,
)
from services.notifications.metrics import TRANSLATION_BACKLOG, UNREACHABLE
from services.notifications.repositories.changing import Changing
from services.notifications.repositories.codec import (
    notice_to_domain,
    recipient_to_domain,
    translation_id,
)
from services.notifications.repositories.deliveries import DeliveryRecord
from services.notifications.settings import NotificationsSettings

log = logging.getLogger(__name__)

_DEFAULTS: TemplateRegistry | None = None


def templates(ctx: Context) -> TemplateRegistry:
    """Default template files, overridden by templates saved through the RPC."""
    global _DEFAULTS
    if _DEFAULTS is None:
        _DEFAULTS = load_default_templates()
    registry = TemplateRegistry()
    for kind in NoticeKind:
        if _DEFAULTS.has(kind, "vi"):
            registry.save(_DEFAULTS.get(kind, "vi"))
    for template in ctx.uow.configuration.saved_templates():
        registry.save(template)
    return registry


def ack_url(settings: NotificationsSettings, notice: Notice, unit_id: str, now: datetime
            ) -> str:
    if notice.ack_deadline is None:
        return ""
    expires = max(notice.ack_deadline, now) + timedelta(days=settings.ack_link_ttl_days)
    key = settings.ack_link_secret.get_secret_value().encode("utf-8")
    token = make_ack_token(key, notice.id, unit_id, expires)
    return f"{settings.ack_base_url.rstrip('/')}/{token}"


def sender_name_of(notice_doc: dict[str, Any], settings: NotificationsSettings) -> str:
    """The signature: the issuer's name on the notice's date when the notice knows it."""
    return str(notice_doc.get("sender_name") or settings.sender_name)


def message_fields(notice: Notice, sender_name: str, subject: str, text: str,
                   html: str | None, link: str) -> dict[str, Any]:
    return {"subject": subject, "text": text, "html": html, "ack_url": link,
            "kind": notice.kind.value, "priority": notice.priority.value,
            "priority_rank": notice.priority.rank, "plan_id": notice.plan_id,
            "task_id": notice.task_id, "ack_deadline": notice.ack_deadline,
            "sender_name": sender_name}


class _Planner:
    """One run of planning over a notice: what it reads once, what it collects."""

    def __init__(self, ctx: Context, notice_doc: dict[str, Any]) -> None:
        self.ctx = ctx
        self.notice = notice_to_domain(notice_doc)
        self.sender_name = sender_name_of(notice_doc, ctx.settings)
        # Units are named as they were on the notice's date.
        as_of = notice_doc.get("as_of")
        self.as_of = date.fromisoformat(as_of) if as_of else None
        self.now = ctx.now()
        self.tasks: list[TranslationTask] = ctx.uow.translations.of_notice(self.notice.id)
        self.approved = {t.language for t in self.tasks
                         if t.status is TranslationStatus.APPROVED}
        self.existing = ctx.uow.deliveries.planned(self.notice.id)
        self.registry = templates(ctx)
        self.new_records: list[DeliveryRecord] = []
        self.releases: list[tuple[str, dict[str, Any]]] = []
        self.unreachable: list[dict[str, Any]] = []
        self.unsupported: dict[str, list[str]] = {}
        self.wanted_translations: set[str] = set()

    def plan_unit(self, unit_id: str, doc: dict[str, Any] | None) -> None:
        if doc is None:
            self.unreachable.append({"unit_id": unit_id, "reason": "unknown_recipient",
                                     "channels_considered": []})
            return
        unit = recipient_to_domain(doc)
        result = plan_delivery(self.notice, unit, self.now, self.approved)
        if isinstance(result, NoUsableContact):
            self.unreachable.append({
                "unit_id": unit_id, "reason": "no_usable_contact",
                "channels_considered": [c.value for c in result.channels_considered]})
            return
        if result.unsupported_languages:
            self.unsupported[unit_id] = list(result.unsupported_languages)
        self.wanted_translations.update(lang for lang in result.pending_languages()
                                        if lang in TRANSLATION_LANGUAGES)
        link = ack_url(self.ctx.settings, self.notice, unit_id, self.now)
        send_at = result.timing.send_at.astimezone(UTC)
        digest = result.timing.mode is SendMode.DIGEST
        for step in version_steps(result, self.existing):
            if step.step is Step.RELEASE:
                assert step.delivery is not None and step.release_reason is not None
                self.releases.append((step.delivery.key, {
                    **self._message(unit, step.language, link),
                    "status": DeliveryStatus.PENDING.value, "next_attempt_at": send_at,
                    "digest": digest, "release_reason": step.release_reason.value,
                    "released_at": self.now, "updated_at": self.now}))
                continue
            self.new_records.append(self._new_record(result, unit, step, link, send_at,
                                                     digest))

    def _new_record(self, result: DeliveryPlan, unit: RecipientUnit, step: VersionStep,
                    link: str, send_at: datetime, digest: bool) -> DeliveryRecord:
        channel = result.first_channel
        delivery = new_delivery(self.notice.id, unit.unit_id, channel, step.language,
                                unit.usable_contacts(channel)[0].address, now=self.now,
                                plan_channels=result.channels,
                                expires_at=delivery_expiry(self.notice), send_at=send_at,
                                hold=step.hold_reason)
        message = (self._message(unit, step.language, link) if step.step is Step.SEND
                   else {"sender_name": self.sender_name})
        return DeliveryRecord.new(delivery, **message, recipient_name=unit.name_on(self.as_of),
                                  digest=digest)

    def _message(self, unit: RecipientUnit, language: str, link: str) -> dict[str, Any]:
        message = compose_message(self.notice, language, self.registry, self.tasks,
                                  recipient_name=unit.name_on(self.as_of),
                                  sender_name=self.sender_name,
                                  ack_url=link)
        return message_fields(self.notice, self.sender_name, message.subject, message.text,
                              message.html, link)


def plan_deliveries(ctx: Context, notice_doc: dict[str, Any],
                    unit_docs: dict[str, dict[str, Any]] | None = None) -> int:
    """Create or release every delivery the notice needs now (idempotent); returns how many
    were new. Translations a unit needs are requested (once) on the way."""
    planner = _Planner(ctx, notice_doc)
    units = unit_docs or ctx.uow.recipients.by_id(planner.notice.recipients)
    for unit_id in planner.notice.recipients:
        planner.plan_unit(unit_id, units.get(unit_id))
    # Stored a dispatcher batch at a time, each handed over once stored: the first messages
    # go out while the next ones are still being written.
    created = 0
    size = ctx.settings.dispatch_batch_size
    records = planner.new_records
    for chunk in (records[start:start + size] for start in range(0, len(records), size)):
        claimed = _claim_for_sender(ctx, chunk, planner.now)
        inserted = _store_new(ctx, chunk)
        created += len(inserted)
        if claimed is not None and ctx.sender is not None:
            claim, lease_until = claimed
            ctx.sender.hand_over(claim, [d["_id"] for d in inserted if d.get("claim") == claim],
                                 lease_until)
    # Released ones are claimed by the dispatcher's next tick (0.2 s).
    ctx.uow.deliveries.release_held(planner.releases)
    for language in sorted(planner.wanted_translations):
        _request_translation(ctx, planner.notice.id, language)
    with ctx.uow as uow:
        unreachable = uow.notices.record_unreachable(planner.notice.id, planner.unreachable,
                                                     planner.unsupported)
        uow.commit()
    for entry in unreachable:
        UNREACHABLE.labels(entry["reason"]).inc()
        log.warning("recipient unreachable", extra={"notice_id": planner.notice.id, **entry})
    return created


def _store_new(ctx: Context, records: list[DeliveryRecord]) -> list[dict[str, Any]]:
    """Store the deliveries that do not exist yet (one round trip: the commit's inserts of
    one collection go together); returns the documents stored."""
    with ctx.uow as uow:
        for record in records:
            uow.deliveries.add(record)
        result = uow.commit()
        return [r.stored for r in records if not uow.deliveries.refused(result, r)]


def _request_translation(ctx: Context, notice_id: str, language: str) -> None:
    """A translation task for the language, once per notice (`translation.requested`)."""
    key = translation_id(notice_id, language)
    task = Changing(request_translation(notice_id, language, ctx.now()), [
        TranslationRequested(translation_id=key, notice_id=notice_id, language=language)])
    with ctx.uow as uow:
        uow.translations.add(task)
        if uow.translations.refused(uow.commit(), task):
            return
    TRANSLATION_BACKLOG.set(ctx.uow.translations.backlog())


def _claim_for_sender(ctx: Context, records: list[DeliveryRecord], now: datetime
                      ) -> tuple[str, datetime] | None:
    """Store the deliveries due now claimed for the process's dispatcher
    (`DeliveryRecord.claim_for`); returns the claim and its lease, None when none is due or
    the dispatcher has enough handed over already."""
    lease_until = ctx.sender.hand_over_lease(now) if ctx.sender is not None else None
    if ctx.sender is None or lease_until is None:
        return None
    claim = uuid.uuid4().hex
    due = [r for r in records if r.stored["status"] == DeliveryStatus.PENDING.value
           and not r.stored.get("digest") and r.stored["next_attempt_at"] <= now]
    for record in due:
        record.claim_for(ctx.sender.owner, claim, lease_until)
    return (claim, lease_until) if due else None
