"""The notifications directory: each recipient unit's contacts, languages and groups
(officers), and a unit's own delivery preferences (its editor)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from services.contracts import notifications
from services.contracts.rpc_catalogue import notifications as notifications_rpc
from services.gateway.access import Principal
from services.gateway.deps import RpcDep, not_found
from services.gateway.permissions import (
    CanReadPreferences,
    CanReadRecipients,
    CanWritePreferences,
    CanWriteRecipients,
)
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND, Cursor, Limit, PathId
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/recipients", tags=["recipients"])
RecipientBody = body_of(notifications.RecipientUnitModel, "RecipientBody", ("unit_id",))
ImportRecipientsBody = body_of(notifications.ImportRecipientsRequest, "ImportRecipientsBody", ())
# Thousands of units are one bulk write, synced to disk: longer than an ordinary call.
IMPORT_TIMEOUT = 60.0


def own_unit(principal: Principal, unit_id: str) -> None:
    """A unit-scoped caller reaches only its units' preferences (others: 404)."""
    if principal.unit_scoped and unit_id not in principal.visible_units:
        raise not_found("recipient", unit_id)


@router.get("", response_model=notifications.RecipientPage, summary="List recipient units")
async def list_recipients(rpc: RpcDep, _: CanReadRecipients, cursor: Cursor = None,
                          limit: Limit = 50,
                          group: Annotated[str | None, Query(
                              max_length=100, examples=["local-press"])] = None) -> Any:
    """Pages through the units notifications can reach, by unit id: local ones and those
    fetched from plans, with contacts, languages, groups and preferences (webhook secrets are
    never shown, only whether one is set). `group` keeps a group defined here."""
    return await rpc.call(notifications_rpc.LIST_RECIPIENTS, group=group, after=cursor,
                          limit=limit)


@router.get("/{unit_id}", response_model=notifications.RecipientView, responses=NOT_FOUND,
            summary="Read a recipient unit")
async def get_recipient(unit_id: PathId, rpc: RpcDep, _: CanReadRecipients) -> Any:
    """One unit of the directory with its contacts, languages, groups, validity, former names
    and delivery preferences."""
    return await rpc.call(notifications_rpc.GET_RECIPIENT, unit_id=unit_id)


@router.put("/{unit_id}", response_model=notifications.RecipientView,
            summary="Create or replace a recipient unit")
async def put_recipient(unit_id: PathId, body: RecipientBody,  # type: ignore[valid-type]
                        rpc: RpcDep, _: CanWriteRecipients) -> Any:
    """Creates or replaces the unit's entry: contacts per channel, the languages its audience
    reads (`jra`, `bdq` get translations), groups (`group:<name>` in notices) and preferences.
    A unit also known to plans keeps what is set here when plans' copy is read again."""
    return await rpc.call(notifications_rpc.UPSERT_RECIPIENT, **rpc_kwargs(body,
                                                                          unit_id=unit_id))


@router.delete("/{unit_id}", response_model=notifications.DeletedRecipient,
               summary="Remove a recipient unit from the directory")
async def delete_recipient(unit_id: PathId, rpc: RpcDep, _: CanWriteRecipients) -> Any:
    """Removes the unit's entry (`deleted: false` when there was none). A unit of plans is
    read again from plans the next time a notice names it."""
    return await rpc.call(notifications_rpc.DELETE_RECIPIENT, unit_id=unit_id)


@router.post("/import", response_model=notifications.ImportRecipientsResult,
             summary="Import recipient units (up to 1,000)")
async def import_recipients(body: ImportRecipientsBody,  # type: ignore[valid-type]
                            rpc: RpcDep, _: CanWriteRecipients) -> Any:
    """Creates or replaces every unit of the list in one write; the whole list is refused
    (422, naming the entry) when one entry is invalid."""
    return await rpc.call(notifications_rpc.IMPORT_RECIPIENTS, rpc_timeout=IMPORT_TIMEOUT,
                          **rpc_kwargs(body))


@router.get("/{unit_id}/preferences", response_model=notifications.PreferencesModel,
            responses=NOT_FOUND,
            summary="A unit's delivery preferences")
async def get_preferences(unit_id: PathId, rpc: RpcDep, principal: CanReadPreferences) -> Any:
    """The unit's channel order (first usable channel first, then fallbacks), quiet hours
    (Asia/Ho_Chi_Minh; critical notices ignore them) and daily digest time for
    normal-priority notices. Outlet editors and local officers read their own units'."""
    own_unit(principal, unit_id)
    recipient = await rpc.call(notifications_rpc.GET_RECIPIENT, unit_id=unit_id)
    return recipient.preferences


@router.put("/{unit_id}/preferences", response_model=notifications.PreferencesModel,
            responses=NOT_FOUND,
            summary="Set a unit's delivery preferences (its editor)")
async def set_preferences(unit_id: PathId, body: notifications.PreferencesModel, rpc: RpcDep,
                          principal: CanWritePreferences) -> Any:
    """Replaces the unit's channel order, quiet hours and digest time; outlet editors and
    local officers set their own units', officers any unit's. Kept when plans' copy of the
    unit is read again."""
    own_unit(principal, unit_id)
    recipient = await rpc.call(notifications_rpc.SET_PREFERENCES, unit_id=unit_id,
                               preferences=body.model_dump(mode="json"), actor=principal.id)
    return recipient.preferences
