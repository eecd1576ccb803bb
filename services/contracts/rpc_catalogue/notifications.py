"""The notifications service's RPC methods (services/notifications/README.md describes each)."""

from __future__ import annotations

from services.contracts import notifications as n
from services.contracts import notifications_deliveries as deliveries
from services.contracts.rpc import RpcMethod

CREATE_NOTICE = RpcMethod("notifications", "create_notice", n.CreateNoticeRequest,
                          n.NoticeView)
GET_NOTICE = RpcMethod("notifications", "get_notice", n.GetNoticeRequest, n.NoticeView)
LIST_NOTICES = RpcMethod("notifications", "list_notices", n.ListNoticesRequest, n.NoticePage)
GET_INBOX = RpcMethod("notifications", "get_inbox", n.InboxRequest, n.InboxPage)
ACKNOWLEDGE = RpcMethod("notifications", "acknowledge", n.AcknowledgeRequest, n.AckView)
MARK_READ = RpcMethod("notifications", "mark_read", deliveries.MarkReadRequest,
                      deliveries.ReadView)
LIST_TRANSLATIONS = RpcMethod("notifications", "list_translations",
                              deliveries.ListTranslationsRequest,
                              list[deliveries.TranslationView])
SUBMIT_TRANSLATION = RpcMethod("notifications", "submit_translation",
                               deliveries.SubmitTranslationRequest, deliveries.TranslationView)
APPROVE_TRANSLATION = RpcMethod("notifications", "approve_translation",
                                deliveries.ApproveTranslationRequest, deliveries.TranslationView)
REJECT_TRANSLATION = RpcMethod("notifications", "reject_translation",
                               deliveries.RejectTranslationRequest, deliveries.TranslationView)
UPSERT_RECIPIENT = RpcMethod("notifications", "upsert_recipient", n.RecipientUnitModel,
                             n.RecipientView)
GET_RECIPIENT = RpcMethod("notifications", "get_recipient", n.GetRecipientRequest,
                          n.RecipientView)
DELETE_RECIPIENT = RpcMethod("notifications", "delete_recipient", n.GetRecipientRequest,
                             n.DeletedRecipient)
LIST_RECIPIENTS = RpcMethod("notifications", "list_recipients", n.ListRecipientsRequest,
                            n.RecipientPage)
IMPORT_RECIPIENTS = RpcMethod("notifications", "import_recipients", n.ImportRecipientsRequest,
                              n.ImportRecipientsResult)
SET_PREFERENCES = RpcMethod("notifications", "set_preferences", n.SetPreferencesRequest,
                            n.RecipientView)
CONFIGURE_CHANNEL = RpcMethod("notifications", "configure_channel", n.ConfigureChannelRequest,
                              n.ChannelView)
LIST_CHANNELS = RpcMethod("notifications", "list_channels", None, list[n.ChannelView])
CONFIGURE_ESCALATION = RpcMethod("notifications", "configure_escalation",
                                 n.ConfigureEscalationRequest, n.EscalationView)
GET_ESCALATION = RpcMethod("notifications", "get_escalation", n.GetEscalationRequest,
                           n.EscalationView)
GET_TEMPLATE = RpcMethod("notifications", "get_template", n.TemplateKeyRequest, n.TemplateView)
SAVE_TEMPLATE = RpcMethod("notifications", "save_template", n.SaveTemplateRequest,
                          n.TemplateView)
LIST_DELIVERIES = RpcMethod("notifications", "list_deliveries", deliveries.ListDeliveriesRequest,
                            deliveries.NoticeDeliveryPage)
RESEND_DELIVERY = RpcMethod("notifications", "resend_delivery", deliveries.ResendDeliveryRequest,
                            deliveries.DeliveryView)
DELIVERY_REPORT = RpcMethod("notifications", "delivery_report", deliveries.DeliveryReportRequest,
                            deliveries.DeliveryReportResult)
EXPORT_BULLETIN = RpcMethod("notifications", "export_bulletin", deliveries.BulletinRequest,
                            deliveries.BulletinView)
KNOWN_PLAN = RpcMethod(
    "notifications", "known_plan", None,
    internal="whether notifications has applied a plan's events: tests and operators wait on it")
