"""The notifications service: thin nameko entrypoints over the notices."""

from __future__ import annotations

import logging
from typing import Any

from nameko.rpc import RpcProxy
from nameko.timer import timer

from services.contracts.envelope import Envelope
from services.contracts.events import EventType
from services.contracts.events.monitoring import AlertRaised
from services.contracts.events.plans import (
    PlanCreated,
    PlanIssued,
    TaskAssigned,
    TaskDueSoon,
    TaskOverdue,
)
from services.contracts.notifications import (
    AcknowledgeRequest,
    ConfigureChannelRequest,
    ConfigureEscalationRequest,
    CreateNoticeRequest,
    GetEscalationRequest,
    GetNoticeRequest,
    GetRecipientRequest,
    ImportRecipientsRequest,
    InboxRequest,
    ListNoticesRequest,
    ListRecipientsRequest,
    RecipientUnitModel,
    SaveTemplateRequest,
    SetPreferencesRequest,
    TemplateKeyRequest,
)
from services.contracts.notifications_deliveries import (
    ApproveTranslationRequest,
    BulletinRequest,
    DeliveryReportRequest,
    ListDeliveriesRequest,
    ListTranslationsRequest,
    MarkReadRequest,
    RejectTranslationRequest,
    ResendDeliveryRequest,
    SubmitTranslationRequest,
)
from services.contracts.rpc_catalogue import notifications as notifications_rpc
from services.notifications import channels, dispatch
from services.notifications.context import Context
from services.notifications.dependencies import NotificationsDependencies
from services.notifications.domain.vocabulary import AckVia, Channel
from services.notifications.plans_client import PlansUnits
from services.notifications.repositories import OUTBOX_COLLECTIONS
from services.notifications.settings import NotificationsSettings
from services.notifications.use_cases import (
    deliveries,
    delivery_outcomes,
    directory,
    intake,
    notice_dates,
    notices,
    receipts,
    translations,
    views,
)
from services.runtime.nameko_ext.base import EventConsumerService
from services.runtime.nameko_ext.entrypoints import consumes, rpc_method
from services.runtime.nameko_ext.providers import OutboxRelayProvider, ServiceContext

log = logging.getLogger(__name__)

# nameko timers are declared with the class: fixed ticks. A tick with nothing due costs one
# query; a busy tick sends until its budget is spent.
DISPATCH_TICK_SECONDS = 0.2
HOUSEKEEPING_TICK_SECONDS = 1.0


class NotificationsService(EventConsumerService):
    name = "notifications"
    settings_class = NotificationsSettings

    relay = OutboxRelayProvider(collections=OUTBOX_COLLECTIONS)
    plans = RpcProxy("plans")
    context: Context = ServiceContext(NotificationsDependencies.open)

    def _ctx(self) -> Context:
        """The worker's context, reading units from plans through the worker's proxy."""
        ctx = self.context
        ctx.remote = PlansUnits(self.plans, ctx.settings.plans_rpc_timeout_seconds, ctx.workers)
        return ctx

    # --- events in ---------------------------------------------------------------------------

    @consumes(EventType.PLAN_CREATED)
    def on_plan_created(self, envelope: Envelope, event: PlanCreated) -> None:
        notice_dates.remember_plan(self.context, event.plan_id, {
            "number": event.number, "title": event.title, "status": event.status,
            "issuer_unit_id": event.issuer_unit_id, "year": event.year,
            "event_id": envelope.id})

    @consumes(EventType.PLAN_ISSUED)
    def on_plan_issued(self, envelope: Envelope, event: PlanIssued) -> None:
        # The plan's dates first: its notices resolve their recipients as of its period.
        ctx = self._ctx()
        notice_dates.remember_plan(ctx, event.plan_id, {
            "number": event.number, "title": event.title, "status": "issued",
            "issuer_unit_id": event.issuer_unit_id, "year": event.year,
            "issued_on": event.issued_on.isoformat() if event.issued_on else None})
        intake.on_plan_issued(ctx, event)

    @consumes(EventType.TASK_ASSIGNED)
    def on_task_assigned(self, envelope: Envelope, event: TaskAssigned) -> None:
        intake.on_task_assigned(self._ctx(), event)

    @consumes(EventType.TASK_DUE_SOON)
    def on_task_due_soon(self, envelope: Envelope, event: TaskDueSoon) -> None:
        intake.on_task_due_soon(self._ctx(), event)

    @consumes(EventType.TASK_OVERDUE)
    def on_task_overdue(self, envelope: Envelope, event: TaskOverdue) -> None:
        intake.on_task_overdue(self._ctx(), event)

    @consumes(EventType.ALERT_RAISED)
    def on_alert_raised(self, envelope: Envelope, event: AlertRaised) -> None:
        intake.on_alert_raised(self._ctx(), event)

    # --- loops -------------------------------------------------------------------------------

    @timer(interval=DISPATCH_TICK_SECONDS, eager=True)
    def dispatch_due(self) -> None:
        dispatch.send_due(self._ctx())

    @timer(interval=HOUSEKEEPING_TICK_SECONDS)
    def escalate_and_expire(self) -> None:
        ctx = self._ctx()
        delivery_outcomes.reconcile_interrupted(ctx)
        translations.release_past_deadline(ctx)
        receipts.escalate_due(ctx)
        delivery_outcomes.expire_waiting(ctx)

    # --- notices -----------------------------------------------------------------------------

    @rpc_method(notifications_rpc.CREATE_NOTICE)
    def create_notice(self, request: CreateNoticeRequest) -> dict[str, Any]:
        ctx = self._ctx()
        return views.notice_view(ctx, notices.create_from_request(ctx, request), detail=True)

    @rpc_method(notifications_rpc.GET_NOTICE)
    def get_notice(self, request: GetNoticeRequest) -> dict[str, Any]:
        ctx = self.context
        return views.notice_view(ctx, notices.get_notice(ctx, request.notice_id),
                                 detail=True, unit_ids=request.unit_ids)

    @rpc_method(notifications_rpc.LIST_NOTICES)
    def list_notices(self, request: ListNoticesRequest) -> dict[str, Any]:
        return views.list_notices(self.context, plan_id=request.plan_id, task_id=request.task_id,
                                  unit_id=request.unit_id, kind=request.kind,
                                  after=request.after, limit=request.limit)

    @rpc_method(notifications_rpc.GET_INBOX)
    def get_inbox(self, request: InboxRequest) -> dict[str, Any]:
        return views.inbox(self.context, request.unit_id, request.unacknowledged_only,
                           request.after, request.limit)

    @rpc_method(notifications_rpc.ACKNOWLEDGE)
    def acknowledge(self, request: AcknowledgeRequest) -> dict[str, Any]:
        ctx = self._ctx()
        if request.token:
            return receipts.acknowledge_token(ctx, request.token, request.actor)
        assert request.notice_id is not None and request.unit_id is not None
        return receipts.acknowledge_unit(ctx, request.notice_id, request.unit_id, AckVia.API,
                                         request.actor)

    # --- translations ------------------------------------------------------------------------

    @rpc_method(notifications_rpc.LIST_TRANSLATIONS)
    def list_translations(self, request: ListTranslationsRequest) -> list[dict[str, Any]]:
        return translations.list_translations(self.context, request.status, request.language,
                                              request.notice_id, request.limit, request.after)

    @rpc_method(notifications_rpc.SUBMIT_TRANSLATION)
    def submit_translation(self, request: SubmitTranslationRequest) -> dict[str, Any]:
        return translations.submit_translation(self._ctx(), request.notice_id,
                                               request.language, request.translator_id,
                                               request.subject, request.body)

    @rpc_method(notifications_rpc.APPROVE_TRANSLATION)
    def approve_translation(self, request: ApproveTranslationRequest) -> dict[str, Any]:
        return translations.approve_translation(self._ctx(), request.notice_id,
                                                request.language, request.reviewer_id)

    @rpc_method(notifications_rpc.REJECT_TRANSLATION)
    def reject_translation(self, request: RejectTranslationRequest) -> dict[str, Any]:
        return translations.reject_translation(self._ctx(), request.notice_id,
                                               request.language, request.reviewer_id,
                                               request.reason)

    # --- recipients --------------------------------------------------------------------------

    @rpc_method(notifications_rpc.UPSERT_RECIPIENT)
    def upsert_recipient(self, request: RecipientUnitModel) -> dict[str, Any]:
        return directory.upsert(self.context, request)

    @rpc_method(notifications_rpc.GET_RECIPIENT)
    def get_recipient(self, request: GetRecipientRequest) -> dict[str, Any]:
        return directory.get(self.context, request.unit_id)

    @rpc_method(notifications_rpc.DELETE_RECIPIENT)
    def delete_recipient(self, request: GetRecipientRequest) -> dict[str, Any]:
        return directory.delete(self.context, request.unit_id)

    @rpc_method(notifications_rpc.LIST_RECIPIENTS)
    def list_recipients(self, request: ListRecipientsRequest) -> dict[str, Any]:
        return directory.page(self.context, request.group, request.after, request.limit)

    @rpc_method(notifications_rpc.SET_PREFERENCES)
    def set_preferences(self, request: SetPreferencesRequest) -> dict[str, Any]:
        return directory.set_preferences(self._ctx(), request.unit_id, request.preferences,
                                         request.actor)

    @rpc_method(notifications_rpc.IMPORT_RECIPIENTS)
    def import_recipients(self, request: ImportRecipientsRequest) -> dict[str, Any]:
        return {"imported": directory.upsert_many(self.context, request.recipients)}

    # --- channels, templates, escalation -----------------------------------------------------

    @rpc_method(notifications_rpc.CONFIGURE_CHANNEL)
    def configure_channel(self, request: ConfigureChannelRequest) -> dict[str, Any]:
        changes = request.model_dump(exclude_none=True, exclude={"channel"})
        return channels.configure(self.context, Channel(request.channel), changes)

    @rpc_method(notifications_rpc.LIST_CHANNELS)
    def list_channels(self) -> list[dict[str, Any]]:
        ctx = self.context
        return [channels.view(channels.load_config(ctx, c)) for c in Channel]

    @rpc_method(notifications_rpc.CONFIGURE_ESCALATION)
    def configure_escalation(self, request: ConfigureEscalationRequest) -> dict[str, Any]:
        return receipts.configure_escalation(self.context,
                                             request.model_dump(exclude_none=True))

    @rpc_method(notifications_rpc.GET_ESCALATION)
    def get_escalation(self, request: GetEscalationRequest) -> dict[str, Any]:
        return receipts.escalation_settings(self.context)

    @rpc_method(notifications_rpc.GET_TEMPLATE)
    def get_template(self, request: TemplateKeyRequest) -> dict[str, Any]:
        return notices.get_template(self.context, request)

    @rpc_method(notifications_rpc.SAVE_TEMPLATE)
    def save_template(self, request: SaveTemplateRequest) -> dict[str, Any]:
        return notices.save_template(self.context, request)

    # --- deliveries and bulletins ------------------------------------------------------------

    @rpc_method(notifications_rpc.LIST_DELIVERIES)
    def list_deliveries(self, request: ListDeliveriesRequest) -> dict[str, Any]:
        return deliveries.list_deliveries(self.context, request)

    @rpc_method(notifications_rpc.RESEND_DELIVERY)
    def resend_delivery(self, request: ResendDeliveryRequest) -> dict[str, Any]:
        return deliveries.resend_delivery(self._ctx(), request.notice_id, request.delivery_id,
                                          request.actor)

    @rpc_method(notifications_rpc.MARK_READ)
    def mark_read(self, request: MarkReadRequest) -> dict[str, Any]:
        return deliveries.mark_read(self._ctx(), request.notice_id, request.unit_id,
                                    request.actor)

    @rpc_method(notifications_rpc.DELIVERY_REPORT)
    def delivery_report(self, request: DeliveryReportRequest) -> dict[str, Any]:
        return delivery_outcomes.delivery_report(self._ctx(), request.channel,
                                                 request.provider_message_id, request.status,
                                                 request.reason)

    @rpc_method(notifications_rpc.EXPORT_BULLETIN)
    def export_bulletin(self, request: BulletinRequest) -> dict[str, Any]:
        return views.bulletin(self._ctx(), request)

    @rpc_method(notifications_rpc.KNOWN_PLAN)
    def known_plan(self, plan_id: str) -> dict[str, Any]:
        return notice_dates.known_plan_reply(self.context, plan_id)
