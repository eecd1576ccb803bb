"""Watched sources (feeds, pages, social connectors): register or edit, list, read, and poll
one at once. Officers write; viewers and API keys with `sources:read` read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, status

from services.contracts import monitoring
from services.contracts.rpc_catalogue import monitoring as monitoring_rpc
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanReadSources, CanWriteSources
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND, Cursor, Limit, page_of
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/sources", tags=["sources"])
SourceBody = body_of(monitoring.SourceModel, "SourceBody", (), strict=True)
SourceUpdateBody = body_of(monitoring.SourceModel, "SourceUpdateBody", ("id",), strict=True)
SourcePathId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$",
                                   examples=["bao-gia-lai-rss"])]
# A poll fetches robots.txt and the source (each within the service's fetch timeout).
POLL_TIMEOUT = 30.0

SourcePage = page_of(monitoring.SourceReply, "SourcePage")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=monitoring.SourceReply,
             summary="Register a source (or replace the one with this id)")
async def create_source(body: SourceBody, rpc: RpcDep,  # type: ignore[valid-type]
                        principal: CanWriteSources) -> Any:
    """Registers a feed, page or social source to watch (or replaces the source with this id).
    Feed and page sources need an http(s) URL (422)."""
    return await rpc.call(monitoring_rpc.UPSERT_SOURCE, source=rpc_kwargs(body),
                          actor=principal.id)


@router.get("", response_model=SourcePage, summary="List sources")
async def list_sources(rpc: RpcDep, _: CanReadSources, cursor: Cursor = None, limit: Limit = 50,
                       kind: Annotated[monitoring.SourceKind | None, Query()] = None,
                       collection: Annotated[str | None, Query(
                           max_length=100, examples=["an-ninh-trat-tu"])] = None,
                       outlet_unit_id: Annotated[str | None, Query(
                           max_length=100, examples=["bao-gia-lai"])] = None,
                       healthy: bool | None = None) -> Any:
    """Pages through sources, filtered by kind, collection, outlet or health."""
    filters: dict[str, Any] = {k: v for k, v in {"kind": kind, "collection": collection,
                                 "outlet_unit_id": outlet_unit_id,
                                 "healthy": healthy}.items() if v is not None}
    return await rpc.call(monitoring_rpc.LIST_SOURCES, after=cursor, limit=limit, **filters)


@router.get("/{source_id}", response_model=monitoring.SourceReply, summary="Read a source and its "
            "health", responses=NOT_FOUND)
async def get_source(source_id: SourcePathId, rpc: RpcDep, _: CanReadSources) -> Any:
    """One source with its health: last poll, outcome, consecutive failures."""
    return await rpc.call(monitoring_rpc.GET_SOURCE, source_id=source_id)


@router.put("/{source_id}", response_model=monitoring.SourceReply,
            summary="Create or replace a source with this id")
async def create_or_replace_source(source_id: SourcePathId, body: SourceUpdateBody,  # type: ignore[valid-type]
                                   rpc: RpcDep, principal: CanWriteSources) -> Any:
    """Creates the source with this id or replaces it whole (the id comes from the path)."""
    return await rpc.call(monitoring_rpc.UPSERT_SOURCE,
                          source=rpc_kwargs(body, id=source_id), actor=principal.id)


@router.post("/{source_id}/poll", response_model=monitoring.PollResult,
             summary="Poll a feed or page source now (its outcome, e.g. not_modified or "
                     "http_404, is in the reply)",
             responses={**NOT_FOUND, 409: {"description": "the source is not polled "
                                                            "(social sources receive pushes)"}})
async def poll_source(source_id: SourcePathId, rpc: RpcDep, _: CanWriteSources) -> Any:
    """Polls a feed or page source now, honouring robots.txt, and answers the outcome (new
    items, `not_modified`, `http_404`, ...). Social sources are not polled: they receive
    pushes (409)."""
    return await rpc.call(monitoring_rpc.POLL_NOW, source_id=source_id,
                          rpc_timeout=POLL_TIMEOUT)
