"""Dead letters of every service: events a consumer could not apply, kept for an
administrator to read and replay once the cause is fixed (administrators only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query

from services.contracts import operations
from services.contracts.rpc_catalogue import ops
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanReadDeadLetters, CanWriteDeadLetters
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/dead-letters", tags=["dead letters"])
Service = Annotated[Literal["plans", "notifications", "monitoring"],
                    Path(examples=["notifications"])]
ReplayBody = body_of(operations.ReplayDeadLettersRequest, "ReplayDeadLettersBody", ())
# Each dead letter goes through its consumer again: a long list outlasts an ordinary call.
REPLAY_TIMEOUT = 60.0


@router.get("/{service}", response_model=list[operations.DeadLetterView],
            summary="Dead letters of a service")
async def list_dead_letters(service: Service, rpc: RpcDep, _: CanReadDeadLetters,
                            status: Annotated[Literal["pending", "replayed"],
                                              Query()] = "pending",
                            limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Any:
    """The events the service's consumers could not apply (oldest first), with the consumer,
    the reason, the error and the message as received; `replayed` lists those already
    applied again."""
    return await rpc.call(ops.DEAD_LETTERS[service], status=status, limit=limit)


@router.post("/{service}/replay", response_model=dict[str, str],
             summary="Apply dead letters again")
async def replay_dead_letters(service: Service, body: ReplayBody,  # type: ignore[valid-type]
                              rpc: RpcDep, _: CanWriteDeadLetters) -> Any:
    """Runs each dead letter through its consumer again and answers its outcome by id
    (`applied`, `failed_again` — a new dead letter —, `not_found`, ...)."""
    ids = list(dict.fromkeys(rpc_kwargs(body)["ids"]))  # each once
    return await rpc.call(ops.REPLAY_DEAD_LETTERS[service], rpc_timeout=REPLAY_TIMEOUT,
                          ids=ids)
