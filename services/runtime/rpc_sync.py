"""A blocking facade over RpcClient for tools, tests and benchmarks (never in the gateway).

It runs the asynchronous client on a private event loop in a background thread, so the one
protocol implementation serves both worlds.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from services.contracts.rpc import ResponseT, RpcMethod
from services.runtime.rpc_client import RpcClient


class BlockingRpc:
    def __init__(self, amqp_uri: str, timeout: float = 10.0, client_name: str = "tool") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.client = self._run(self._make(amqp_uri, timeout, client_name))

    async def _make(self, amqp_uri: str, timeout: float, client_name: str) -> RpcClient:
        client = RpcClient(amqp_uri, timeout=timeout, client_name=client_name)
        await client.start()
        return client

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def call(self, service: str, method: str, timeout: float | None = None, **kwargs: Any) -> Any:
        return self._run(self.client.call(service, method, timeout=timeout, **kwargs))

    def invoke(self, method: RpcMethod[Any, ResponseT], timeout: float | None = None,
               **fields: Any) -> ResponseT:
        """Call a catalogue method with its request's fields (checked before they leave) and
        get the declared response type back."""
        kwargs = method.request_kwargs(None, fields)
        reply = self._run(self.client.call(method.service, method.name, timeout=timeout,
                                           **kwargs))
        return method.parse_reply(reply)

    def close(self) -> None:
        try:
            self._run(self.client.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)

    def __enter__(self) -> BlockingRpc:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
