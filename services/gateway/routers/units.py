"""Organisation units (with validity dates) and their import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel

from services.contracts import plans as c
from services.gateway.access import Principal
from services.gateway.deps import RpcDep, require
from services.gateway.routers.bodies import IsoDate, body_of, rpc_kwargs
from services.gateway.routers.common import AUTH_RESPONSES, NOT_FOUND, Cursor, Limit, PathId

router = APIRouter(prefix="/api/v1/units", tags=["units"], responses=AUTH_RESPONSES)
Reader = Annotated[Principal, Depends(require("units:read"))]
Writer = Annotated[Principal, Depends(require("units:write"))]
ImportUnitsBody = body_of(c.ImportUnitsRequest, "ImportUnitsBody")


class UnitPage(BaseModel):
    items: list[c.UnitModel]
    next_cursor: str | None


@router.get("", response_model=UnitPage, summary="List organisation units")
async def list_units(rpc: RpcDep, _: Reader, cursor: Cursor = None, limit: Limit = 50,
                     type: Annotated[c.UnitType | None, Query()] = None,
                     parent_id: Annotated[str | None, Query(max_length=100)] = None,
                     active_on: Annotated[IsoDate | None, Query()] = None) -> Any:
    filters = {k: v for k, v in {"type": type, "parent_id": parent_id,
                                 "active_on": active_on.isoformat() if active_on else None
                                 }.items() if v is not None}
    return await rpc("plans", "list_units", after=cursor, limit=limit, **filters)


@router.get("/{unit_id}", response_model=c.UnitModel, summary="Read a unit",
            responses=NOT_FOUND)
async def get_unit(unit_id: PathId, rpc: RpcDep, _: Reader) -> Any:
    return await rpc("plans", "get_unit", unit_id=unit_id)


@router.put("/{unit_id}", response_model=c.UnitModel, summary="Create or replace a unit",
            responses={422: {"description": "the id in the body differs from the path"}})
async def put_unit(unit_id: PathId, body: c.UnitModel, rpc: RpcDep, principal: Writer) -> Any:
    from services.contracts.errors import ErrorCode, ServiceError

    if body.id != unit_id:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, "the unit id differs from the path")
    return await rpc("plans", "upsert_unit", unit=body.model_dump(mode="json"),
                     actor=principal.id)


@router.post("/import", status_code=status.HTTP_200_OK, response_model=c.ImportUnitsResult,
             summary="Import units and groups from a YAML or JSON file")
async def import_units(body: ImportUnitsBody, rpc: RpcDep,  # type: ignore[valid-type]
                       principal: Writer) -> Any:
    return await rpc("plans", "import_units", **rpc_kwargs(body, actor=principal.id))
