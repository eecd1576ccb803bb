"""The load generator of bench/gateway.py, run as its own process so it does not share a CPU
budget with the gateway's event loop. A minimal HTTP/1.1 keep-alive client: an asyncio
protocol on uvloop (httpx, or even asyncio streams, would be the bottleneck here; on a 2-core
machine every millisecond the generator spends is one the gateway does not get).

    python -m bench.gateway_load URL PATH TOKEN closed CONNECTIONS SECONDS
    python -m bench.gateway_load URL PATH TOKEN open RATE SECONDS

Prints one JSON line: calls, errors, calls_per_s, p50/p99/mean latency (ms).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import cast
from urllib.parse import urlsplit

import uvloop

from bench.common import latency_summary


class Connection(asyncio.Protocol):
    """One keep-alive connection, one request at a time (the gateway answers with a
    Content-Length)."""

    def __init__(self, host: str, port: int, request: bytes) -> None:
        self.host, self.port, self.request = host, port, request
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.answer: asyncio.Future[int] | None = None

    async def get(self) -> int:
        try:
            return await self._get()
        except ConnectionError:
            self.transport = None  # the server closed a keep-alive connection: reconnect once
            return await self._get()

    async def _get(self) -> int:
        loop = asyncio.get_running_loop()
        if self.transport is None or self.transport.is_closing():
            await loop.create_connection(lambda: self, self.host, self.port)
        assert self.transport is not None
        self.answer = loop.create_future()
        self.transport.write(self.request)
        return await self.answer

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.buffer.clear()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if len(self.buffer) < end + 4 + length:
            return
        del self.buffer[:end + 4 + length]
        if self.answer is not None and not self.answer.done():
            self.answer.set_result(int(head.split(b" ", 2)[1]))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(ConnectionError("connection closed"))


async def closed_loop(conns: list[Connection], seconds: float) -> dict[str, float]:
    samples: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(conn: Connection) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            started = time.perf_counter()
            if await conn.get() != 200:
                errors += 1
            samples.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in conns))
    return {**latency_summary(samples, time.perf_counter() - started), "errors": errors}


async def open_loop(conns: list[Connection], rate: float, seconds: float) -> dict[str, float]:
    """Requests start on a fixed schedule whatever the latency (no coordinated omission):
    latency counts from the scheduled start."""
    samples: list[float] = []
    errors = 0
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for c in conns:
        idle.put_nowait(c)
    total = int(rate * seconds)
    begin = time.perf_counter()

    async def one(scheduled: float) -> None:
        nonlocal errors
        conn = await idle.get()
        try:
            if await conn.get() != 200:
                errors += 1
        finally:
            idle.put_nowait(conn)
        samples.append(time.perf_counter() - scheduled)

    tasks = []
    for i in range(total):
        scheduled = begin + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    _done, pending = await asyncio.wait(tasks, timeout=seconds * 2)
    for task in pending:  # not answered within twice the run: counted as errors
        task.cancel()
    errors += len(pending)
    if not samples:
        samples.append(float("inf"))
    return {**latency_summary(samples, time.perf_counter() - begin), "errors": errors,
            "unanswered": len(pending)}


async def main(argv: list[str]) -> None:
    url, path, token, mode, amount, seconds = argv
    parts = urlsplit(url)
    request = (f"GET {path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
               f"Authorization: Bearer {token}\r\nAccept: application/json\r\n\r\n").encode()
    n = int(amount) if mode == "closed" else 64
    conns = [Connection(parts.hostname or "127.0.0.1", parts.port or 80, request)
             for _ in range(n)]
    for c in conns:  # connect and warm up
        await c.get()
    if mode == "closed":
        result = await closed_loop(conns, float(seconds))
    else:
        result = await open_loop(conns, float(amount), float(seconds))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    uvloop.run(main(sys.argv[1:]))
