"""RPC payloads of the notifications service (requests validated by `@rpc_method`, replies as
dumped by the service). The gateway builds its HTTP routes from these models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from services.contracts.inbound import Inbound

ItemT = TypeVar("ItemT")
ChannelName = Literal["email", "sms", "zalo", "telegram", "webhook", "inbox"]
PriorityName = Literal["normal", "high", "critical"]
NoticeKindName = Literal["plan_issued", "task_assigned", "task_due_soon", "task_overdue",
                         "alert", "guidance"]
LanguageCode = str


def _former_policy_name(value: Any) -> Any:
    """`send_vi_now` was the first name of `vi_first`; stored notices and older clients
    still use it."""
    return "vi_first" if value == "send_vi_now" else value


TranslationPolicyName = Annotated[Literal["wait", "vi_first"],
                                  BeforeValidator(_former_policy_name)]
TRANSLATION_POLICY_HELP = (
    "What a unit whose audience reads Jrai (jra) or Bahnar (bdq) receives before its "
    "translation is approved (units reading only Vietnamese always get the notice at once). "
    "`vi_first`: the Vietnamese copy now, each translation as soon as an officer approves it. "
    "`wait`: nothing until every translation the unit needs is approved, then all versions "
    "together; at `translation_deadline` the Vietnamese copy goes anyway and each "
    "translation follows when approved. Critical notices always behave as `vi_first`. "
    "(`send_vi_now` is accepted as the former name of `vi_first`.)")
AS_OF_HELP = (
    "The date the recipients are resolved on: groups hold the units that existed then, units "
    "and the issuer bear the names they had then. Default: for a notice of a plan, a day of "
    "the plan's period (today while its year runs, else the day it was issued); otherwise "
    "today.")
TRANSLATION_DEADLINE_HELP = (
    "Policy `wait` only: when the Vietnamese copy goes to units whose translation is still "
    "not approved. Default: 48 hours after the notice is sent, and never later than halfway "
    "to `ack_deadline`.")
DEFAULT_CHANNEL_ORDER: tuple[ChannelName, ...] = ("inbox", "email", "zalo", "telegram",
                                                 "webhook", "sms")


class Request(Inbound):
    """Base of RPC requests: unknown fields are an error, not silently dropped."""


class Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Page(Reply, Generic[ItemT]):
    """One page of a listing; `next_cursor` is None after the last page. A listing's reply
    names its items (`class NoticePage(Page[NoticeView])`), so its schema keeps its name."""

    items: list[ItemT]
    next_cursor: str | None = None


# --- recipients ------------------------------------------------------------------------------

class RecipientContact(Inbound):
    channel: ChannelName
    address: str = Field(max_length=500, examples=["vanphong@chupah.gialai.example.org",
                                                   "https://hooks.example.org/gl-bao",
                                                   "+84912345678"])
    active: bool = True


# A time of day, 00:00 to 23:59 (the schema says so, not only the service).
TIME_OF_DAY = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class QuietHoursModel(Inbound):
    start: str = Field(pattern=TIME_OF_DAY, examples=["21:00"])
    end: str = Field(pattern=TIME_OF_DAY, examples=["06:30"],
                     description="Different from `start`; before it means overnight.")

    @model_validator(mode="after")
    def _a_span(self) -> QuietHoursModel:
        if self.start == self.end:
            raise ValueError("quiet hours must end at another time than they start")
        return self


class PreferencesModel(Inbound):
    channel_order: list[ChannelName] = Field(
        default_factory=lambda: list(DEFAULT_CHANNEL_ORDER), min_length=1,
        max_length=len(DEFAULT_CHANNEL_ORDER), json_schema_extra={"uniqueItems": True},
        description="Channels in order, each once: the first usable one is tried first, "
                    "then fallbacks.")
    quiet_hours: QuietHoursModel | None = Field(
        default=None, description="Local time (Asia/Ho_Chi_Minh); critical notices bypass it.")
    digest_at: str | None = Field(
        default=None, pattern=TIME_OF_DAY, examples=["16:30"],
        description="Normal-priority notices are held for a daily digest sent at this time.")

    @field_validator("channel_order")
    @classmethod
    def _each_channel_once(cls, order: list[str]) -> list[str]:
        if len(set(order)) != len(order):
            raise ValueError("each channel may appear once in the order")
        return order


class RecipientFormerName(Inbound):
    name: str = Field(min_length=1, max_length=300,
                      examples=["Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai"])
    until: date = Field(examples=["2025-02-28"], description="Last day of this name.")


class RecipientUnitModel(Request):
    """A recipient organisation unit in the local directory (`upsert_recipient`)."""

    unit_id: str = Field(min_length=1, max_length=100, examples=["gl-vhtt-chupah"])
    name: str = Field(min_length=1, max_length=300,
                      examples=["Phòng Văn hóa và Thông tin huyện Chư Păh"])
    parent_id: str | None = Field(default=None, max_length=100, examples=["gl-ubnd-chupah"])
    unit_type: str | None = Field(default=None, max_length=100, examples=["culture_office"])
    area_code: str | None = Field(default=None, max_length=50, examples=["624"])
    groups: list[str] = Field(default_factory=list, max_length=50,
                              examples=[["press_outlets", "culture_offices:624"]],
                              description="Group names the unit belongs to ('group:<name>').")
    languages: list[LanguageCode] = Field(default_factory=lambda: ["vi"], max_length=10,
                                          examples=[["vi", "jra"]])
    contacts: list[RecipientContact] = Field(default_factory=list, max_length=50)
    preferences: PreferencesModel = Field(default_factory=PreferencesModel)
    webhook_secret: str | None = Field(
        default=None, max_length=200, examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        description="Standard Webhooks secret used to sign this unit's webhook deliveries.")
    valid_from: date | None = Field(default=None, examples=["2021-01-01"],
                                    description="First day the unit exists (units from plans).")
    valid_to: date | None = Field(default=None, examples=["2025-06-30"],
                                  description="Last day the unit exists; null while it does.")
    former_names: list[RecipientFormerName] = Field(
        default_factory=list, max_length=20,
        description="Names it bore before a renaming: notices as of an earlier date use them.")


class GetRecipientRequest(Request):
    unit_id: str = Field(min_length=1, max_length=100)


class ListRecipientsRequest(Request):
    group: str | None = Field(default=None, max_length=100, examples=["press_outlets"])
    after: str | None = Field(default=None, max_length=100)
    limit: int = Field(default=100, ge=1, le=1000)


class ImportRecipientsRequest(Request):
    recipients: list[RecipientUnitModel] = Field(min_length=1, max_length=1000)


class ImportRecipientsResult(Reply):
    imported: int = Field(examples=[2], description="Units written (created or replaced).")


class DeletedRecipient(Reply):
    unit_id: str
    deleted: bool = Field(description="False when the directory did not hold the unit.")


class SetPreferencesRequest(Request):
    """A unit's own delivery preferences (its editor may change them)."""

    unit_id: str = Field(min_length=1, max_length=100, examples=["pvhtt-ia-grai"])
    preferences: PreferencesModel
    actor: str | None = Field(default=None, max_length=100, examples=["bien-tap-bao-gia-lai"])


class RecipientView(Reply):
    unit_id: str
    name: str
    parent_id: str | None = None
    unit_type: str | None = None
    area_code: str | None = None
    groups: list[str] = []
    languages: list[str] = ["vi"]
    contacts: list[RecipientContact] = []
    preferences: PreferencesModel = PreferencesModel()
    has_webhook_secret: bool = False
    valid_from: date | None = None
    valid_to: date | None = None
    former_names: list[RecipientFormerName] = []
    source: str = Field(default="local", examples=["local", "plans"])


class RecipientPage(Page[RecipientView]):
    pass


# --- channels and templates ------------------------------------------------------------------

class ConfigureChannelRequest(Request):
    """Provider settings of one channel, stored as data (no restart). Fields left out keep
    their current value (or the default from settings)."""

    channel: ChannelName
    enabled: bool | None = None
    smtp_host: str | None = Field(default=None, max_length=200, examples=["smtp.gialai.gov.vn"])
    smtp_port: int | None = Field(default=None, ge=1, le=65535, examples=[587])
    smtp_sender: str | None = Field(default=None, max_length=200,
                                    examples=["thongbao@svhttdl.gialai.gov.vn"])
    smtp_starttls: bool | None = None
    smtp_username: str | None = Field(default=None, max_length=200)
    smtp_password: str | None = Field(default=None, max_length=200)
    provider_base_url: str | None = Field(default=None, max_length=500,
                                          examples=["https://sms-gateway.example.vn/api"])
    provider_token: str | None = Field(default=None, max_length=500)
    timeout_seconds: float | None = Field(default=None, gt=0, le=120, examples=[5])
    rate_capacity: float | None = Field(default=None, gt=0, le=100_000)
    rate_per_second: float | None = Field(default=None, gt=0, le=100_000)
    max_attempts: int | None = Field(default=None, ge=1, le=20)
    retry_base_seconds: float | None = Field(default=None, gt=0, le=3600)
    retry_max_seconds: float | None = Field(default=None, gt=0, le=86_400)
    sms_max_parts: int | None = Field(default=None, ge=1, le=10)
    sms_unaccent: Literal["never", "always", "if_oversize"] | None = None
    max_body_bytes: int | None = Field(default=None, ge=100, le=10_000_000)


class ChannelView(Reply):
    channel: str
    enabled: bool = True
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_sender: str | None = None
    smtp_starttls: bool = False
    smtp_username: str | None = None
    provider_base_url: str | None = None
    has_provider_token: bool = False
    timeout_seconds: float
    rate_capacity: float
    rate_per_second: float
    max_attempts: int
    retry_base_seconds: float
    retry_max_seconds: float
    sms_max_parts: int = 5
    sms_unaccent: str = "if_oversize"
    max_body_bytes: int


class ConfigureEscalationRequest(Request):
    """Fields left out keep their value."""

    department_unit_id: str | None = Field(
        default=None, max_length=100, examples=["gl-svhttdl"],
        description="Where escalations go for a unit without a parent.")
    reminder_delay_seconds: float | None = Field(
        default=None, ge=0, le=30 * 86_400, examples=[0],
        description="After the ack deadline, when the unit gets a reminder.")
    escalation_delay_seconds: float | None = Field(
        default=None, gt=0, le=60 * 86_400, examples=[86_400],
        description="After the ack deadline, when its parent (or the Department) is told.")


class GetEscalationRequest(Request):
    pass


class EscalationView(Reply):
    department_unit_id: str
    reminder_delay_seconds: float
    escalation_delay_seconds: float


class TemplateKeyRequest(Request):
    kind: NoticeKindName
    language: LanguageCode = Field(default="vi", max_length=10)


class SaveTemplateRequest(Request):
    """Rejected with `invalid_template` (details.errors: part, line, message) when a part does
    not compile or uses an unknown variable."""

    kind: NoticeKindName
    language: LanguageCode = Field(default="vi", max_length=10)
    subject: str = Field(min_length=1, max_length=1000,
                         examples=["[Khẩn] {{ notice_subject }}"],
                         description="Jinja2; the variables every kind has (notice_subject, "
                                     "recipient_name, sender_name, ...) and the kind's own.")
    text: str = Field(min_length=1, max_length=50_000)
    html: str | None = Field(default=None, max_length=200_000)


class TemplateView(Reply):
    kind: str
    language: str
    subject: str
    text: str
    html: str | None = None
    source: str = Field(examples=["default", "saved"])


# --- notices ---------------------------------------------------------------------------------

class CreateNoticeRequest(Request):
    """Free-form guidance written by an officer (the other kinds come from events)."""

    kind: Literal["guidance"] = "guidance"
    subject: str = Field(min_length=1, max_length=500, examples=[
        "Hướng dẫn tuyên truyền phòng, chống ma túy trong tháng 6/2021"])
    body: str = Field(min_length=1, max_length=20_000, examples=[
        "Đề nghị các cơ quan báo chí tăng thời lượng tuyên truyền về tác hại của ma túy."])
    priority: PriorityName = "normal"
    recipients: list[str] = Field(min_length=1, max_length=5000, examples=[
        ["gl-baogialai", "group:press_outlets"]],
        description="Unit ids, or 'group:<name>' for every unit of a group.")
    plan_id: str | None = Field(default=None, max_length=200)
    task_id: str | None = Field(default=None, max_length=200)
    ack_deadline: datetime | None = Field(default=None, examples=["2021-03-05T10:00:00+07:00"])
    expires_at: datetime | None = None
    translation_policy: TranslationPolicyName = Field(default="vi_first", examples=["wait"],
                                                      description=TRANSLATION_POLICY_HELP)
    translation_deadline: datetime | None = Field(
        default=None, examples=["2021-03-02T17:00:00+07:00"],
        description=TRANSLATION_DEADLINE_HELP)
    as_of: date | None = Field(default=None, examples=["2021-02-25"], description=AS_OF_HELP)
    variables: dict[str, str | int | float | None] = Field(default_factory=dict, examples=[
        {"plan_number": "25/KH-STTTT"}])
    created_by: str | None = Field(default=None, max_length=100, examples=["officer-nguyen"])
    idempotency_key: str | None = Field(default=None, max_length=100)


class GetNoticeRequest(Request):
    notice_id: str = Field(min_length=1, max_length=100)
    unit_ids: list[str] | None = Field(
        default=None, max_length=5000,
        description="Count only these units' deliveries (a unit-scoped caller's units).")


class ListNoticesRequest(Request):
    plan_id: str | None = None
    task_id: str | None = None
    unit_id: str | None = None
    kind: NoticeKindName | None = None
    after: str | None = Field(default=None, max_length=100, description="Cursor: a notice id.")
    limit: int = Field(default=50, ge=1, le=500)


class UnreachableRecipient(Reply):
    unit_id: str
    reason: str = Field(examples=["unknown_recipient", "no_usable_contact"])
    channels_considered: list[str] = []


class NoticeView(Reply):
    id: str
    kind: str
    category: str
    subject: str
    body: str
    priority: str
    status: str
    recipients: list[str]
    plan_id: str | None = None
    task_id: str | None = None
    ack_deadline: datetime | None = None
    expires_at: datetime | None = None
    translation_policy: str = Field(description=TRANSLATION_POLICY_HELP)
    translation_deadline: datetime | None = Field(default=None,
                                                  description=TRANSLATION_DEADLINE_HELP)
    created_at: datetime
    as_of: date | None = Field(default=None, description=AS_OF_HELP)
    issuer_unit_id: str | None = Field(default=None, examples=["gl-stttt"])
    sender_name: str | None = Field(
        default=None, examples=["Sở Thông tin và Truyền thông tỉnh Gia Lai"],
        description="The signature: the issuer's name on `as_of`.")
    inactive_recipients: list[str] = Field(
        default_factory=list, description="Units named one by one that did not exist on "
                                          "`as_of` (sent to all the same: an officer named "
                                          "them).")
    unreachable: list[UnreachableRecipient] = []
    unsupported_languages: dict[str, list[str]] = {}
    deliveries: dict[str, int] = Field(
        default_factory=dict, examples=[{"delivered": 5, "held": 1, "retrying": 1}],
        description="Deliveries by status, the statuses of `GET /notices/{id}/deliveries` "
                    "(one delivery per unit, channel and language).")
    acknowledged_units: list[str] = []


class NoticePage(Page[NoticeView]):
    pass


class InboxRequest(Request):
    unit_id: str = Field(min_length=1, max_length=100, examples=["gl-baogialai"])
    unacknowledged_only: bool = False
    after: str | None = Field(default=None, max_length=100)
    limit: int = Field(default=50, ge=1, le=500)


class InboxItem(Reply):
    notice_id: str
    kind: str
    priority: str
    subject: str
    text: str
    language: str = Field(default="vi", examples=["jra"], description=(
        "The version shown: the unit's own language once that version is delivered, "
        "else Vietnamese."))
    languages: list[str] = Field(default_factory=list, examples=[["vi", "jra"]],
                                 description="Every version the unit received so far.")
    created_at: datetime
    ack_deadline: datetime | None = None
    read_at: datetime | None = None
    acknowledged_at: datetime | None = None


class InboxPage(Page[InboxItem]):
    pass


class AcknowledgeRequest(Request):
    """Acknowledge by the signed link's token, or by (notice_id, unit_id) through the API."""

    token: str | None = Field(default=None, max_length=2000)
    notice_id: str | None = Field(default=None, max_length=100)
    unit_id: str | None = Field(default=None, max_length=100)
    actor: str | None = Field(default=None, max_length=100, examples=["can-bo-tran"])

    @model_validator(mode="after")
    def _one_way(self) -> AcknowledgeRequest:
        if self.token is None and (self.notice_id is None or self.unit_id is None):
            raise ValueError("give a token, or both notice_id and unit_id")
        return self


class AckView(Reply):
    notice_id: str
    unit_id: str
    acknowledged_at: datetime
    via: str
    late: bool
    created: bool = Field(description="False when the unit had already acknowledged.")


def page(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}
