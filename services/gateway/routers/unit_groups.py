"""Unit groups: named selectors (types, subtypes, area, parent, explicit units) that resolve
to the units valid on a date; plans address "all district culture offices" through them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.plans_units import GroupModel, ResolvedUnits
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanReadUnits, CanWriteUnits
from services.gateway.routers.bodies import IsoDate
from services.gateway.routers.common import (
    AUTH_RESPONSES,
    NOT_FOUND,
    Cursor,
    Limit,
    PathId,
    page_by_id,
    page_of,
)
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/unit-groups", tags=["units"], responses=AUTH_RESPONSES)

GroupPage = page_of(GroupModel, "GroupPage")


@router.get("", response_model=GroupPage, summary="List unit groups")
async def list_groups(rpc: RpcDep, _: CanReadUnits, cursor: Cursor = None,
                      limit: Limit = 50) -> Any:
    """Pages through unit groups (such as the local press outlets) by id; notices and plan
    recipients name a group as `group:<id>`."""
    return page_by_id(await rpc.call(plans_rpc.LIST_GROUPS), cursor, limit)


@router.put("/{group_id}", response_model=GroupModel, summary="Create or replace a unit group",
            responses={422: {"description": "unknown units, or the id differs from the path"}})
async def create_or_replace_group(group_id: PathId, body: GroupModel, rpc: RpcDep,
                                  principal: CanWriteUnits) -> Any:
    """Creates the group with this id or replaces it: listed units, or unit types, subtypes and
    an area that select units. The id in the body must equal the one in the path; unknown
    units answer 422."""
    if body.id != group_id:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, "the group id differs from the path")
    return await rpc.call(plans_rpc.UPSERT_GROUP, group=body.model_dump(mode="json"),
                          actor=principal.id)


@router.get("/{group_id}/units", response_model=ResolvedUnits, responses=NOT_FOUND,
            summary="The units a group holds on a date",
            description="Resolves the group among the units valid on `as_of` (default: today), "
                        "each named as on that date: the 2021 district culture offices for a "
                        "2021 plan, none after the districts were abolished.")
async def resolve_group(group_id: PathId, rpc: RpcDep, _: CanReadUnits,
                        as_of: Annotated[IsoDate | None, Query(examples=["2021-02-25"])] = None
                        ) -> Any:
    return await rpc.call(plans_rpc.RESOLVE_GROUP, group_id=group_id,
                          as_of=as_of.isoformat() if as_of else None)
