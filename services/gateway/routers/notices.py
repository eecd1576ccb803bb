"""Notices (directives, reminders, alerts), units' inboxes, acknowledgements and
translations. Outlet editors and local officers see only notices sent to their units."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, status
from pydantic import BaseModel, Field

from services.contracts import notifications
from services.contracts import notifications_deliveries as deliveries
from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.inbound import Inbound
from services.contracts.rpc_catalogue import notifications as notifications_rpc
from services.gateway.access import Principal, can_see
from services.gateway.deps import Rpc, RpcDep, not_found
from services.gateway.permissions import (
    CanAckNotices,
    CanReadNotices,
    CanReadTranslations,
    CanWriteNotices,
    CanWriteTranslations,
)
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND, Cursor, Limit, PathId
from services.gateway.routers.routing import Router
from services.gateway.routers.tasks import unit_filter

router = Router(prefix="/api/v1", tags=["notices"])
CreateNoticeBody = body_of(notifications.CreateNoticeRequest, "CreateNoticeBody", ("created_by",))
SubmitTranslationBody = body_of(deliveries.SubmitTranslationRequest, "SubmitTranslationBody",
                                ("notice_id", "language", "translator_id"))
RejectTranslationBody = body_of(deliveries.RejectTranslationRequest, "RejectTranslationBody",
                                ("notice_id", "language", "reviewer_id"))
Language = Annotated[str, Path(pattern=r"^[a-z]{2,3}$", examples=["jra"])]
CHANGED: dict[int | str, dict[str, str]] = {
    **NOT_FOUND,
    409: {"description": "the translation changed meanwhile, or its state does not allow this "
                         "(e.g. approving before a submission)"},
    422: {"description": "a language without a translation workflow (only jra, bdq)"}}


class TranslationPage(BaseModel):
    items: list[deliveries.TranslationView]
    next_cursor: str | None = None


class AckBody(Inbound):
    unit_id: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$",
                                examples=["bao-gia-lai"],
                                description="The unit (default: the caller's).")


def scope_units(principal: Principal) -> list[str] | None:
    """The units a unit-scoped caller may see (None: every unit)."""
    return sorted(principal.visible_units) if principal.unit_scoped else None


async def visible_notice(rpc: Rpc, principal: Principal,
                         notice_id: PathId) -> notifications.NoticeView:
    """The notice, its delivery counts limited to the caller's units; 404 when none of its
    recipients is the caller's."""
    notice = await rpc.call(notifications_rpc.GET_NOTICE, notifications.GetNoticeRequest(
        notice_id=notice_id, unit_ids=scope_units(principal)))
    if not can_see(principal, notice.model_dump()):
        raise not_found("notice", notice_id)
    return notice


async def unit_acting_on(rpc: Rpc, principal: Principal, notice_id: PathId,
                         body: AckBody | None) -> str:
    """The unit a read or an acknowledgement of a notice is for (the caller's by default),
    once the caller may act for that unit and sees the notice (404 otherwise)."""
    unit_id = (body.unit_id if body else None) or principal.unit_id
    if unit_id is None:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, "unit_id is required")
    if principal.unit_scoped and unit_id not in principal.visible_units:
        raise not_found("notice", notice_id)
    await visible_notice(rpc, principal, notice_id)
    return unit_id


@router.post("/notices", status_code=status.HTTP_201_CREATED,
             response_model=notifications.NoticeView,
             tags=["notices"], summary="Send a notice (directive, guidance) to units",
             responses={404: {"description": "no known recipient"}})
async def create_notice(body: CreateNoticeBody, rpc: RpcDep,  # type: ignore[valid-type]
                        principal: CanWriteNotices) -> Any:
    """Sends guidance to units or groups (`group:<name>`): recipients are resolved to their
    contacts and one delivery is planned per unit, channel and language, sent with retries.
    Units whose audience reads Jrai or Bahnar get a translation task; `translation_policy`
    says what they receive meanwhile (`vi_first`: Vietnamese now; `wait`: nothing until the
    translation is approved or `translation_deadline` passes). No known recipient answers
    404."""
    return await rpc.call(notifications_rpc.CREATE_NOTICE,
                          **rpc_kwargs(body, created_by=principal.id))


@router.get("/notices", response_model=notifications.NoticePage, summary="List notices")
async def list_notices(rpc: RpcDep, principal: CanReadNotices, cursor: Cursor = None,
                       limit: Limit = 50,
                       plan_id: Annotated[str | None, Query(max_length=100)] = None,
                       task_id: Annotated[str | None, Query(max_length=100)] = None,
                       unit_id: Annotated[str | None, Query(max_length=100)] = None,
                       kind: Annotated[notifications.NoticeKindName | None, Query()] = None) -> Any:
    """Pages through notices, filtered by plan, task, unit or kind. Unit-scoped roles see only
    notices sent to their units."""
    filters: dict[str, Any] = {k: v for k, v in {
        "plan_id": plan_id, "task_id": task_id, "kind": kind,
        "unit_id": unit_filter(principal, unit_id)}.items() if v is not None}
    page = await rpc.call(notifications_rpc.LIST_NOTICES, after=cursor, limit=limit, **filters)
    page.items = [x for x in page.items if can_see(principal, x.model_dump())]
    return page


@router.get("/notices/{notice_id}", response_model=notifications.NoticeView,
            summary="Read a notice",
            responses=NOT_FOUND)
async def get_notice(notice_id: PathId, rpc: RpcDep, principal: CanReadNotices) -> Any:
    """One notice with its recipients, its deliveries counted by status (the statuses of
    `GET /notices/{id}/deliveries`; a unit-scoped caller counts its own units') and the units
    that acknowledged it."""
    return await visible_notice(rpc, principal, notice_id)


@router.post("/notices/{notice_id}/ack", response_model=notifications.AckView, responses=NOT_FOUND,
             summary="Acknowledge receipt of a notice for a unit (recorded once)")
async def acknowledge_notice(notice_id: PathId, rpc: RpcDep, principal: CanAckNotices,
                             body: AckBody | None = None) -> Any:
    """Records that a unit received a notice (once: repeating it answers the first
    acknowledgement). The unit defaults to the caller's; unit-scoped roles acknowledge only
    for their units."""
    unit_id = await unit_acting_on(rpc, principal, notice_id, body)
    return await rpc.call(notifications_rpc.ACKNOWLEDGE, notice_id=notice_id, unit_id=unit_id,
                          actor=principal.id)


@router.get("/inbox", response_model=notifications.InboxPage, summary="The notices of a unit")
async def get_inbox(rpc: RpcDep, principal: CanReadNotices, cursor: Cursor = None,
                    limit: Limit = 50,
                    unit_id: Annotated[str | None, Query(max_length=100)] = None,
                    unacknowledged_only: bool = False) -> Any:
    """The notices a unit received on any channel, newest first, optionally only those not yet
    acknowledged: each in the unit's own language (Jrai, Bahnar) once that version is
    delivered, else in Vietnamese; nothing held for a translation. Unit-scoped roles read
    their own unit's inbox."""
    unit = unit_filter(principal, unit_id)
    if unit is None:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, "unit_id is required", {
            "errors": [{"loc": ["query", "unit_id"], "msg": "required", "type": "missing"}]})
    return await rpc.call(notifications_rpc.GET_INBOX, unit_id=unit, after=cursor, limit=limit,
                          unacknowledged_only=unacknowledged_only)


@router.get("/translations", response_model=TranslationPage, tags=["translations"],
            summary="Translations to do or done (Jrai, Bahnar, ...)")
async def list_translations(rpc: RpcDep, _: CanReadTranslations, cursor: Cursor = None,
                            limit: Limit = 50,
                            status_: Annotated[str | None, Query(
                                alias="status",
                                pattern="^(requested|submitted|approved|rejected)$")] = None,
                            language: Annotated[str | None, Query(
                                pattern=r"^[a-z]{2,3}$")] = None,
                            notice_id: Annotated[str | None, Query(max_length=100)] = None
                            ) -> Any:
    """Translation tasks of notices, oldest request first, filtered by status, language
    (`jra` Jrai, `bdq` Bahnar) or notice; each with the Vietnamese text to translate, the
    notice's policy and deadline, and, once returned, the officer's `rejection_reason`."""
    filters: dict[str, Any] = {k: v for k, v in {"status": status_, "language": language,
                                                 "notice_id": notice_id}.items()
                               if v is not None}
    items = await rpc.call(notifications_rpc.LIST_TRANSLATIONS, after=cursor, limit=limit,
                           **filters)
    # A full page may have more behind it; the next page starts after its last row.
    return {"items": items, "next_cursor": items[-1].id if len(items) == limit else None}


@router.put("/notices/{notice_id}/translations/{language}",
            response_model=deliveries.TranslationView, tags=["translations"],
            summary="Submit a translation of a notice",
            responses=CHANGED)
async def submit_translation(notice_id: PathId, language: Language,
                             body: SubmitTranslationBody,  # type: ignore[valid-type]
                             rpc: RpcDep, principal: CanWriteTranslations) -> Any:
    """Submits the translation of a notice into a language, or a corrected one after the
    officer returned it, for an officer to approve. Only an approved translation is ever sent.
    A language other than `jra`/`bdq` answers 422; one the notice's recipients do not read,
    404."""
    return await rpc.call(notifications_rpc.SUBMIT_TRANSLATION, **rpc_kwargs(
        body, notice_id=notice_id, language=language, translator_id=principal.id))


@router.post("/notices/{notice_id}/translations/{language}/approve",
             response_model=deliveries.TranslationView, tags=["translations"], responses=CHANGED,
             summary="Approve a submitted translation (officers)")
async def approve_translation(notice_id: PathId, language: Language, rpc: RpcDep,
                              principal: CanWriteNotices) -> Any:
    """Approves a submitted translation (by an officer other than its translator): that
    version goes at once to the units reading it, on their channels (policy `wait`: with the
    Vietnamese copy held for them), `translation.approved`. Nothing submitted answers 409."""
    return await rpc.call(notifications_rpc.APPROVE_TRANSLATION, notice_id=notice_id,
                          language=language, reviewer_id=principal.id)


@router.post("/notices/{notice_id}/translations/{language}/reject",
             response_model=deliveries.TranslationView, tags=["translations"], responses=CHANGED,
             summary="Return a submitted translation with a reason (officers)")
async def reject_translation(notice_id: PathId, language: Language,
                             body: RejectTranslationBody,  # type: ignore[valid-type]
                             rpc: RpcDep, principal: CanWriteNotices) -> Any:
    """Returns a submitted translation to the translator with a reason; the translator sees
    it in `GET /translations` and submits a corrected version."""
    return await rpc.call(notifications_rpc.REJECT_TRANSLATION, **rpc_kwargs(
        body, notice_id=notice_id, language=language, reviewer_id=principal.id))
