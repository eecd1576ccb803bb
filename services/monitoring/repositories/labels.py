"""Operators' labels: the `item_labels` collection, one document per labelled item (the
latest judgement, the machine's verdict then, earlier judgements), and the labelled items as
a dataset (text and labels) for training and evaluation."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

from pymongo import DESCENDING

from services.contracts import monitoring_labels as ml
from services.monitoring.domain.labels import ItemLabel
from services.monitoring.domain.text import BOUNDARY
from services.monitoring.repositories.items import ITEMS
from services.monitoring.repositories.paging import HIDDEN, ListedNewestFirst, filters, sort_key
from services.runtime.mongo_repository import Index

ITEM_LABELS = "item_labels"


def label_reply(label: ItemLabel) -> ml.LabelReply:
    confirmed, rejected, added = label.topic_review()
    return ml.LabelReply(
        item_id=label.item_id, outlet_unit_id=label.outlet_unit_id, title=label.title,
        labels=ml.LabelValues.model_validate(label.labels),
        machine=ml.MachineVerdict.model_validate(label.machine),
        confirmed_topics=confirmed, rejected_topics=rejected, added_topics=added,
        history=[ml.LabelValues.model_validate(h) for h in reversed(label.history)])


class LabelsRepository(ListedNewestFirst[ItemLabel]):
    collection = ITEM_LABELS
    stored_in = ITEM_LABELS
    # A judgement replaces the latest one: two at once, the later is retried on fresh reads.
    guarded_fields = frozenset({"revision"})
    indexes = (Index(ITEM_LABELS, "sort_key", (("sort_key", DESCENDING),)),)

    def document_of(self, aggregate: ItemLabel) -> dict[str, Any]:
        return {"_id": aggregate.item_id, "outlet_unit_id": aggregate.outlet_unit_id,
                "title": aggregate.title, "machine": aggregate.machine,
                "labels": aggregate.labels, "history": aggregate.history,
                "revision": len(aggregate.history),
                "topics": sorted({*(aggregate.labels.get("topics") or ()),
                                  *aggregate.machine.get("topics", ())}),
                "disagrees": aggregate.disagrees(),
                "labelled_by": aggregate.labels["by"],
                "sort_key": sort_key(aggregate.labelled_at, aggregate.item_id)}

    def aggregate_of(self, document: Mapping[str, Any]) -> ItemLabel:
        return ItemLabel(document["_id"], document.get("outlet_unit_id"),
                         document.get("title", ""), dict(document["machine"]),
                         dict(document["labels"]), list(document.get("history") or []))

    def page(self, request: ml.ListLabelsRequest) -> tuple[list[ItemLabel], str | None]:
        """Latest labelled first."""
        query = filters(("topics", request.topic), ("labelled_by", request.labelled_by),
                        ("disagrees", request.disagreement))
        return self._newest_first(query, request.after, request.limit)

    def all(self) -> Iterator[ItemLabel]:
        """Every label (the counts of people's precision read them all: labels are few)."""
        for document in self._records.find({}, {"history": 0, **HIDDEN}):
            yield self.aggregate_of(document)

    def labelled_items(self, judged: str | None = None,
                       limit: int | None = None) -> Iterator[ml.LabelledItem]:
        """Labelled items with their text and latest labels, oldest label first, in the
        schema of services/monitoring/data/eval/*.jsonl (`judged`: only items where that
        field was judged). What the learned model trains on."""
        query: dict[str, Any] = {"labels.judged": judged} if judged else {}
        cursor = self._records.find(query, {"history": 0, **HIDDEN}).sort("sort_key", 1)
        if limit:
            cursor = cursor.limit(limit)
        rows = iter(cursor)
        while chunk := list(islice(rows, 200)):  # one read of their items per 200 labels
            items = {d["_id"]: d for d in self._collection(ITEMS).find(
                {"_id": {"$in": [label["_id"] for label in chunk]}},
                {"title": 1, "text": 1, "url": 1, "guid": 1, "published_at": 1})}
            for label in chunk:
                item = items.get(label["_id"])
                if item is not None:
                    yield labelled_item(label, item)


def labelled_item(label: Mapping[str, Any], item: Mapping[str, Any]) -> ml.LabelledItem:
    labels = label["labels"]
    text = str(item.get("text") or "")
    body = text.split(BOUNDARY, 1)[-1].strip()
    judged = list(labels.get("judged") or [])
    return ml.LabelledItem(
        id=label["_id"], title=item.get("title") or "", body=body, url=item.get("url"),
        guid=item.get("guid"), published=item.get("published_at"),
        topics=labels.get("topics"), places=labels.get("places"),
        harmful=labels.get("harmful"),
        dup_of=labels.get("duplicate_of") if "duplicate_of" in judged else None,
        judged=judged, labelled_by=labels["by"], labelled_at=labels["at"])
