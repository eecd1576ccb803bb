"""RPC round trips through the gateway's client to a nameko service, next to a raw AMQP
request/reply (aio-pika echo server) measured in the same run."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

from bench.common import isolated_infra, latency_summary, wait_for_service, write_results
from services.runtime.rpc_client import RpcClient
from stack.processes import Platform

CALLS = 2000
CONCURRENCY = (1, 8)


async def measure(client: RpcClient, service: str, method: str, concurrency: int,
                  calls: int) -> dict[str, float]:
    samples: list[float] = []

    async def worker(n: int) -> None:
        for _ in range(n):
            started = time.perf_counter()
            await client.call(service, method)
            samples.append(time.perf_counter() - started)

    for _ in range(50):  # warm-up
        await client.call(service, method)
    started = time.perf_counter()
    await asyncio.gather(*(worker(calls // concurrency) for _ in range(concurrency)))
    return latency_summary(samples, time.perf_counter() - started)


async def run_all(amqp_uri: str) -> dict[str, Any]:
    client = RpcClient(amqp_uri, timeout=10, client_name="bench")
    await client.start()
    figures: dict[str, Any] = {}
    try:
        for c in CONCURRENCY:
            raw = await measure(client, "echo", "ping", c, CALLS)
            ours = await measure(client, "plans", "ops_ping", c, CALLS)
            figures[f"in_flight_{c}"] = {
                "raw_amqp": raw, "nameko_rpc": ours,
                "ratio_calls_per_s": round(ours["calls_per_s"] / raw["calls_per_s"], 3)}
    finally:
        await client.close()
    return figures


def main() -> dict[str, Any]:
    with isolated_infra() as env:
        platform = Platform.configure(env, echo=False)
        platform.start(("plans",))
        echo = subprocess.Popen([sys.executable, "-m", "bench.echo_server", env["AMQP_URI"]],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert echo.stdout is not None and echo.stdout.readline().strip() == "ready"
            _wait_for_plans(env["AMQP_URI"])
            figures = asyncio.run(run_all(env["AMQP_URI"]))
        finally:
            echo.terminate()
            platform.stop()
    print("RPC round trips (gateway client -> nameko plans.ops_ping) vs raw AMQP echo")
    print(f"{'in flight':>9} {'path':>11} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for key, row in figures.items():
        for path in ("raw_amqp", "nameko_rpc"):
            r = row[path]
            print(f"{key[10:]:>9} {path:>11} {r['calls_per_s']:>9} {r['p50_ms']:>8} "
                  f"{r['p99_ms']:>8}")
        print(f"{'':>9} {'ratio':>11} {row['ratio_calls_per_s']:>9}")
    print("results:", write_results("rpc_roundtrip", {"calls": CALLS, "results": figures}))
    return figures


def _wait_for_plans(amqp_uri: str) -> None:
    from services.runtime.rpc_sync import BlockingRpc

    with BlockingRpc(amqp_uri, timeout=2) as rpc:
        wait_for_service(rpc, "plans", attempts=60)


if __name__ == "__main__":
    main()
