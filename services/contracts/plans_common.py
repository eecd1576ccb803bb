"""What every RPC payload of the plans service shares: the request and reply bases, common
fields and vocabularies. The payloads are split by capability: `plans_units.py` (units and
groups), `plans_documents.py` (plans themselves), `plans_tasks.py`, `plans_reports.py`
(progress reports), `plans_changes.py` (corrections, roll-over) and `plans_reporting.py`
(progress, exports, audit, deadlines, receipts, the upward report).

Every request model forbids unknown fields. `actor` is the authenticated user id the gateway
passes (stored in the audit journal); `idempotency_key` makes a retried command return the
first result instead of doing the work twice. Dates are ISO (`2021-02-25`), instants are
ISO 8601 with an offset. Errors: `not_found` (404), `conflict` (409), `invalid_transition`
(409), `validation_failed` (422, `details.errors` with `line`/`field` for import files).
"""

from __future__ import annotations

from datetime import date
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from services.contracts.inbound import Inbound

Day = date  # a field below is named `date`
ItemT = TypeVar("ItemT")


class Request(Inbound):
    """Base of RPC requests: unknown fields are an error, not silently dropped."""


class Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")


Actor = Field(default="system", min_length=1, max_length=100, examples=["can-bo-ttbcxb-01"],
              description="Authenticated user id (audit journal).")
IdempotencyKey = Field(
    default=None, max_length=100, examples=["8f3c2a1e-import-25-kh"],
    description="Retrying with the same key returns the first result instead of a duplicate.")
# The gateway's path parameters take these lengths too.
PLAN_ID_MAX_LENGTH = TASK_ID_MAX_LENGTH = 200
PlanId = Field(min_length=1, max_length=PLAN_ID_MAX_LENGTH, examples=["plan-25-kh-stttt-2021"])
TaskId = Field(min_length=1, max_length=TASK_ID_MAX_LENGTH, examples=["press-bgl-coverage"])
UnitId = Field(min_length=1, max_length=100, examples=["bao-gia-lai"])
Limit = Field(default=50, ge=1, le=200)
Cursor = Field(default=None, max_length=200, description="next_cursor of the previous page.")


class PageRequest(Request):
    """A request for one page of a listing: where the previous page ended, and the size."""

    after: str | None = Cursor
    limit: int = Limit

UnitType = Literal["department", "press_outlet", "district_culture_office", "culture_centre",
                   "commune", "party_or_state_body"]
PressSubtype = Literal["local", "central", "sectoral", "other_province_office"]
ContactKind = Literal["email", "sms", "zalo", "telegram", "webhook"]
TopicName = Literal["drugs", "human_trafficking", "loan_sharking", "high_tech_crime",
                    "child_abuse", "weapons_gangs", "murder", "robbery", "resisting_officers",
                    "youth_crime", "cross_border_crime", "gambling"]
ChannelName = Literal["press", "radio", "television", "e_newspaper", "portal", "bulletin",
                      "propaganda_document", "loudspeaker", "mobile_van", "social_media",
                      "meeting", "other"]
MetricName = Literal["articles", "broadcasts", "mobile_van_sessions", "loudspeaker_broadcasts",
                     "documents", "meetings", "inspections"]
PeriodName = Literal["monthly", "quarterly", "yearly", "whole_plan"]
DocumentFormat = Literal["yaml", "json"]


class Page(Reply, Generic[ItemT]):
    """One page of a listing; `next_cursor` is None after the last page. A listing's reply
    names its items (`class AuditPage(Page[AuditEntryModel])`), so its schema keeps its name."""

    items: list[ItemT]
    next_cursor: str | None = None

