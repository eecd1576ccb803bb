"""The event log: list and read events the caller may see, replay them to a webhook
subscription, and follow them live over Server-Sent Events (resumable with Last-Event-ID)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request, status
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.gateway import (
    EventPage,
    EventRecord,
    EventTypeName,
    ReplayRequest,
    ReplayResult,
    known_event_types,
)
from services.gateway.access import Principal, can_see_event
from services.gateway.deps import StoreDep, not_found, require
from services.gateway.events.webhooks import wants
from services.gateway.repositories import Store, event_filter
from services.gateway.routers.bodies import IsoDateTime
from services.gateway.routers.common import NOT_FOUND, Limit, PathId
from services.gateway.routers.routing import Router
from services.gateway.routers.subscriptions import owned

router = Router(prefix="/api/v1/events", tags=["events"])
Reader = Annotated[Principal, Depends(require("events:read"))]
Replayer = Annotated[Principal, Depends(require("subscriptions:write"))]


def _type_filter(values: list[str] | None) -> list[str] | None:
    """Known types only, so a misspelt type is a 422, not an empty page; `*` is every type."""
    if values is None:
        return None
    known = known_event_types(values)
    return None if "*" in known else known


Types = Annotated[list[EventTypeName] | None, Query(
    max_length=50, description="Only these event types (repeat the parameter); `*`: all.",
    examples=[["plan.issued", "task.assigned"]]), AfterValidator(_type_filter)]
MAX_SCAN = 5000
Cursor = Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$",
                                     description="`next_cursor` of the previous page.")]
REPLAY_LIMIT = 1000


def record(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if k not in {"_id", "seq", "fanned_out"}}
    out["id"] = doc["_id"]
    return out


def visible(principal: Principal, doc: dict[str, Any], types: list[str] | None) -> bool:
    if types and doc.get("type") not in types:
        return False
    return can_see_event(principal, str(doc.get("type", "")), doc.get("data") or {})


@router.get("", response_model=EventPage, summary="List logged events (oldest first)")
async def list_events(store: StoreDep, principal: Reader, cursor: Cursor = None,
                      limit: Limit = 50, type: Types = None,
                      since: Annotated[IsoDateTime | None, Query()] = None,
                      until: Annotated[IsoDateTime | None, Query()] = None,
                      subject: Annotated[str | None, Query(max_length=200)] = None) -> Any:
    """Pages through the event log, oldest first, filtered by type, time range or subject. Only
    events the caller may see are listed (unit-scoped roles see their units' events)."""
    query = event_filter(type, since, until, subject)
    after = int(cursor) if cursor else 0
    items: list[dict[str, Any]] = []
    scanned = 0
    while len(items) < limit and scanned < MAX_SCAN:
        batch = await store.events.after(after, 200, query)
        for doc in batch:
            scanned += 1
            after = doc["seq"]
            if visible(principal, doc, None):
                items.append(record(doc))
                if len(items) == limit:
                    break
        if len(batch) < 200:
            break
    more = await store.events.any_after(after, query)
    next_cursor = str(after) if more else None
    return {"items": items, "next_cursor": next_cursor}


@router.get("/stream", summary="Follow events live (Server-Sent Events)",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "`id:` is the event id; send it back as "
                                            "Last-Event-ID to resume."},
                       422: {"description": "Last-Event-ID names no event in the log "
                                            "(unknown or older than the retention): "
                                            "reconnect without it"}})
async def stream_events(request: Request, store: StoreDep, principal: Reader, type: Types = None,
                        last_event_id: Annotated[str | None, Header(
                            alias="Last-Event-ID", max_length=200)] = None) -> StreamingResponse:
    """A Server-Sent Events stream of events as they happen, filtered by type. Each event's
    `id:` is its id: reconnect with `Last-Event-ID` to receive what was missed (from the log)
    before the live events. An id the log does not hold (garbage, or older than the
    retention) answers 422: reconnect without it and read `GET /events?since=` for the gap."""
    hub = request.app.state.hub
    listener = hub.listen()
    try:
        start = await start_seq(store, last_event_id)
    except BaseException:
        hub.leave(listener)
        raise
    heartbeat = request.app.state.settings.sse_heartbeat_seconds

    async def events() -> AsyncIterator[str]:
        last = start
        try:
            yield "retry: 2000\n\n"
            while True:  # what the client missed, from the log
                batch = await store.events.after(last, 500)
                for doc in batch:
                    last = doc["seq"]
                    if visible(principal, doc, type):
                        yield frame(doc)
                if len(batch) < 500:
                    break
            while not listener.overflowed:  # then live
                try:
                    doc = await asyncio.wait_for(listener.queue.get(), heartbeat)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if doc["seq"] <= last:
                    continue
                last = doc["seq"]
                if visible(principal, doc, type):
                    yield frame(doc)
        finally:
            hub.leave(listener)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def start_seq(store: Store, last_event_id: str | None) -> int:
    if last_event_id:
        doc = await store.events.get(last_event_id)
        if doc is not None:
            return int(doc["seq"])
        # An EventSource sends back only ids this stream gave it, so an id the log does not
        # hold is garbage or older than the retention. Replaying the whole log would be
        # wrong (and costly to ask for), starting from now would hide the gap: say so.
        raise ServiceError(
            ErrorCode.VALIDATION_FAILED,
            "Last-Event-ID names no event in the log (unknown, or older than the "
            "retention): reconnect without Last-Event-ID to follow events from now, and "
            "read what you missed with GET /api/v1/events?since=",
            {"errors": [{"loc": ["header", "Last-Event-ID"], "msg": "no such event in the log",
                         "type": "unknown_event"}]})
    return await store.events.latest_seq()


def frame(doc: dict[str, Any]) -> str:
    body = json.dumps(record(doc), ensure_ascii=False, default=str, separators=(",", ":"))
    return f"id: {doc['_id']}\nevent: {doc['type']}\ndata: {body}\n\n"


@router.post("/replay", response_model=ReplayResult, status_code=status.HTTP_202_ACCEPTED,
             summary="Deliver logged events again to a webhook subscription",
             responses=NOT_FOUND)
async def replay_events(body: ReplayRequest, request: Request, store: StoreDep,
                        principal: Replayer) -> Any:
    """Schedules logged events again for one of the caller's subscriptions: by event ids, by
    delivery ids or by a time range (at most 1,000 events). The answer lists the new delivery
    ids."""
    sub = await owned(store, body.subscription_id, principal)
    if not (body.event_ids or body.delivery_ids or body.since or body.until):
        raise ServiceError(ErrorCode.VALIDATION_FAILED,
                           "give event_ids, delivery_ids or a time range (since/until)")
    event_ids = list(body.event_ids or [])
    if body.delivery_ids:
        event_ids += await store.deliveries.event_ids(body.delivery_ids, sub["_id"])
    query = event_filter(since=body.since, until=body.until,
                         ids=event_ids if body.event_ids or body.delivery_ids else None)
    docs = await store.events.first(query, REPLAY_LIMIT)
    chosen = [d for d in docs if wants(sub, d["type"]) and visible(principal, d, None)]
    ids = await request.app.state.dispatcher.replay(sub, chosen)
    return {"scheduled": len(ids), "delivery_ids": ids}


@router.get("/{event_id}", response_model=EventRecord, summary="Read one logged event",
            responses=NOT_FOUND)
async def get_event(event_id: PathId, store: StoreDep, principal: Reader) -> Any:
    """One logged event (CloudEvents envelope) the caller may see."""
    doc = await store.events.get(event_id)
    if doc is None or not visible(principal, doc, None):
        raise not_found("event", event_id)
    return record(doc)
