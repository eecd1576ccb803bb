"""Queries: notices, the in-app inbox of a unit, commune bulletins."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.contracts.notifications_deliveries import BulletinRequest
from services.notifications.context import Context
from services.notifications.domain.ack import ack_key
from services.notifications.domain.bulletins import assemble_bulletin
from services.notifications.domain.errors import NotFoundError
from services.notifications.domain.notices import DEFAULT_LANGUAGE
from services.notifications.domain.vocabulary import DeliveryStatus, NoticeKind, TranslationPolicy
from services.notifications.use_cases import directory


def notice_view(ctx: Context, doc: dict[str, Any], detail: bool = False,
                unit_ids: list[str] | None = None) -> dict[str, Any]:
    """A notice; with `detail`, its deliveries counted by status and the units that
    acknowledged it (only `unit_ids`' when given: a unit-scoped caller's)."""
    view = {k: v for k, v in doc.items() if not k.startswith("_")}
    view["id"] = doc["_id"]
    view["category"] = NoticeKind(doc["kind"]).category.value
    view["translation_policy"] = TranslationPolicy(
        doc.get("translation_policy") or TranslationPolicy.VI_FIRST).value
    view.setdefault("unreachable", [])
    view.setdefault("unsupported_languages", {})
    if detail:
        view["deliveries"] = ctx.uow.deliveries.counts(doc["_id"], unit_ids)
        acked = ctx.uow.acks.acknowledged_units(doc["_id"])
        view["acknowledged_units"] = sorted(u for u in acked
                                            if unit_ids is None or u in unit_ids)
    return view


def list_notices(ctx: Context, *, plan_id: str | None, task_id: str | None,
                 unit_id: str | None, kind: str | None, after: str | None,
                 limit: int) -> dict[str, Any]:
    rows = ctx.uow.notices.page(plan_id=plan_id, task_id=task_id, unit_id=unit_id, kind=kind,
                                after=after, limit=limit)
    items = [notice_view(ctx, r) for r in rows[:limit]]
    return {"items": items, "next_cursor": items[-1]["id"] if len(rows) > limit else None}


def inbox(ctx: Context, unit_id: str, unacknowledged_only: bool, after: str | None,
          limit: int) -> dict[str, Any]:
    """What a unit received, whatever the channel, newest first, with its receipts; each
    notice in the unit's language once that version is delivered."""
    acks = ctx.uow.acks.acknowledged_by(unit_id)
    items: list[dict[str, Any]] = []
    for notice in ctx.uow.notices.of_recipient_newest_first(unit_id, after):
        if unacknowledged_only and notice["_id"] in acks:
            continue
        received = [d for d in ctx.uow.deliveries.received_by(notice["_id"], unit_id)
                    if d["status"] != DeliveryStatus.HELD.value]
        if not received:  # held (digest, quiet hours, translation): not received yet
            continue
        shown = max(received, key=_inbox_rank)
        read = ctx.uow.receipts.read(ack_key(notice["_id"], unit_id))
        items.append({"notice_id": notice["_id"], "kind": notice["kind"],
                      "priority": notice["priority"], "subject": shown["subject"],
                      "text": shown["text"], "language": shown["language"],
                      "languages": sorted({d["language"] for d in received}),
                      "created_at": notice["created_at"],
                      "ack_deadline": notice.get("ack_deadline"),
                      "read_at": (read or {}).get("at") or acks.get(notice["_id"]),
                      "acknowledged_at": acks.get(notice["_id"])})
        if len(items) > limit:
            break
    page = items[:limit]
    return {"items": page, "next_cursor": page[-1]["notice_id"] if len(items) > limit else None}


def _inbox_rank(delivery: dict[str, Any]) -> tuple[bool, bool]:
    """A delivered version before one still on its way; the unit's own language (a
    translation) before Vietnamese."""
    arrived = delivery["status"] in (DeliveryStatus.DELIVERED.value, DeliveryStatus.SENT.value)
    return arrived, delivery["language"] != DEFAULT_LANGUAGE


def bulletin(ctx: Context, request: BulletinRequest) -> dict[str, Any]:
    """The commune's loudspeaker script for the period, in its audience's languages."""
    commune = directory.find_unit(ctx, request.commune_id)
    if commune is None:
        raise NotFoundError(f"commune {request.commune_id} is not in the directory",
                            {"unit_ids": [request.commune_id]})
    languages = list(dict.fromkeys(["vi", *commune.languages]))
    notices = ctx.uow.notices.approved_for(request.commune_id)
    tasks = ctx.uow.translations.approved_of([n.id for n in notices])
    result = assemble_bulletin(request.commune_id, commune.name_on(request.period_end),
                               languages, request.period_start, request.period_end, notices,
                               tasks)
    return {"commune_id": result.commune_id, "commune_name": result.commune_name,
            "period_start": result.period_start, "period_end": result.period_end,
            "languages": languages, "notice_ids": [i.notice_id for i in result.items],
            "text": result.to_text(),
            "filename": _filename(request.commune_id, request.period_start,
                                  request.period_end)}


def _filename(commune_id: str, start: date, end: date) -> str:
    return f"ban-tin-{commune_id}-{start.isoformat()}-{end.isoformat()}.txt"
