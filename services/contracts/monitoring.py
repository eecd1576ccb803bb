"""RPC payloads of the monitoring service.

Every request model forbids unknown fields. Pushes are idempotent by nature: an item's id is
derived from its GUID or normalised URL (or its content when it has neither), so a retried
push answers `duplicate` instead of storing the item twice. Dates are ISO (`2021-02-25`),
instants ISO 8601 with an offset. Errors: `not_found` (404), `validation_failed` (422),
`payload_too_large` (413), `conflict` (409).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.contracts.inbound import Inbound


class Request(Inbound):
    """Unknown fields are an error, not silently dropped."""


class Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")


Actor = Field(default="system", min_length=1, max_length=100, examples=["can-bo-ttbcxb-01"],
              description="Authenticated user id.")
Limit = Field(default=50, ge=1, le=500)
Cursor = Field(default=None, max_length=200, description="next_cursor of the previous page.")
SourceId = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$",
                 examples=["bao-gia-lai-rss"])
TopicId = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$", examples=["drugs"])
PLACE_ID = r"^[a-z0-9_.]+$"
DEFAULT_PLACE = ("A place id of the gazetteer (unknown: 422). Context for a name that several "
                 "places share, and the item's place when nothing its text names lies outside "
                 "it (services/monitoring/data/README.md).")


class PageRequest(Request):
    """A request for one page of a listing: where the previous page ended, and the size."""

    after: str | None = Cursor
    limit: int = Limit


SourceKind = Literal["feed", "page", "social"]
SourceChannel = Literal["press", "portal", "social", "other"]
ItemOutcome = Literal["stored", "duplicate", "rejected"]
AlertStatus = Literal["open", "acknowledged", "resolved"]
AlertKind = Literal["rule", "spike", "source_health"]
Period = Literal["day", "week", "month"]

MAX_TITLE = 1_000
MAX_BODY = 200_000  # characters of one pushed item
MAX_BATCH = 500


class Page(Reply):
    items: list[Any]
    next_cursor: str | None = None


# -- sources ------------------------------------------------------------------------------


class SourceModel(Inbound):
    """A watched source. `feed` and `page` sources are polled; `social` ones receive pushes
    from a connector (a crawler of a fan page, group or account)."""

    id: str = SourceId
    name: str = Field(min_length=1, max_length=300, examples=["Báo Gia Lai - Pháp luật (RSS)"])
    kind: SourceKind = Field(examples=["feed"])
    channel: SourceChannel = Field(default="press", examples=["press"],
                                   description="Stored on each of its items.")
    default_place: str | None = Field(default=None, max_length=100, pattern=PLACE_ID,
                                      examples=["pleiku"], description=DEFAULT_PLACE)
    url: str | None = Field(default=None, max_length=2000,
                            examples=["https://baogialai.com.vn/rss/phap-luat.rss"],
                            description="Required for feed and page sources.")
    outlet_unit_id: str | None = Field(default=None, max_length=100, examples=["bao-gia-lai"],
                                       description="Organisation unit (plans) of the outlet.")
    collections: list[str] = Field(default_factory=list, max_length=20,
                                   examples=[["bao-chi-dia-phuong", "an-ninh-trat-tu"]])
    poll_interval_seconds: float = Field(default=900.0, ge=5, le=86_400,
                                         description="Base interval; adapted to activity.")
    language: str = Field(default="vi", min_length=2, max_length=10, examples=["vi"])
    trust: float = Field(default=0.8, ge=0, le=1, description="0 = anonymous, 1 = official.")
    enabled: bool = True


class UpsertSourceRequest(Request):
    source: SourceModel
    actor: str = Actor


class SourceRef(Request):
    source_id: str = SourceId


class ListSourcesRequest(PageRequest):
    kind: SourceKind | None = None
    collection: str | None = Field(default=None, max_length=100, examples=["an-ninh-trat-tu"])
    outlet_unit_id: str | None = Field(default=None, max_length=100)
    healthy: bool | None = None


class SourceReply(Reply):
    id: str
    name: str
    kind: SourceKind
    channel: SourceChannel
    default_place: str | None = None
    url: str | None
    outlet_unit_id: str | None
    collections: list[str]
    poll_interval_seconds: float
    current_interval_seconds: float
    language: str
    trust: float
    enabled: bool
    healthy: bool = True
    health_reason: str | None = None
    consecutive_failures: int = 0
    last_outcome: str | None = Field(default=None, examples=["ok", "not_modified", "http_404"])
    last_polled_at: datetime | None = None
    last_item_at: datetime | None = None
    next_poll_at: datetime | None = None
    items_total: int = 0


class PollResult(Reply):
    source_id: str
    outcome: str = Field(examples=["ok", "not_modified", "http_410", "refused", "timeout"])
    detail: str | None = None
    http_status: int | None = None
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    next_poll_at: datetime | None = None


# -- items --------------------------------------------------------------------------------


class PushedItem(Inbound):
    """One article or post pushed by a crawler or a social connector."""

    title: str = Field(default="", max_length=MAX_TITLE,
                       examples=["Triệt phá đường dây mua bán ma túy tại Pleiku"])
    body: str = Field(default="", max_length=MAX_BODY, examples=[
        "Công an tỉnh Gia Lai vừa bắt giữ 3 đối tượng mua bán trái phép chất ma túy..."])
    url: str | None = Field(default=None, max_length=2000,
                            examples=["https://baogialai.com.vn/triet-pha-duong-day-ma-tuy.html"])
    guid: str | None = Field(default=None, max_length=500, examples=["fb:post:1234567890"])
    published_at: datetime | str | None = Field(
        default=None, examples=["2021-03-10T08:30:00+07:00", "10/03/2021 08:30"],
        description="ISO 8601, or as the site writes it (dd/mm/yyyy, '2 giờ trước').")
    source_id: str | None = Field(default=None, max_length=100, examples=["fb-group-pleiku"])
    outlet_unit_id: str | None = Field(default=None, max_length=100, examples=["bao-gia-lai"],
                                       description="Default: the source's unit.")
    channel: SourceChannel | None = Field(default=None, examples=["social"],
                                          description="Default: the source's channel.")
    default_place: str | None = Field(default=None, max_length=100, pattern=PLACE_ID,
                                      examples=["pleiku"],
                                      description=DEFAULT_PLACE + " Default: the source's.")
    author: str | None = Field(default=None, max_length=300)


class PushItemRequest(Request):
    item: PushedItem


class PushItemsRequest(Request):
    items: list[PushedItem] = Field(min_length=1, max_length=MAX_BATCH)


class ItemResult(Reply):
    index: int
    outcome: ItemOutcome
    item_id: str | None = None
    duplicate_of: str | None = Field(default=None,
                                     description="Near-duplicate: the original's item id.")
    reason: str | None = Field(default=None, examples=["exact_repeat", "empty", "unknown_source"])


class PushResult(Reply):
    stored: int
    duplicates: int
    rejected: int
    results: list[ItemResult]


class ItemRef(Request):
    item_id: str = Field(min_length=1, max_length=100)


class ListItemsRequest(PageRequest):
    topic: str | None = Field(default=None, max_length=60, examples=["drugs"])
    place_id: str | None = Field(default=None, max_length=100, examples=["pleiku"])
    outlet_unit_id: str | None = Field(default=None, max_length=100, examples=["bao-gia-lai"])
    source_id: str | None = Field(default=None, max_length=100)
    channel: SourceChannel | None = None
    cluster_id: str | None = Field(default=None, max_length=100,
                                   description="A story: the items that tell it (its first "
                                               "item's id, its origin), near-copies and "
                                               "retellings in other words.")
    date_from: date | None = Field(default=None, examples=["2021-03-01"])
    date_to: date | None = Field(default=None, examples=["2021-03-31"])
    text: str | None = Field(default=None, min_length=2, max_length=200, examples=["ma túy"],
                             description="Substring of the normalised text (accents and "
                                         "case insensitive spellings normalised).")
    min_harmful: float | None = Field(default=None, ge=0, le=1)
    originals_only: bool = False


DEFAULT_TOPIC_THRESHOLD = 0.5  # data/topics.yaml defaults.threshold, unless a topic sets its own
DEFAULT_HARMFUL_THRESHOLD = 0.5  # data/harmful.yaml threshold
CANDIDATE_FLOOR = 0.2  # below-threshold topic scores from here up are shown as candidates
THRESHOLDS_NOTE = (
    f"Thresholds: a topic is assigned when its score reaches the topic's threshold (default "
    f"{DEFAULT_TOPIC_THRESHOLD}, per topic in GET /api/v1/topics/thresholds); an item is "
    f"harmful when its harmful score reaches the harmful threshold (default "
    f"{DEFAULT_HARMFUL_THRESHOLD}). Both are set through PUT /api/v1/topics/thresholds and "
    f"apply to items analysed afterwards; an item keeps the thresholds it was judged by. "
    f"Alert rules keep their own, usually stricter bars (min_harmful, min_topic_confidence).")


class TopicHit(Reply):
    """A topic's verdict on an item: its score against the topic's threshold."""

    topic: str
    confidence: float = Field(description="The topic's score (same as `score`; kept for old "
                                          "clients).")
    terms: list[str] = Field(default_factory=list, description="Matched terms of the topic.")
    score: float = Field(default=0.0, ge=0, le=1,
                         description="Noisy-OR of the matched terms' and rules' weights.")
    threshold: float | None = Field(
        default=None, ge=0, le=1,
        description=f"The topic's threshold when the item was analysed (default "
                    f"{DEFAULT_TOPIC_THRESHOLD}); null for items analysed before it was kept.")
    assigned: bool = Field(default=True, description="score ≥ threshold: the item has this "
                                                     "topic. False for candidates.")
    reasons: list[str] = Field(default_factory=list, examples=[["term:ma túy",
                                                                "rule:drugs_deal"]],
                               description="Why: `term:<phrase>` and `rule:<rule id>` matched.")


class HarmfulReason(Reply):
    signal: str = Field(examples=["rumour_panic", "phone", "reporting"],
                        description="Signal id of data/harmful.yaml, or a built-in pattern "
                                    "(phone, link, exclamation, caps); `reporting` damps.")
    kind: str = Field(default="", examples=["rumour", "incitement", "lure", "reporting"])
    evidence: str = Field(default="", description="The matched phrases or text.")
    weight: float | None = Field(default=None, description="The signal's contribution "
                                                           "(negative: a damping factor - 1).")


class HarmfulVerdict(Reply):
    """Whether an item is harmful ("thông tin xấu độc"): its score against the threshold."""

    flag: bool = Field(description="score ≥ threshold.")
    score: float = Field(ge=0, le=1, description="Noisy-OR of the matched signals, damped by "
                                                 "factual-reporting markers.")
    threshold: float = Field(ge=0, le=1, description=f"The harmful threshold when the item "
                                                     f"was analysed (default "
                                                     f"{DEFAULT_HARMFUL_THRESHOLD}).")
    reasons: list[HarmfulReason] = Field(default_factory=list,
                                         description="Matched signals with their evidence.")


class ItemReply(Reply):
    id: str
    source_id: str | None
    source_kind: str
    channel: SourceChannel | None = Field(default=None, description="The source's channel, "
                                          "or the one pushed with the item.")
    outlet_unit_id: str | None
    url: str | None
    guid: str | None
    title: str
    excerpt: str
    published_at: datetime | None
    day: date
    fetched_at: datetime
    topics: list[TopicHit] = Field(description="Assigned topics (score ≥ their threshold).")
    topic_candidates: list[TopicHit] = Field(
        default_factory=list,
        description=f"Topics scoring at least {CANDIDATE_FLOOR} but below their threshold: "
                    f"shown for review, NOT assigned (assigned: false).")
    place_ids: list[str]
    harmful: HarmfulVerdict = Field(description=THRESHOLDS_NOTE)
    harmful_score: float = Field(description="Same as harmful.score (kept for old clients).")
    harmful_reasons: list[str] = Field(description="harmful.reasons as `signal:evidence` "
                                                   "(kept for old clients).")
    duplicate_of: str | None = Field(description="The original this item nearly copies.")
    cluster_id: str = Field(description="The item's story: the id of the first item that "
                                        "told it (its own id when it is that item). Near-"
                                        "copies and retellings in other words (another "
                                        "outlet, a social repost) share it: list a story "
                                        "with `GET /items?cluster_id=`.")
    story_of: str | None = Field(default=None, description=(
        "The earlier item this one was linked to as telling the same story (None for a "
        "story's origin)."))
    story_reasons: list[str] = Field(default_factory=list, description=(
        "Why: `near_copy`, or the cosine of the TF-IDF vectors and the anchors both items "
        "share (`p:` place, `d:` date, `a:` age, `q:` quantity, `i:` initials)."))
    content_hash: str = Field(description="sha256 of the normalised text (evidence snapshot).")
    normalised_text: str | None = Field(default=None, description="Only from get_item.")


# -- alerts -------------------------------------------------------------------------------


class ListAlertsRequest(PageRequest):
    status: AlertStatus | None = None
    kind: AlertKind | None = None


class AlertActionRequest(Request):
    alert_id: str = Field(min_length=1, max_length=200)
    action: Literal["acknowledge", "resolve"]
    note: str | None = Field(default=None, max_length=2000,
                             examples=["Đã chuyển Công an tỉnh xác minh"])
    actor: str = Actor


class AlertReply(Reply):
    id: str
    kind: AlertKind
    severity: str
    title: str
    status: AlertStatus
    rule_id: str | None = None
    topic: str | None = None
    place_ids: list[str] = Field(default_factory=list)
    harmful_score: float | None = None
    reasons: list[str] = Field(default_factory=list)
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    source_id: str | None = None
    raised_at: datetime
    history: list[dict[str, Any]] = Field(default_factory=list)


class AlertRuleModel(Inbound):
    """Item rule: any listed topic (confidence ≥ min) and/or keyword, any listed place (empty:
    anywhere), harmful score ≥ min_harmful. One alert per rule and item with its near-copies
    (`count: items`), or per rule and story, retellings included (`count: stories`)."""

    id: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9_-]+$",
                    examples=["harmful_gia_lai"])
    topics: list[str] = Field(default_factory=list, max_length=50, examples=[["drugs"]])
    keywords: list[str] = Field(default_factory=list, max_length=100,
                                examples=[["bạo loạn", "biểu tình"]])
    places: list[str] = Field(default_factory=list, max_length=100,
                              examples=[["gia_lai", "pleiku"]])
    min_topic_confidence: float = Field(default=0.5, ge=0, le=1)
    min_harmful: float = Field(default=0.0, ge=0, le=1)
    severity: Literal["info", "warning", "high", "critical"] = "warning"
    max_per_hour: int = Field(default=5, ge=1, le=1000)
    count: Literal["items", "stories"] = Field(default="items", description=(
        "What raises one alert: an item and its near-copies (`items`), or a story, its "
        "retellings by other outlets and social pages included (`stories`)."))
    enabled: bool = True


class UpsertAlertRuleRequest(Request):
    rule: AlertRuleModel
    actor: str = Actor


class AlertRuleRef(Request):
    rule_id: str = Field(min_length=1, max_length=100)
    actor: str = Actor


class ListAlertRulesRequest(Request):
    pass


class SpikeSettingsModel(Inbound):
    k: float = Field(default=3.0, gt=0, le=20)
    min_count: int = Field(default=5, ge=1)
    baseline_days: int = Field(default=14, ge=1, le=90)
    min_days: int = Field(default=3, ge=1, le=90)
    count: Literal["items", "stories"] = "items"  # items, or the stories begun that day


# -- topics (taxonomy, editable at run time) ------------------------------------------------


class TopicModel(Inbound):
    """A topic definition, as in services/monitoring/data/topics.yaml."""

    id: str = TopicId
    label: str = Field(min_length=1, max_length=200, examples=["Ma túy"])
    threshold: float | None = Field(default=None, ge=0, le=1)
    terms: dict[str, float] = Field(default_factory=dict,
                                    examples=[{"ma túy": 0.85, "ma túy đá": 0.9}])
    exclude: list[str] = Field(default_factory=list, examples=[["ma trận"]])
    veto: list[str] = Field(default_factory=list)
    rules: list[dict[str, Any]] = Field(default_factory=list, examples=[[
        {"id": "drugs_deal", "query": '"mua bán" NEAR/4 "hàng trắng"', "weight": 0.5}]])


class UpsertTopicRequest(Request):
    topic: TopicModel
    actor: str = Actor


class TopicRef(Request):
    topic_id: str = TopicId
    actor: str = Actor


class ListTopicsRequest(Request):
    pass


# -- coverage -----------------------------------------------------------------------------


class CoverageRequest(Request):
    period: Period = "day"
    outlet_unit_id: str | None = Field(default=None, max_length=100, examples=["bao-gia-lai"])
    topic: str | None = Field(default=None, max_length=60, examples=["drugs"])
    date_from: date | None = Field(default=None, examples=["2021-03-01"])
    date_to: date | None = Field(default=None, examples=["2021-03-31"])
    limit: int = Field(default=1000, ge=1, le=10_000)


class CoverageRow(Reply):
    outlet_unit_id: str
    topic: str
    period: Period
    period_key: str = Field(examples=["2021-03-10", "2021-W10", "2021-03"])
    items: int = Field(description="Items the outlet published on the topic in the period.")
    stories: int = Field(default=0, description=(
        "Distinct stories among those items: near-copies and retellings of one story count "
        "once (items counted before stories were told apart count none)."))


class TopicPrecision(Reply):
    """People's precision of the machine on one topic (`harmful`: the harmful flag)."""

    topic: str
    reviewed: int = Field(description="Machine assignments an officer reviewed.")
    confirmed: int = Field(description="Of those, kept by the officer.")
    precision: float | None = Field(description="confirmed / reviewed (null: none reviewed).")
    added: int = Field(default=0, description="Items officers gave it that the machine missed.")


class CoverageReply(Reply):
    period: Period
    rows: list[CoverageRow]
    label_precision: list[TopicPrecision] = Field(
        default_factory=list, description="Per topic, of machine-assigned topics officers "
                                          "reviewed (PUT /items/{id}/labels), the share kept.")


class CsvExport(Reply):
    filename: str = Field(examples=["coverage-day.csv"])
    content_type: str = "text/csv; charset=utf-8"
    content: str


class ListAssignmentsRequest(Request):
    outlet_unit_id: str | None = Field(default=None, max_length=100)
    plan_id: str | None = Field(default=None, max_length=200)
    active_only: bool = True
