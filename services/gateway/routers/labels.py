"""Officers' labels on monitored items as a dataset: listed (latest first, by topic, officer
or disagreement with the machine) and exported as JSONL in the schema of
services/monitoring/data/eval/*.jsonl, for training and evaluation. Officers and admins only
(`items:review`); labels are given with PUT /api/v1/items/{item_id}/labels."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query, Response

from services.contracts import monitoring_labels as ml
from services.contracts.rpc_catalogue import monitoring as monitoring_rpc
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanReviewItems
from services.gateway.routers.common import Cursor, Limit, page_of
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/labels", tags=["items"])
EXPORT_TIMEOUT = 30.0
LabelPage = page_of(ml.LabelReply, "LabelPage")
Judged = Literal["topics", "places", "harmful", "duplicate_of"]


@router.get("", response_model=LabelPage, summary="List officers' labels (latest first)")
async def list_labels(rpc: RpcDep, _: CanReviewItems, cursor: Cursor = None, limit: Limit = 50,
                      topic: Annotated[str | None, Query(
                          max_length=60, examples=["drugs"],
                          description="Items the officer or the machine gave this topic.")
                                       ] = None,
                      labelled_by: Annotated[str | None, Query(max_length=100)] = None,
                      disagreement: Annotated[bool | None, Query(
                          description="true: the officer corrected the machine.")] = None
                      ) -> Any:
    """Pages through labelled items, latest label first: the labels (who, when), what the
    machine said, the topics confirmed, rejected and added, and the earlier labels."""
    given = {"topic": topic, "labelled_by": labelled_by, "disagreement": disagreement}
    filters: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    return await rpc.call(monitoring_rpc.LIST_LABELS, after=cursor, limit=limit, **filters)


@router.get("/export", response_class=Response, responses={
    200: {"content": {"application/x-ndjson": {}},
          "description": "One JSON line per labelled item: id, title, body (normalised), url, "
                         "guid, published, topics, places, harmful, dup_of, variant "
                         "('operator'), judged, labelled_by, labelled_at; a field not judged "
                         "is null."}},
    summary="Download the labels as JSONL (the evaluation sets' schema)")
async def export_labels(rpc: RpcDep, _: CanReviewItems,
                        judged: Annotated[Judged | None, Query(
                            description="Only items where this field was judged.")] = None,
                        limit: Annotated[int, Query(ge=1, le=50_000)] = 10_000) -> Response:
    """Labelled items with their text and latest labels, oldest first, one JSON line each."""
    file = await rpc.call(monitoring_rpc.EXPORT_LABELS, rpc_timeout=EXPORT_TIMEOUT,
                          limit=limit, **({"judged": judged} if judged else {}))
    return Response(file.content, media_type=file.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"',
                             "X-Lines": str(file.lines)})
