"""Topics of the taxonomy (terms, exclusions, proximity rules), editable at run time: list,
create or replace, delete. Officers and admins only; a definition the classifier cannot
compile answers 422."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from services.contracts import monitoring
from services.contracts import monitoring_thresholds as mt
from services.contracts.rpc_catalogue import monitoring as monitoring_rpc
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanReadTopics, CanWriteTopics
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import (
    NOT_FOUND,
    Cursor,
    Limit,
    deletion_of,
    page_by_id,
    page_of,
)
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/topics", tags=["topics"])
TopicBody = body_of(monitoring.TopicModel, "TopicBody", ("id",), strict=True)
ThresholdsBody = body_of(mt.SetThresholdsRequest, "ThresholdsBody", ("actor",),
                         strict=True)
TopicId = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$",
                              examples=["drugs"])]
INVALID: dict[int | str, dict[str, str]] = {
    422: {"description": "invalid body, or a definition the classifier cannot compile"}}

TopicPage = page_of(monitoring.TopicModel, "TopicPage")

TopicDeleted = deletion_of("topic_id", "TopicDeleted")


@router.get("", response_model=TopicPage, summary="List topics (by id)")
async def list_topics(rpc: RpcDep, _: CanReadTopics, cursor: Cursor = None,
                      limit: Limit = 50) -> Any:
    """Pages through the topics of the taxonomy by id, each with the threshold in force (its
    own, else the taxonomy's default; all thresholds: GET /api/v1/topics/thresholds)."""
    topics = await rpc.call(monitoring_rpc.LIST_TOPICS)
    return page_by_id(topics, cursor, limit)


@router.get("/thresholds", response_model=mt.ThresholdsReply,
            summary="Thresholds in force: each topic's, the harmful one, alert rules' bars",
            description="Every threshold in force and who changed which when. "
                        + monitoring.THRESHOLDS_NOTE)
async def read_thresholds(rpc: RpcDep, _: CanReadTopics) -> Any:
    return await rpc.call(monitoring_rpc.THRESHOLDS)


@router.put("/thresholds", response_model=mt.ThresholdsReply,
            responses={**NOT_FOUND, **INVALID},
            summary="Set topic thresholds and/or the harmful threshold (for new items)")
async def set_thresholds(body: ThresholdsBody, rpc: RpcDep,  # type: ignore[valid-type]
                         principal: CanWriteTopics) -> Any:
    """Sets the given topics' thresholds and/or the harmful threshold, each in [0, 1], for
    items analysed from now on (stored items keep the verdict they were given). Who set what
    when is kept (`history`). An unknown topic answers 404 and changes nothing."""
    return await rpc.call(monitoring_rpc.SET_THRESHOLDS, **rpc_kwargs(body),
                          actor=principal.id)


@router.put("/{topic_id}", response_model=monitoring.TopicModel, responses=INVALID,
            summary="Create or replace a topic")
async def create_or_replace_topic(topic_id: TopicId, body: TopicBody,  # type: ignore[valid-type]
                                  rpc: RpcDep, principal: CanWriteTopics) -> Any:
    """Creates the topic with this id or replaces it: weighted terms, exclusions, vetoes and
    proximity rules. A definition the classifier cannot compile answers 422; it applies to
    the next items classified."""
    return await rpc.call(monitoring_rpc.UPSERT_TOPIC,
                          topic=rpc_kwargs(body, id=topic_id), actor=principal.id)


@router.delete("/{topic_id}", response_model=TopicDeleted, responses=NOT_FOUND,
               summary="Delete a topic")
async def delete_topic(topic_id: TopicId, rpc: RpcDep, principal: CanWriteTopics) -> Any:
    """Deletes a topic from the taxonomy; items keep the topics they were given."""
    return await rpc.call(monitoring_rpc.DELETE_TOPIC, topic_id=topic_id, actor=principal.id)
