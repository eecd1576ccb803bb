"""Delivery and acknowledgement status per recipient, an officer's resend to one recipient,
and a unit's read receipt."""

from __future__ import annotations

from typing import Any

from services.contracts.notifications_deliveries import ListDeliveriesRequest
from services.notifications.context import Context
from services.notifications.domain.ack import ack_key
from services.notifications.domain.delivery import resend
from services.notifications.domain.errors import (
    InvalidTransitionError,
    NotFoundError,
    UnknownRecipientError,
)
from services.notifications.domain.masking import mask_address
from services.notifications.domain.vocabulary import AckVia, Channel, DeliveryStatus
from services.runtime.unit_of_work import StaleWrite


def list_deliveries(ctx: Context, request: ListDeliveriesRequest) -> dict[str, Any]:
    """A page of deliveries (filters, cursor = the last delivery id) with each unit's read
    and acknowledgement of the notice, contact addresses masked."""
    units: list[str] | None
    if request.unit_id is not None:
        units = ([request.unit_id] if request.unit_ids is None
                 else [u for u in request.unit_ids if u == request.unit_id])
    else:
        units = request.unit_ids
    if units == []:
        return {"items": [], "next_cursor": None}
    rows = ctx.uow.deliveries.rows(notice_id=request.notice_id, unit_ids=units,
                                   channel=request.channel, status=request.status,
                                   language=request.language, after=request.after,
                                   limit=request.limit)
    page = rows[:request.limit]
    keys = sorted({ack_key(r["notice_id"], r["unit_id"]) for r in page})
    acks, reads = ctx.uow.acks.by_key(keys), ctx.uow.receipts.reads(keys)
    items = [status_row(r, acks.get(ack_key(r["notice_id"], r["unit_id"])),
                        reads.get(ack_key(r["notice_id"], r["unit_id"]))) for r in page]
    more = len(rows) > request.limit
    return {"items": items, "next_cursor": items[-1]["id"] if more and items else None}


def status_row(doc: dict[str, Any], ack: dict[str, Any] | None,
               read: dict[str, Any] | None) -> dict[str, Any]:
    """One delivery as officers see it."""
    attempts = doc.get("attempts") or []
    last_error = doc.get("failure_reason") or next(
        (a.get("reason") for a in reversed(attempts) if a.get("reason")), None)
    # An acknowledgement implies the notice was read.
    read_at = (read or {}).get("at") or (ack or {}).get("at")
    read_by = (read or {}).get("actor") if read else (ack or {}).get("actor")
    return {
        "id": doc["_id"], "notice_id": doc["notice_id"], "unit_id": doc["unit_id"],
        "unit_name": doc.get("recipient_name"), "channel": doc["channel"],
        "address": mask_address(Channel(doc["channel"]), str(doc.get("address") or "")),
        "language": doc["language"], "status": doc["status"],
        "hold_reason": doc.get("hold_reason"), "release_reason": doc.get("release_reason"),
        "attempts": len(attempts), "last_error": last_error,
        "next_attempt_at": doc.get("next_attempt_at"),
        "provider_message_id": doc.get("provider_message_id"),
        "fallback_of": doc.get("fallback_of"), "created_at": doc.get("created_at"),
        "updated_at": doc.get("updated_at"),
        "delivered_at": doc.get("updated_at")
        if doc["status"] == DeliveryStatus.DELIVERED.value else None,
        "read_at": read_at, "read_by": read_by,
        "acknowledged_at": (ack or {}).get("at"), "acknowledged_by": (ack or {}).get("actor"),
        "acknowledged_via": AckVia(ack["via"]).public_name if ack else None,
        "resends": int(doc.get("resends") or 0), "resent_at": doc.get("resent_at"),
        "resent_by": doc.get("resent_by"),
    }


def resend_delivery(ctx: Context, notice_id: str, delivery_id: str, actor: str
                    ) -> dict[str, Any]:
    """Send one delivery once more (an officer's decision: the unit says it got nothing)."""
    with ctx.uow as uow:
        record = uow.deliveries.get(delivery_id)
        if record is None or record.value.notice_id != notice_id:
            raise NotFoundError(f"notice {notice_id} has no delivery {delivery_id}",
                                {"notice_id": notice_id, "delivery_id": delivery_id})
        delivery = record.value
        again = resend(delivery, ctx.now())
        record.change(again, expires_at=again.expires_at, resends=again.resends,
                      resent_at=again.updated_at, resent_by=actor)
        record.drop(["provider_message_id"])  # the next send's answer names its own
        try:
            uow.commit()
        except StaleWrite:
            raise InvalidTransitionError("the delivery changed meanwhile; reload and retry",
                                         {"delivery_id": delivery_id}) from None
    row = ctx.uow.deliveries.row(delivery_id) or {}
    key = ack_key(notice_id, delivery.unit_id)
    acks, reads = ctx.uow.acks.by_key([key]), ctx.uow.receipts.reads([key])
    return status_row(row, acks.get(key), reads.get(key))


def mark_read(ctx: Context, notice_id: str, unit_id: str, actor: str | None
              ) -> dict[str, Any]:
    """Record that a unit opened the notice (first time only)."""
    notice = ctx.uow.notices.find(notice_id)
    if notice is None:
        raise NotFoundError(f"notice {notice_id} not found", {"notice_id": notice_id})
    if unit_id not in (notice.get("recipients") or []):
        raise UnknownRecipientError(f"unit {unit_id} is not a recipient of notice {notice_id}",
                                    {"notice_id": notice_id, "unit_ids": [unit_id]})
    now = ctx.now()
    with ctx.uow as uow:
        doc = uow.receipts.add_read(notice_id, unit_id,
                                    now.replace(microsecond=now.microsecond // 1000 * 1000),
                                    actor)
        created = uow.receipts.read_added(uow.commit(), doc["_id"])
    if not created:  # the first read stands
        doc = ctx.uow.receipts.reads([doc["_id"]]).get(doc["_id"]) or doc
    return {"notice_id": notice_id, "unit_id": unit_id, "read_at": doc["at"],
            "read_by": doc.get("actor"), "created": created}
