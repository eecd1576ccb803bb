"""Pushed items, and reading what was stored."""

from __future__ import annotations

from services.contracts import monitoring
from services.contracts.errors import not_found
from services.monitoring.domain import RawItem, normalise
from services.monitoring.ingestion import raw_from_push
from services.monitoring.use_cases.context import Context
from services.monitoring.use_cases.sources import check_place


def push(items: list[monitoring.PushedItem], ctx: Context,
         location: str | None = None) -> monitoring.PushResult:
    """Stores what can be stored (per-item outcomes); a place id the gazetteer does not
    know is the caller's error, told for the whole request (`location`: one item's field)."""
    for index, item in enumerate(items):
        check_place(item.default_place, ctx, [location or "items", *(
            [] if location else [str(index)]), "default_place"])
    now = ctx.now()
    sources = ctx.uow.sources.by_ids(item.source_id for item in items)
    raw: list[RawItem | None] = []
    reasons: list[str | None] = []
    for item in items:
        converted, reason = raw_from_push(item, sources, now)
        raw.append(converted)
        reasons.append(reason)
    return ctx.ingestion.ingest(raw, now, reasons).reply()


def push_one(request: monitoring.PushItemRequest, ctx: Context) -> monitoring.ItemResult:
    return push([request.item], ctx, "item").results[0]


def get_item(request: monitoring.ItemRef, ctx: Context) -> monitoring.ItemReply:
    item = ctx.uow.items.reply(request.item_id)
    if item is None:
        raise not_found(f"item {request.item_id}")
    return item


def list_items(request: monitoring.ListItemsRequest, ctx: Context) -> monitoring.Page:
    needle = normalise(request.text).text if request.text else None
    items, cursor = ctx.uow.items.page(request, needle or None)
    return monitoring.Page(items=items, next_cursor=cursor)


def release_staged_events(ctx: Context) -> int:
    """Events of batches whose worker died mid-write (a timer's recovery sweep)."""
    return ctx.ingestion.release_staged_events()
