"""Plans: create, read and list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from services.contracts.plans import CreatePlanRequest, PlanSummary
from services.gateway.deps import RpcDep

router = APIRouter(prefix="/api/v1/plans", tags=["plans"])


class PlanPage(BaseModel):
    items: list[PlanSummary]
    next_cursor: str | None


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PlanSummary,
             summary="Create a draft plan")
async def create_plan(body: CreatePlanRequest, rpc: RpcDep) -> Any:
    return await rpc("plans", "create_plan", **body.model_dump(mode="json"))


@router.get("/{plan_id}", response_model=PlanSummary, summary="Read one plan")
async def get_plan(plan_id: str, rpc: RpcDep) -> Any:
    return await rpc("plans", "get_plan", plan_id=plan_id)


@router.get("", response_model=PlanPage, summary="List plans (cursor pagination)")
async def list_plans(rpc: RpcDep,
                     cursor: Annotated[str | None, Query(max_length=100)] = None,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50,
                     year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> Any:
    return await rpc("plans", "list_plans", after=cursor, limit=limit, year=year)
