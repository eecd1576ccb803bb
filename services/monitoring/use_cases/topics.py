"""The taxonomy, editable at run time: what an edit defines applies to the next batch of
every replica (the topics' version counter moves)."""

from __future__ import annotations

from typing import Any

from services.contracts import monitoring
from services.contracts.errors import validation_failed
from services.monitoring.domain import TopicClassifier
from services.monitoring.use_cases.context import Context
from services.monitoring.use_cases.reference import delete_reference


def list_topics(ctx: Context) -> list[monitoring.TopicModel]:
    return ctx.uow.topics.all()


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
