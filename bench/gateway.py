"""The gateway under load: an authenticated read (JWT check, the user record, one RPC to plans
that reads one document: `GET /api/v1/units/{id}` -> `plans.get_unit`, a `find_one` by `_id`)
driven by a load generator in a second process, next to the raw AMQP request/reply ceiling
(aio-pika echo) measured in the same run.

Besides throughput and latency it prints the CPU time each process spends per request
(gateway, plans, load generator; from /proc, Linux only): on a shared 2-core machine those
ratios are steadier than req/s, and they say where the next millisecond is.

Targets (2-core machine): >= 1,000 req/s closed loop; p99 <= 25 ms at 500 req/s open loop."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import secrets
import subprocess
import sys
from typing import Any

import httpx

from bench.common import isolated_infra, process_cpu_seconds, write_results
from bench.rpc_roundtrip import _wait_for_plans, measure
from services.runtime.rpc_client import RpcClient
from stack.gateway_testkit import wait_healthy
from stack.processes import Platform

SECONDS = 10
CONNECTIONS = 32
OPEN_RATE = 500
UNIT_ID = "gl-stttt"  # from the seed units file
REQUEST = f"/api/v1/units/{UNIT_ID}"


def load(url: str, token: str, mode: str, amount: int,
         pids: dict[str, int]) -> dict[str, Any]:
    before = {name: process_cpu_seconds(pid) for name, pid in pids.items()}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-m", "bench.gateway_load", url, REQUEST, token, mode,
                          str(amount), str(SECONDS)], capture_output=True, text=True,
                         timeout=SECONDS * 12)
    if out.returncode != 0:
        raise RuntimeError(f"load generator failed: {out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    spent = {name: process_cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent["load_generator"] = (after.ru_utime + after.ru_stime
                               - children.ru_utime - children.ru_stime)
    calls = max(1, int(result["calls"]))
    result["cpu_ms_per_request"] = {name: round(1000 * s / calls, 3)
                                    for name, s in spent.items()}
    return result


async def raw_ceiling(amqp_uri: str) -> dict[str, Any]:
    client = RpcClient(amqp_uri, timeout=10, client_name="bench-gateway")
    await client.start()
    try:
        return {"in_flight_8": await measure(client, "echo", "ping", 8, 4000),
                "in_flight_32": await measure(client, "echo", "ping", 32, 4000)}
    finally:
        await client.close()


def seed(url: str, amqp_uri: str, password: str) -> str:
    """Import the demo units; answer an admin's access token."""
    from services.runtime.rpc_sync import BlockingRpc
    from stack.demo import UNITS_FILE

    with BlockingRpc(amqp_uri, timeout=30, client_name="bench-seed") as rpc:
        rpc.call("plans", "import_units", content=UNITS_FILE.read_text(encoding="utf-8"))
    token: str = httpx.post(f"{url}/api/v1/auth/token",
                            json={"username": "admin", "password": password}
                            ).json()["access_token"]
    check = httpx.get(f"{url}{REQUEST}", headers={"Authorization": f"Bearer {token}"})
    check.raise_for_status()
    return token


def main() -> dict[str, Any]:
    password = secrets.token_urlsafe(16)
    with isolated_infra() as env:
        env = {**env, "AUTH_JWT_SECRET": secrets.token_urlsafe(48),
               "BOOTSTRAP_ADMIN_USERNAME": "admin", "BOOTSTRAP_ADMIN_PASSWORD": password,
               "RATE_LIMIT_PER_MINUTE": "100000000", "AUTH_TOKEN_TTL_SECONDS": "3600"}
        platform = Platform.configure(env, echo=False)
        platform.start(("plans", "gateway"))
        echo = subprocess.Popen([sys.executable, "-m", "bench.echo_server", env["AMQP_URI"]],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert echo.stdout is not None and echo.stdout.readline().strip() == "ready"
            _wait_for_plans(env["AMQP_URI"])
            wait_healthy(platform.gateway_url, seconds=60, interval=0.5)
            token = seed(platform.gateway_url, env["AMQP_URI"], password)
            pids = {name: proc.process.pid for name, proc in platform.processes.items()
                    if proc.process is not None}
            raw = asyncio.run(raw_ceiling(env["AMQP_URI"]))
            closed = load(platform.gateway_url, token, "closed", CONNECTIONS, pids)
            print("closed loop:", closed, flush=True)
            opened = load(platform.gateway_url, token, "open", OPEN_RATE, pids)
        finally:
            echo.terminate()
            platform.stop()
    figures = {"request": f"GET {REQUEST} (JWT + user record + plans.get_unit RPC, one "
                          "find_one by _id)",
               "seconds": SECONDS, "closed_loop": {"connections": CONNECTIONS, **closed},
               "open_loop": {"rate_per_s": OPEN_RATE, **opened}, "raw_amqp_echo": raw,
               "targets": {"closed_loop_calls_per_s": 1000, "open_loop_p99_ms": 25},
               "met": {"throughput": closed["calls_per_s"] >= 1000,
                       "p99_at_500": opened["p99_ms"] <= 25},
               "load_average_1m": os.getloadavg()[0]}
    print("Gateway authenticated read vs raw AMQP request/reply (same run)")
    print(f"  closed loop, {CONNECTIONS} connections: {closed['calls_per_s']} req/s, "
          f"p50 {closed['p50_ms']} ms, p99 {closed['p99_ms']} ms, errors {closed['errors']}")
    print(f"  open loop at {OPEN_RATE} req/s: achieved {opened['calls_per_s']} req/s, "
          f"p50 {opened['p50_ms']} ms, p99 {opened['p99_ms']} ms, errors {opened['errors']}")
    for key, row in raw.items():
        print(f"  raw AMQP echo, {key[10:]} in flight: {row['calls_per_s']} calls/s, "
              f"p99 {row['p99_ms']} ms")
    print("  CPU ms per request (closed loop): " + ", ".join(
        f"{name} {ms}" for name, ms in closed["cpu_ms_per_request"].items()))
    print(f"  load average (1 min) at the end: {figures['load_average_1m']:.2f} "
          f"on {os.cpu_count()} CPUs")
    print("results:", write_results("gateway", figures))
    return figures




if __name__ == "__main__":
    main()
