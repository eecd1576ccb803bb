"""Monitored items (articles, posts): pushed by crawlers and social connectors (API keys with
`items:write`), listed and searched, read with their normalised text. Local officers see only
items of their units' outlets (others answer 404)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from services.contracts import monitoring
from services.contracts import monitoring_labels as ml
from services.contracts.rpc_catalogue import monitoring as monitoring_rpc
from services.gateway.access import can_see
from services.gateway.deps import RpcDep, not_found
from services.gateway.permissions import CanReadItems, CanReviewItems, CanWriteItems
from services.gateway.routers.bodies import IsoDate, body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND, Cursor, Limit, page_of
from services.gateway.routers.routing import Router
from services.gateway.routers.tasks import unit_filter

router = Router(prefix="/api/v1/items", tags=["items"])
PushItemBody = body_of(monitoring.PushItemRequest, "PushItemBody", (), strict=True)
PushItemsBody = body_of(monitoring.PushItemsRequest, "PushItemsBody", (), strict=True)
LabelBody = body_of(ml.LabelItemRequest, "LabelBody", ("item_id", "actor"), strict=True)
# Near-duplicate detection of a full batch takes longer than one call.
BATCH_TIMEOUT = 30.0
ItemId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
TOO_LARGE: dict[int | str, dict[str, str]] = {
    413: {"description": "the body is larger than MAX_BODY_BYTES"}}

ItemPage = page_of(monitoring.ItemReply, "ItemPage")


@router.post("", response_model=monitoring.ItemResult, responses=TOO_LARGE,
             summary="Push one item (stored, duplicate or rejected; a retry is a duplicate)")
async def push_item(body: PushItemBody, rpc: RpcDep,  # type: ignore[valid-type]
                    _: CanWriteItems) -> Any:
    """Pushes one item (a post or article collected elsewhere): it is normalised, de-duplicated
    and classified. A retried push answers `duplicate`, never a second item."""
    return await rpc.call(monitoring_rpc.PUSH_ITEM, **rpc_kwargs(body))


@router.post("/batch", response_model=monitoring.PushResult, responses=TOO_LARGE,
             summary=f"Push up to {monitoring.MAX_BATCH} items; one outcome per item, by index")
async def push_items(body: PushItemsBody, rpc: RpcDep,  # type: ignore[valid-type]
                     _: CanWriteItems) -> Any:
    """Pushes up to 500 items in one body (within `MAX_BODY_BYTES`); the answer has one outcome
    per item (`stored`, `duplicate` or `rejected`), by index."""
    return await rpc.call(monitoring_rpc.PUSH_ITEMS, **rpc_kwargs(body),
                          rpc_timeout=BATCH_TIMEOUT)


@router.get("", response_model=ItemPage, summary="List and search items (newest first)")
async def list_items(rpc: RpcDep, principal: CanReadItems, cursor: Cursor = None, limit: Limit = 50,
                     topic: Annotated[str | None, Query(max_length=60,
                                                        examples=["drugs"])] = None,
                     place_id: Annotated[str | None, Query(max_length=100,
                                                           examples=["pleiku"])] = None,
                     outlet_unit_id: Annotated[str | None, Query(
                         max_length=100, examples=["bao-gia-lai"])] = None,
                     source_id: Annotated[str | None, Query(max_length=100)] = None,
                     channel: Annotated[monitoring.SourceChannel | None, Query()] = None,
                     cluster_id: Annotated[str | None, Query(
                         max_length=100, description="A story: its origin's item id; lists "
                                                     "the items that tell it (near-copies "
                                                     "and retellings).")
                                           ] = None,
                     date_from: Annotated[IsoDate | None, Query(
                         examples=["2021-03-01"])] = None,
                     date_to: Annotated[IsoDate | None, Query(
                         examples=["2021-03-31"])] = None,
                     text: Annotated[str | None, Query(
                         min_length=2, max_length=200, examples=["ma túy"],
                         description="Words of the text, accents and case ignored.")] = None,
                     min_harmful: Annotated[float | None, Query(ge=0, le=1)] = None,
                     originals_only: bool = False) -> Any:
    """Pages through items, newest first, filtered by topic, place, outlet, source, channel,
    cluster, dates, words of the text (accents and case ignored) or harmful score.
    Unit-scoped roles see their outlets' items."""
    filters: dict[str, Any] = {k: v for k, v in {
        "topic": topic, "place_id": place_id, "source_id": source_id, "channel": channel,
        "cluster_id": cluster_id,
        "outlet_unit_id": unit_filter(principal, outlet_unit_id),
        "date_from": date_from.isoformat() if date_from else None,
        "date_to": date_to.isoformat() if date_to else None, "text": text,
        "min_harmful": min_harmful}.items() if v is not None}
    page = await rpc.call(monitoring_rpc.LIST_ITEMS, after=cursor, limit=limit,
                          originals_only=originals_only, **filters)
    page.items = [x for x in page.items if can_see(principal, x)]
    return page


@router.get("/{item_id}", response_model=monitoring.ItemReply, responses=NOT_FOUND,
            summary="Read an item with its normalised text and evidence hash")
async def get_item(item_id: ItemId, rpc: RpcDep, principal: CanReadItems) -> Any:
    """One item with its normalised text, topics, places, harmful score and evidence hash."""
    item = await rpc.call(monitoring_rpc.GET_ITEM, item_id=item_id)
    if not can_see(principal, item.model_dump()):
        raise not_found("item", item_id)
    return item


@router.put("/{item_id}/labels", response_model=ml.LabelReply, responses={
    **NOT_FOUND, 422: {"description": "nothing judged, an unknown topic or place id, or "
                                      "duplicate_of an unknown item or the item itself"}},
            summary="Confirm or correct an item's topics, places, harmful flag, duplicate link")
async def label_item(item_id: ItemId, body: LabelBody, rpc: RpcDep,  # type: ignore[valid-type]
                     principal: CanReviewItems) -> Any:
    """An officer's judgement of the item: each field given is judged (`topics`: the complete
    list; `duplicate_of`: the original's id, or null for 'not a copy'), a field left out is
    not. The latest judgement wins; earlier ones are kept with who and when (`history`)."""
    return await rpc.call(monitoring_rpc.LABEL_ITEM, **rpc_kwargs(body, item_id=item_id),
                          actor=principal.id)
