"""The learned model's versions (#20): train a new one (a job whose progress is read back),
list them, activate one or restore an earlier one. Admins only (`models:*`): a version changes
every item's topics and harmful verdict."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from services.contracts import monitoring_models as mm
from services.contracts.rpc_catalogue import monitoring as monitoring_rpc
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanReadModels, CanWriteModels
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/models", tags=["topics"])
TrainBody = body_of(mm.TrainModelRequest, "TrainModelBody", ("actor",), strict=True)
Version = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$")]
JobId = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$")]
BUSY: dict[int | str, dict[str, str]] = {409: {"description": "a training is running"}}


@router.get("", response_model=list[mm.ModelVersionReply],
            summary="List the model's versions (newest first), the active one marked")
async def list_models(rpc: RpcDep, _: CanReadModels) -> Any:
    """Every version with what it learned from, its held-out figures, the version it was
    compared with, and who activated it when."""
    return await rpc.call(monitoring_rpc.LIST_MODELS)


@router.post("/train", response_model=mm.TrainJobReply, status_code=202, responses=BUSY,
             summary="Train a new version (a job: read its progress at /models/train/{job})")
async def train(body: TrainBody, rpc: RpcDep,  # type: ignore[valid-type]
                principal: CanWriteModels) -> Any:
    """Trains on the labelled sets shipped with the service and (unless `operator_labels` is
    false) officers' labels, holds out a stable fifth of the stories, and activates the new
    version only if topic micro-F1 and harmful recall on that held-out set do not drop
    against the active version. One training at a time: 409 while one runs."""
    return await rpc.call(monitoring_rpc.TRAIN_MODEL, **rpc_kwargs(body), actor=principal.id)


@router.get("/train/{job_id}", response_model=mm.TrainJobReply, responses=NOT_FOUND,
            summary="A training job's state and progress")
async def train_job(job_id: JobId, rpc: RpcDep, _: CanReadModels) -> Any:
    """`running` with its progress (0 to 1) and stage, then `done` (the version trained and
    whether it became active) or `failed` (the error)."""
    return await rpc.call(monitoring_rpc.TRAIN_JOB, job_id=job_id)


@router.post("/versions/{version}/activate", response_model=mm.ModelVersionReply,
             responses=NOT_FOUND,
             summary="Make a version the active one (restore an earlier version)")
async def activate(version: Version, rpc: RpcDep, principal: CanWriteModels) -> Any:
    """Items analysed from now on use this version, in every replica."""
    return await rpc.call(monitoring_rpc.ACTIVATE_MODEL, version=version, actor=principal.id)
