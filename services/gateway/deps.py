"""Request dependencies: the shared RPC client and the caller's correlation id."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request

from services.runtime.rpc_client import RpcClient


class Rpc:
    """RPC bound to the request's correlation id."""

    def __init__(self, client: RpcClient, correlation_id: str) -> None:
        self.client = client
        self.correlation_id = correlation_id

    async def __call__(self, service: str, method: str, **kwargs: Any) -> Any:
        return await self.client.call(service, method, correlation_id=self.correlation_id,
                                      **kwargs)


def get_rpc(request: Request) -> Rpc:
    cid = request.headers.get("x-correlation-id") or uuid.uuid4().hex
    return Rpc(request.app.state.rpc, cid[:100])


RpcDep = Annotated[Rpc, Depends(get_rpc)]
