"""The load generator of bench/gateway.py, run as its own process so it does not share a CPU
budget with the gateway's event loop. A minimal HTTP/1.1 keep-alive client over asyncio
streams (httpx would be the bottleneck here).

    python -m bench.gateway_load URL PATH TOKEN closed CONNECTIONS SECONDS
    python -m bench.gateway_load URL PATH TOKEN open RATE SECONDS

Prints one JSON line: calls, errors, calls_per_s, p50/p99/mean latency (ms).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit

from bench.common import latency_summary


class Connection:
    def __init__(self, host: str, port: int, request: bytes) -> None:
        self.host, self.port, self.request = host, port, request
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self) -> int:
        try:
            return await self._get()
        except (asyncio.IncompleteReadError, ConnectionError):
            self.writer = None  # the server closed a keep-alive connection: reconnect once
            return await self._get()

    async def _get(self) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return status


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
    asyncio.run(main(sys.argv[1:]))
