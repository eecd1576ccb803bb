"""Organisation units (with validity dates) and their import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, status

from services.contracts.plans_common import UnitType
from services.contracts.plans_units import (
    ImportUnitsRequest,
    ImportUnitsResult,
    RetireUnitRequest,
    UnitModel,
    UnitPage,
    UnitReply,
)
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanReadUnits, CanWriteUnits
from services.gateway.routers.bodies import IsoDate, body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND, Cursor, Limit, PathId
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/units", tags=["units"])
ImportUnitsBody = body_of(ImportUnitsRequest, "ImportUnitsBody")
RetireUnitBody = body_of(RetireUnitRequest, "RetireUnitBody", ("actor", "unit_id"))
AsOf = Annotated[IsoDate | None, Query(
    description="The organisation on this date: units valid then, each under the name it "
                "bore then (the 2025 reform merged and abolished units).",
    examples=["2021-02-25"])]


@router.get("", response_model=UnitPage, summary="List organisation units",
            description="Every unit, or with `as_of` the organisation on that date (units valid "
                        "then, named as then). `active_on` filters by validity only.")
async def list_units(rpc: RpcDep, _: CanReadUnits, cursor: Cursor = None, limit: Limit = 50,
                     type: Annotated[UnitType | None, Query()] = None,
                     parent_id: Annotated[str | None, Query(max_length=100)] = None,
                     active_on: Annotated[IsoDate | None, Query()] = None,
                     as_of: AsOf = None) -> Any:
    """Pages through organisation units, filtered by type, parent or the date they were active
    on (units have validity dates: a 2021 plan keeps pointing at the units of 2021)."""
    filters: dict[str, Any] = {k: v for k, v in {"type": type, "parent_id": parent_id,
                                 "active_on": active_on.isoformat() if active_on else None,
                                 "as_of": as_of.isoformat() if as_of else None,
                                 }.items() if v is not None}
    return await rpc.call(plans_rpc.LIST_UNITS, after=cursor, limit=limit, **filters)


@router.get("/{unit_id}", response_model=UnitReply, summary="Read a unit",
            description="With `as_of`: the unit under the name it bore on that date; a unit "
                        "that did not exist then answers 404 naming its validity and the units "
                        "its work passed to.", responses=NOT_FOUND)
async def get_unit(unit_id: PathId, rpc: RpcDep, _: CanReadUnits, as_of: AsOf = None) -> Any:
    """One organisation unit with its contacts, languages and validity dates."""
    return await rpc.call(plans_rpc.GET_UNIT, unit_id=unit_id,
                          as_of=as_of.isoformat() if as_of else None)


@router.put("/{unit_id}", response_model=UnitReply, summary="Create or replace a unit",
            responses={409: {"description": "the short name is used by another unit"},
                       422: {"description": "the id in the body differs from the path"}})
async def create_or_replace_unit(unit_id: PathId, body: UnitModel, rpc: RpcDep,
                                 principal: CanWriteUnits) -> Any:
    """Creates the unit with this id or replaces it whole. The id in the body must equal the one
    in the path (422); a short name used by another unit answers 409; an unknown parent
    answers 404."""
    from services.contracts.errors import ErrorCode, ServiceError

    if body.id != unit_id:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, "the unit id differs from the path")
    return await rpc.call(plans_rpc.UPSERT_UNIT, unit=body.model_dump(mode="json"),
                          actor=principal.id)


@router.post("/import", status_code=status.HTTP_200_OK, response_model=ImportUnitsResult,
             summary="Import units and groups from a YAML or JSON file")
async def import_units(body: ImportUnitsBody, rpc: RpcDep,  # type: ignore[valid-type]
                       principal: CanWriteUnits) -> Any:
    """Imports units and groups from a YAML or JSON document (the format of
    `services/plans/seed/units-gia-lai.yaml`). Units are created, updated or left unchanged,
    and each change is journalled; an `idempotency_key` makes a retry harmless."""
    return await rpc.call(plans_rpc.IMPORT_UNITS, **rpc_kwargs(body, actor=principal.id))


@router.post("/{unit_id}/retire", response_model=UnitReply, responses=NOT_FOUND,
             summary="Close a unit on a date (a reorganisation)",
             description="Sets the unit's last valid day. Name the units that take over its work "
                         "with `successor_ids` (`PUT /units/{id}`), so plans rolled over to a "
                         "later year follow them.")
async def retire_unit(unit_id: PathId, body: RetireUnitBody, rpc: RpcDep,  # type: ignore[valid-type]
                      principal: CanWriteUnits) -> Any:
    return await rpc.call(plans_rpc.RETIRE_UNIT, **rpc_kwargs(body, unit_id=unit_id,
                                                              actor=principal.id))
