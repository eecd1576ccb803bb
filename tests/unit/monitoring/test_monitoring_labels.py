"""Operators' labels: a judgement replaces the latest (earlier ones kept with who and when),
what it confirms, rejects and adds against the machine, people's precision per topic, and the
use case refusing unknown items, topics, places and originals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from monitoring_fakes import fake_context

from services.contracts import monitoring_labels as ml
from services.contracts.errors import DomainError
from services.monitoring.domain.labels import ItemLabel, count_labels
from services.monitoring.use_cases import labels as use

pytestmark = pytest.mark.unit

NOW = datetime(2021, 3, 10, 8, 30, tzinfo=UTC)
MACHINE = {"topics": ["drugs", "gambling"], "place_ids": ["pleiku", "gia_lai"],
           "harmful": True, "harmful_score": 0.7, "duplicate_of": None}


def judged(by: str = "can-bo-01", at: datetime = NOW, **fields: Any) -> dict[str, Any]:
    return {**fields, "judged": list(fields), "note": None, "by": by, "at": at}


def test_a_new_judgement_wins_and_the_earlier_one_is_kept() -> None:
    label = ItemLabel("i1", "bao-gia-lai", "Tin", dict(MACHINE), judged(topics=["drugs"]))
    assert label.topic_review() == (["drugs"], ["gambling"], [])
    assert label.disagrees()
    later = judged("can-bo-02", NOW + timedelta(hours=1), topics=["drugs", "gambling"],
                   harmful=True)
    label.relabel(later, dict(MACHINE))
    assert label.labels["by"] == "can-bo-02" and label.history[0]["by"] == "can-bo-01"
    assert label.topic_review() == (["drugs", "gambling"], [], []) and not label.disagrees()


def test_people_s_precision_counts_reviewed_machine_topics_and_the_harmful_flag() -> None:
    labels = [
        ItemLabel("i1", None, "", dict(MACHINE), judged(topics=["drugs"], harmful=False)),
        ItemLabel("i2", None, "", dict(MACHINE), judged(topics=["drugs", "gambling", "murder"],
                                                        harmful=True)),
        ItemLabel("i3", None, "", {**MACHINE, "harmful": False}, judged(harmful=True)),
        ItemLabel("i4", None, "", dict(MACHINE), judged(places=["pleiku"])),  # topics unjudged
    ]
    counts = count_labels(labels)
    assert counts.reviewed == {"drugs": 2, "gambling": 2, "harmful": 2}
    assert counts.confirmed == {"drugs": 2, "gambling": 1, "harmful": 1}
    assert counts.added == {"murder": 1, "harmful": 1}
    assert (counts.precision("drugs"), counts.precision("gambling")) == (1.0, 0.5)
    assert counts.precision("murder") is None


class FakeItems:
    def __init__(self, known: dict[str, Any]) -> None:
        self.known = known

    def reply(self, item_id: str) -> Any:
        return self.known.get(item_id)

    def exists(self, item_id: str) -> bool:
        return item_id in self.known


def context():
    ctx = fake_context(NOW)
    for topic_id in ("drugs", "gambling", "murder"):
        ctx.uow.documents["topics"][topic_id] = {"_id": topic_id, "label": topic_id}
    item = SimpleNamespace(
        id="i1", outlet_unit_id="bao-gia-lai", title="Bắt sới bạc", place_ids=["pleiku"],
        topics=[SimpleNamespace(topic="gambling")], duplicate_of=None,
        harmful=SimpleNamespace(flag=False, score=0.1))
    ctx.uow.items = FakeItems({"i1": item, "i0": item})  # type: ignore[assignment]
    ctx.ingestion = SimpleNamespace(  # type: ignore[assignment]
        reference=SimpleNamespace(gazetteer=SimpleNamespace(places={"pleiku": None})))
    return ctx


def test_an_officer_confirms_and_corrects_an_item_and_the_history_is_kept() -> None:
    ctx = context()
    first = use.label_item(ml.LabelItemRequest(item_id="i1", topics=["gambling", "drugs"],
                                               harmful=False, actor="can-bo-01"), ctx)
    assert (first.confirmed_topics, first.added_topics) == (["gambling"], ["drugs"])
    assert first.labels.judged == ["topics", "harmful"] and first.labels.duplicate_of is None
    second = use.label_item(ml.LabelItemRequest(item_id="i1", duplicate_of="i0",
                                                actor="can-bo-02"), ctx)
    assert second.labels.judged == ["duplicate_of"] and second.labels.duplicate_of == "i0"
    assert [h.by for h in second.history] == ["can-bo-01"]
    assert use.label_precision(ctx) == []  # the latest judged no topics
    not_a_copy = use.label_item(ml.LabelItemRequest(item_id="i1", duplicate_of=None), ctx)
    assert not_a_copy.labels.judged == ["duplicate_of"]


@pytest.mark.parametrize(("fields", "code", "loc"), [
    ({"item_id": "nope", "harmful": True}, "not_found", None),
    ({"item_id": "i1"}, "validation_failed", ["topics"]),
    ({"item_id": "i1", "topics": ["drugs", "khong_co"]}, "validation_failed", ["topics", "1"]),
    ({"item_id": "i1", "places": ["atlantis"]}, "validation_failed", ["places", "0"]),
    ({"item_id": "i1", "duplicate_of": "i1"}, "validation_failed", ["duplicate_of"]),
    ({"item_id": "i1", "duplicate_of": "nope"}, "validation_failed", ["duplicate_of"]),
])
def test_unknown_items_topics_places_and_originals_are_refused(fields, code, loc) -> None:
    ctx = context()
    with pytest.raises(DomainError) as refused:
        use.label_item(ml.LabelItemRequest(**fields), ctx)
    assert refused.value.code == code
    if loc:
        assert refused.value.details["errors"][0]["loc"] == loc
    assert ctx.uow.labels.stored == {}


def test_each_label_is_announced_with_what_it_confirms_rejects_and_adds() -> None:
    label = ItemLabel.first("i1", "bao-gia-lai", "Tin", dict(MACHINE),
                            judged(topics=["drugs", "murder"]))
    label.relabel(judged("can-bo-02", harmful=False), dict(MACHINE))
    first, second = label.events
    assert (first.item_id, first.confirmed_topics, first.rejected_topics,
            first.added_topics) == ("i1", ["drugs"], ["gambling"], ["murder"])
    assert second.judged == ["harmful"] and second.harmful is False
    assert second.topics is None and second.labelled_by == "can-bo-02"
    assert first.to_envelope().type == "monitoring.item_labelled"
