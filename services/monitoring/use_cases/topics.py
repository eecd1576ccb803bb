"""The taxonomy, editable at run time: what an edit defines applies to the next batch of
every replica (the topics' version counter moves). Thresholds too: a topic's, and the harmful
threshold (over data/harmful.yaml's), each change kept with who and when."""

from __future__ import annotations

from typing import Any

from services.contracts import monitoring
from services.contracts import monitoring_thresholds as mt
from services.contracts.errors import not_found, validation_failed
from services.monitoring.domain import TopicClassifier
from services.monitoring.use_cases.context import Context
from services.monitoring.use_cases.reference import delete_reference


def list_topics(ctx: Context) -> list[monitoring.TopicModel]:
    """Each topic with the threshold in force (its own, else the taxonomy's default)."""
    default = topic_default(ctx.uow.topics.taxonomy())
    return [topic if topic.threshold is not None
            else topic.model_copy(update={"threshold": default})
            for topic in ctx.uow.topics.all()]


def topic_default(taxonomy: dict[str, Any]) -> float:
    return float(taxonomy["defaults"].get("threshold", monitoring.DEFAULT_TOPIC_THRESHOLD))


def upsert_topic(request: monitoring.UpsertTopicRequest, ctx: Context) -> monitoring.TopicModel:
    topic = request.topic
    with ctx.uow as uow:
        candidate = uow.topics.taxonomy()
        candidate["topics"][topic.id] = topic.model_dump(exclude={"id"}, exclude_none=True)
        try:  # refuse a definition the classifier cannot compile
            TopicClassifier.from_data(candidate)
        except ValueError as exc:
            raise validation_failed(f"invalid topic: {exc}", ["topic"], "value_error",
                                    str(exc)[:300]) from None
        uow.topics.save(topic, request.actor, ctx.now())
        uow.state.bump(uow.topics.version)
        uow.commit()
    return topic


def delete_topic(request: monitoring.TopicRef, ctx: Context) -> dict[str, Any]:
    delete_reference(ctx, ctx.uow.topics, request.topic_id)
    return {"topic_id": request.topic_id, "deleted": True}


def thresholds(ctx: Context) -> mt.ThresholdsReply:
    uow = ctx.uow
    taxonomy = uow.topics.taxonomy()
    default = topic_default(taxonomy)
    state = uow.state.thresholds()
    harmful_default = state.get("harmful_default", monitoring.DEFAULT_HARMFUL_THRESHOLD)
    return mt.ThresholdsReply(
        harmful=state.get("harmful", harmful_default), harmful_default=harmful_default,
        topic_default=default, candidate_floor=monitoring.CANDIDATE_FLOOR,
        topics=[mt.TopicThreshold(
            topic=topic_id, label=spec.get("label", topic_id),
            threshold=spec.get("threshold", default), own="threshold" in spec)
            for topic_id, spec in taxonomy["topics"].items()],
        alert_rules=[mt.AlertRuleBar(
            rule_id=rule.id, min_harmful=rule.min_harmful,
            min_topic_confidence=rule.min_topic_confidence) for rule in uow.rules.all()],
        history=[mt.ThresholdChange.model_validate(change)
                 for change in reversed(state.get("history") or [])])


def set_thresholds(request: mt.SetThresholdsRequest,
                   ctx: Context) -> mt.ThresholdsReply:
    """Sets the given thresholds for items analysed from now on; an unknown topic is 404 and
    nothing is changed."""
    if not request.topics and request.harmful is None:
        raise validation_failed("nothing to set: give topics and/or harmful", ["topics"],
                                "missing", "no threshold given")
    before = thresholds(ctx)
    known = {t.topic: t for t in before.topics}
    for topic_id, value in request.topics.items():
        if topic_id not in known:
            raise not_found(f"topic {topic_id}")
        if not 0.0 <= value <= 1.0:
            raise validation_failed(f"threshold of {topic_id} must be in [0, 1]",
                                    ["topics", topic_id], "less_than_equal", str(value))
    now = ctx.now()
    changes: list[dict[str, Any]] = []
    with ctx.uow as uow:
        for topic_id, value in request.topics.items():
            uow.topics.set_threshold(topic_id, value, request.actor, now)
            changes.append({"what": f"topic:{topic_id}", "before": known[topic_id].threshold,
                            "after": value, "by": request.actor, "at": now})
        if request.topics:
            uow.state.bump(uow.topics.version)
        if request.harmful is not None:
            uow.state.set_harmful_threshold(request.harmful)
            uow.state.bump("harmful")
            changes.append({"what": "harmful", "before": before.harmful,
                            "after": request.harmful, "by": request.actor, "at": now})
        uow.state.record_threshold_changes(changes)
        uow.commit()
    return thresholds(ctx)
