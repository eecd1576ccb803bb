"""RPC payloads of the notifications service about what happens to a notice after it is
sent: its translations, its deliveries per recipient (status, resend, read), providers'
delivery reports and commune bulletins. The directory, settings and notices themselves are in
`services/contracts/notifications.py`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from services.contracts.notifications import (
    TRANSLATION_DEADLINE_HELP,
    ChannelName,
    LanguageCode,
    Page,
    Reply,
    Request,
)

DeliveryStatusName = Literal["held", "pending", "retrying", "sending", "sent", "delivered",
                             "failed", "expired"]


# --- translations ----------------------------------------------------------------------------

class ListTranslationsRequest(Request):
    status: Literal["requested", "submitted", "approved", "rejected"] | None = None
    language: LanguageCode | None = None
    notice_id: str | None = None
    after: str | None = Field(default=None, max_length=200,
                              description="Cursor: the id of the last translation of the "
                                          "previous page (oldest request first).")
    limit: int = Field(default=100, ge=1, le=1000)


class SubmitTranslationRequest(Request):
    notice_id: str = Field(min_length=1, max_length=100)
    language: LanguageCode = Field(examples=["jra", "bdq"])
    translator_id: str = Field(min_length=1, max_length=100, examples=["translator-rcom-h"])
    subject: str = Field(min_length=1, max_length=1000,
                         examples=["Mơ̆ng pơtô pơkă bruă pơtruh (Jrai)"])
    body: str = Field(min_length=1, max_length=50_000)


class ApproveTranslationRequest(Request):
    notice_id: str = Field(min_length=1, max_length=100)
    language: LanguageCode
    reviewer_id: str = Field(min_length=1, max_length=100, examples=["officer-le"])


class RejectTranslationRequest(ApproveTranslationRequest):
    reason: str = Field(min_length=1, max_length=2000,
                        examples=["Thuật ngữ 'ma túy' dịch chưa đúng"])


class TranslationView(Reply):
    id: str
    notice_id: str
    language: str
    status: str
    subject: str = ""
    body: str = ""
    translator_id: str | None = None
    reviewer_id: str | None = None
    rejection_reason: str | None = Field(
        default=None, examples=["Thuật ngữ 'ma túy' dịch chưa đúng"],
        description="Why the officer returned the translation (status `rejected`).")
    revision: int = 0
    requested_at: datetime
    updated_at: datetime | None = None
    source_subject: str | None = Field(default=None, description="The Vietnamese subject.")
    source_body: str | None = Field(default=None, description="The Vietnamese text.")
    translation_policy: str | None = None
    translation_deadline: datetime | None = Field(default=None,
                                                  description=TRANSLATION_DEADLINE_HELP)


# --- deliveries ------------------------------------------------------------------------------

class ListDeliveriesRequest(Request):
    notice_id: str | None = Field(default=None, max_length=100)
    unit_id: str | None = Field(default=None, max_length=100, examples=["pvhtt-ia-grai"])
    unit_ids: list[str] | None = Field(
        default=None, max_length=5000,
        description="Only these units' deliveries (a unit-scoped caller's units).")
    channel: ChannelName | None = None
    status: DeliveryStatusName | None = None
    language: LanguageCode | None = Field(default=None, max_length=10, examples=["jra"])
    after: str | None = Field(default=None, max_length=100, description="Cursor: a delivery id.")
    limit: int = Field(default=100, ge=1, le=1000)


class DeliveryView(Reply):
    """One delivery: a notice to one unit on one channel in one language."""

    id: str
    notice_id: str
    unit_id: str
    unit_name: str | None = Field(default=None,
                                  examples=["Phòng Văn hóa và Thông tin huyện Ia Grai"])
    channel: str
    address: str = Field(examples=["v***i@gialai.example.org"],
                         description="The contact used, masked.")
    language: str = Field(examples=["jra"])
    status: str = Field(examples=["delivered"], description=(
        "held (waiting for a translation: see hold_reason), pending, retrying, sending, sent "
        "(accepted by an SMS/Zalo provider, waiting for its report), delivered, failed, "
        "expired."))
    hold_reason: str | None = Field(default=None, examples=["awaiting_translation"], description=(
        "awaiting_translation: this language is not approved yet; waiting_for_translations: "
        "the Vietnamese copy held by policy wait."))
    release_reason: str | None = Field(default=None, examples=["translation_approved"],
                                       description="translation_approved or "
                                                   "translation_deadline (policy wait).")
    attempts: int = 0
    last_error: str | None = Field(default=None, examples=["SMTP 451: try again later"])
    next_attempt_at: datetime | None = None
    provider_message_id: str | None = None
    fallback_of: str | None = Field(default=None,
                                    description="The failed delivery this one replaces.")
    created_at: datetime | None = None
    updated_at: datetime | None = None
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    read_by: str | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_via: str | None = Field(default=None, examples=["link", "api", "webhook"])
    resends: int = 0
    resent_at: datetime | None = None
    resent_by: str | None = None


class NoticeDeliveryPage(Page[DeliveryView]):
    pass


class ResendDeliveryRequest(Request):
    notice_id: str = Field(min_length=1, max_length=100)
    delivery_id: str = Field(min_length=1, max_length=100)
    actor: str = Field(min_length=1, max_length=100, examples=["officer-le"])


class MarkReadRequest(Request):
    notice_id: str = Field(min_length=1, max_length=100)
    unit_id: str = Field(min_length=1, max_length=100, examples=["pvhtt-ia-grai"])
    actor: str | None = Field(default=None, max_length=100, examples=["can-bo-ksor-h"])


class ReadView(Reply):
    notice_id: str
    unit_id: str
    read_at: datetime
    read_by: str | None = None
    created: bool = Field(description="False when the unit had read it already.")


class DeliveryReportRequest(Request):
    """A provider's delivery-report callback (SMS, Zalo), relayed by the gateway."""

    channel: ChannelName
    provider_message_id: str = Field(min_length=1, max_length=200, examples=["sms-7f3a"])
    status: Literal["delivered", "failed"]
    reason: str | None = Field(default=None, max_length=500,
                               examples=["Thuê bao tạm thời không liên lạc được"])


class DeliveryReportResult(Reply):
    delivery_id: str
    status: str = Field(examples=["delivered"])
    changed: bool = Field(description="False for a repeated or late report (nothing changed).")


# --- bulletins -------------------------------------------------------------------------------

class BulletinRequest(Request):
    commune_id: str = Field(min_length=1, max_length=100, examples=["gl-xa-iahrung"])
    period_start: date = Field(examples=["2021-03-01"])
    period_end: date = Field(examples=["2021-03-07"])


class BulletinView(Reply):
    commune_id: str
    commune_name: str
    period_start: date
    period_end: date
    languages: list[str]
    notice_ids: list[str]
    text: str = Field(description="Plain-text script for the commune loudspeaker.")
    filename: str = Field(examples=["ban-tin-gl-xa-iahrung-2021-03-01-2021-03-07.txt"])
