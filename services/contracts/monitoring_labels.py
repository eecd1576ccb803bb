"""RPC payloads of operators' labels on monitored items: an officer confirms or corrects an
item's topics, places, harmful flag and duplicate link (latest wins, earlier labels kept with
who and when); the labels are a dataset, listed, exported as JSONL in the schema of
services/monitoring/data/eval/*.jsonl, and counted (precision per topic as judged by people).
A field left out of a label is not judged (null in replies and exports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from services.contracts.monitoring import Actor, Cursor, Limit, PageRequest, Reply, Request

ItemIdField = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")
LABEL_FIELDS = ("topics", "places", "harmful", "duplicate_of")


class LabelItemRequest(Request):
    """What an officer says of an item: each field given is judged, a field left out is not.
    `duplicate_of`: an item id (a copy of that item) or null (not a copy)."""

    item_id: str = ItemIdField
    topics: list[str] | None = Field(
        default=None, max_length=20, examples=[["drugs"]],
        description="The item's topics, complete: a machine topic left out is judged "
                    "wrong.")
    places: list[str] | None = Field(
        default=None, max_length=50, examples=[["pleiku"]],
        description="Place ids the item mentions (services/monitoring/data/places.yaml).")
    harmful: bool | None = Field(default=None, description="Whether the item is harmful.")
    duplicate_of: str | None = Field(
        default=None, max_length=100, examples=[None],
        description="Given: the original's item id, or null for 'not a copy'. Left out: "
                    "not judged.")
    note: str | None = Field(default=None, max_length=2000,
                             examples=["Tin đồn, đã xác minh với Công an tỉnh"])
    actor: str = Actor


class LabelValues(Reply):
    """The labels of one judgement (null: not judged)."""

    topics: list[str] | None = None
    places: list[str] | None = None
    harmful: bool | None = None
    duplicate_of: str | None = None
    judged: list[str] = Field(default_factory=list, examples=[["topics", "harmful"]],
                              description="The fields the officer judged.")
    note: str | None = None
    by: str = Field(description="Who labelled (a user id).")
    at: datetime


class MachineVerdict(Reply):
    """What the machine said of the item when it was labelled."""

    topics: list[str] = Field(default_factory=list)
    place_ids: list[str] = Field(default_factory=list)
    harmful: bool = False
    harmful_score: float = 0.0
    duplicate_of: str | None = None


class LabelReply(Reply):
    item_id: str
    outlet_unit_id: str | None = None
    title: str = ""
    labels: LabelValues = Field(description="The latest labels (they win).")
    machine: MachineVerdict
    confirmed_topics: list[str] = Field(default_factory=list,
                                        description="Machine topics the officer kept.")
    rejected_topics: list[str] = Field(default_factory=list,
                                       description="Machine topics the officer removed.")
    added_topics: list[str] = Field(default_factory=list,
                                    description="Topics the machine missed.")
    history: list[LabelValues] = Field(default_factory=list,
                                       description="Earlier labels, newest first.")


class ListLabelsRequest(PageRequest):
    topic: str | None = Field(default=None, max_length=60, examples=["drugs"],
                              description="Items the officer or the machine gave this topic.")
    labelled_by: str | None = Field(default=None, max_length=100)
    disagreement: bool | None = Field(default=None, description="true: the officer corrected "
                                                                "the machine somewhere.")
    after: str | None = Cursor
    limit: int = Limit


class ExportLabelsRequest(Request):
    judged: str | None = Field(default=None, pattern="^(topics|places|harmful|duplicate_of)$",
                               description="Only items where this field was judged.")
    limit: int = Field(default=10_000, ge=1, le=50_000)


class LabelsExport(Reply):
    filename: str = Field(examples=["labels.jsonl"])
    content_type: str = "application/x-ndjson; charset=utf-8"
    content: str
    lines: int


class LabelledItem(Reply):
    """One labelled item for training and evaluation (the learned model reads these)."""

    id: str
    title: str
    body: str = Field(description="The normalised body text (the raw body is not stored).")
    url: str | None = None
    guid: str | None = None
    published: datetime | None = None
    topics: list[str] | None = None
    places: list[str] | None = None
    harmful: bool | None = None
    dup_of: str | None = None
    variant: str = "operator"
    judged: list[str] = Field(default_factory=list)
    labelled_by: str
    labelled_at: datetime

    def as_eval_row(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
