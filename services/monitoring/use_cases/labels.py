"""Operators correct the machine: an officer's judgement of an item (latest wins, earlier ones
kept), the labels listed and exported as a dataset, and people's precision per topic counted
for Prometheus and coverage."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from services.contracts import monitoring
from services.contracts import monitoring_labels as ml
from services.contracts.errors import not_found, validation_failed
from services.monitoring.domain.labels import ItemLabel, count_labels
from services.monitoring.metrics import (
    LABEL_TOPIC_ADDED,
    LABEL_TOPIC_CONFIRMED,
    LABEL_TOPIC_PRECISION,
    LABEL_TOPIC_REVIEWED,
)
from services.monitoring.repositories.labels import label_reply
from services.monitoring.use_cases.context import Context
from services.runtime.unit_of_work import StaleWrite, retrying


def _known(values: list[str], known: Collection[str], field: str, what: str) -> list[str]:
    """`values` without repeats, each one known, else a 422 naming the first unknown."""
    for index, value in enumerate(values):
        if value not in known:
            raise validation_failed(f"unknown {what} {value!r}", [field, str(index)], "unknown",
                                    value)
    return list(dict.fromkeys(values))


def known_places(ctx: Context) -> Collection[str]:
    return ctx.ingestion.reference.gazetteer.places.keys()


def judgement(request: ml.LabelItemRequest, ctx: Context) -> dict[str, Any]:
    """The labels a request gives, checked: topics of the taxonomy, places of the gazetteer,
    an original that exists and is another item."""
    given = request.model_fields_set
    judged = [name for name in ml.LABEL_FIELDS if name in given
              and (name == "duplicate_of" or getattr(request, name) is not None)]
    if not judged:
        raise validation_failed("nothing judged: give topics, places, harmful and/or "
                                "duplicate_of", ["topics"], "missing", "no label given")
    labels: dict[str, Any] = {"judged": judged, "note": request.note, "by": request.actor,
                              "at": ctx.now()}
    if request.topics is not None:
        labels["topics"] = _known(request.topics, ctx.uow.topics.taxonomy()["topics"],
                                  "topics", "topic")
    if request.places is not None:
        labels["places"] = _known(request.places, known_places(ctx), "places", "place")
    if request.harmful is not None:
        labels["harmful"] = request.harmful
    if "duplicate_of" in judged:
        original = request.duplicate_of
        if original == request.item_id:
            raise validation_failed("an item is not a copy of itself", ["duplicate_of"],
                                    "self_reference", original)
        if original is not None and not ctx.uow.items.exists(original):
            raise validation_failed(f"unknown item {original!r}", ["duplicate_of"], "unknown",
                                    original)
        labels["duplicate_of"] = original
    return labels


def machine_verdict(item: monitoring.ItemReply) -> dict[str, Any]:
    return {"topics": [t.topic for t in item.topics], "place_ids": list(item.place_ids),
            "harmful": item.harmful.flag, "harmful_score": item.harmful.score,
            "duplicate_of": item.duplicate_of}


def label_item(request: ml.LabelItemRequest, ctx: Context) -> ml.LabelReply:
    """Confirms or corrects an item's topics, places, harmful flag and duplicate link."""
    def label() -> ItemLabel:
        with ctx.uow as uow:
            item = uow.items.reply(request.item_id)
            if item is None:
                raise not_found(f"item {request.item_id}")
            labels = judgement(request, ctx)
            machine = machine_verdict(item)
            found = uow.labels.get(request.item_id)
            if found is None:
                found = ItemLabel.first(item.id, item.outlet_unit_id, item.title, machine,
                                        labels)
                uow.labels.add(found)
            else:
                found.relabel(labels, machine)
            if uow.labels.refused(uow.commit(), found):
                raise StaleWrite(f"item {item.id} labelled meanwhile")  # retried on it
            return found
    done = retrying(label)
    refresh_label_gauges(ctx)
    return label_reply(done)


def list_labels(request: ml.ListLabelsRequest, ctx: Context) -> monitoring.Page:
    labels, cursor = ctx.uow.labels.page(request)
    return monitoring.Page(items=[label_reply(x) for x in labels], next_cursor=cursor)


def export_labels(request: ml.ExportLabelsRequest, ctx: Context) -> ml.LabelsExport:
    """One JSON line per labelled item (text and labels), as services/monitoring/data/eval."""
    lines = [json.dumps(item.as_eval_row(), ensure_ascii=False)
             for item in ctx.uow.labels.labelled_items(request.judged, request.limit)]
    return ml.LabelsExport(filename="labels.jsonl", content="".join(f"{x}\n" for x in lines),
                           lines=len(lines))


def label_precision(ctx: Context, topic: str | None = None) -> list[monitoring.TopicPrecision]:
    counts = count_labels(ctx.uow.labels.all())
    return [monitoring.TopicPrecision(
        topic=name, reviewed=counts.reviewed.get(name, 0),
        confirmed=counts.confirmed.get(name, 0), precision=counts.precision(name),
        added=counts.added.get(name, 0))
        for name in counts.topics() if topic is None or name == topic]


def refresh_label_gauges(ctx: Context) -> None:
    """People's precision per topic, from every label (a timer refreshes it in each
    replica)."""
    for row in label_precision(ctx):
        LABEL_TOPIC_REVIEWED.labels(row.topic).set(row.reviewed)
        LABEL_TOPIC_CONFIRMED.labels(row.topic).set(row.confirmed)
        LABEL_TOPIC_ADDED.labels(row.topic).set(row.added)
        if row.precision is not None:
            LABEL_TOPIC_PRECISION.labels(row.topic).set(row.precision)
