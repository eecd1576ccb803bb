"""The notifications service's RPC methods (services/notifications/README.md describes each)."""

from __future__ import annotations

from services.contracts import notifications as n
from services.contracts import notifications_deliveries as deliveries
from services.contracts.rpc import ServiceMethods

method = ServiceMethods("notifications")

CREATE_NOTICE = method("create_notice", n.CreateNoticeRequest, n.NoticeView)
GET_NOTICE = method("get_notice", n.GetNoticeRequest, n.NoticeView)
LIST_NOTICES = method("list_notices", n.ListNoticesRequest, n.NoticePage)
GET_INBOX = method("get_inbox", n.InboxRequest, n.InboxPage)
ACKNOWLEDGE = method("acknowledge", n.AcknowledgeRequest, n.AckView)
MARK_READ = method("mark_read", deliveries.MarkReadRequest, deliveries.ReadView)
LIST_TRANSLATIONS = method("list_translations", deliveries.ListTranslationsRequest,
                           list[deliveries.TranslationView])
SUBMIT_TRANSLATION = method("submit_translation", deliveries.SubmitTranslationRequest,
                            deliveries.TranslationView)
APPROVE_TRANSLATION = method("approve_translation", deliveries.ApproveTranslationRequest,
                             deliveries.TranslationView)
REJECT_TRANSLATION = method("reject_translation", deliveries.RejectTranslationRequest,
                            deliveries.TranslationView)
UPSERT_RECIPIENT = method("upsert_recipient", n.RecipientUnitModel, n.RecipientView)
GET_RECIPIENT = method("get_recipient", n.GetRecipientRequest, n.RecipientView)
DELETE_RECIPIENT = method("delete_recipient", n.GetRecipientRequest, n.DeletedRecipient)
LIST_RECIPIENTS = method("list_recipients", n.ListRecipientsRequest, n.RecipientPage)
IMPORT_RECIPIENTS = method("import_recipients", n.ImportRecipientsRequest, n.ImportRecipientsResult)
SET_PREFERENCES = method("set_preferences", n.SetPreferencesRequest, n.RecipientView)
CONFIGURE_CHANNEL = method("configure_channel", n.ConfigureChannelRequest, n.ChannelView)
LIST_CHANNELS = method("list_channels", None, list[n.ChannelView])
CONFIGURE_ESCALATION = method("configure_escalation", n.ConfigureEscalationRequest,
                              n.EscalationView)
GET_ESCALATION = method("get_escalation", n.GetEscalationRequest, n.EscalationView)
GET_TEMPLATE = method("get_template", n.TemplateKeyRequest, n.TemplateView)
SAVE_TEMPLATE = method("save_template", n.SaveTemplateRequest, n.TemplateView)
LIST_DELIVERIES = method("list_deliveries", deliveries.ListDeliveriesRequest,
                         deliveries.NoticeDeliveryPage)
RESEND_DELIVERY = method("resend_delivery", deliveries.ResendDeliveryRequest,
                         deliveries.DeliveryView)
DELIVERY_REPORT = method("delivery_report", deliveries.DeliveryReportRequest,
                         deliveries.DeliveryReportResult)
EXPORT_BULLETIN = method("export_bulletin", deliveries.BulletinRequest, deliveries.BulletinView)
KNOWN_PLAN = method(
    "known_plan", None,
    internal="whether notifications has applied a plan's events: tests and operators wait on it")
