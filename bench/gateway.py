"""The gateway under load: an authenticated read (JWT check + one database read of the user +
one RPC to plans, which reads its database) driven by a load generator in a second process,
next to the raw AMQP request/reply ceiling (aio-pika echo) measured in the same run.

Targets (2-core machine): >= 1,000 req/s closed loop; p99 <= 25 ms at 500 req/s open loop."""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import sys
import time
from typing import Any

import httpx

from bench.common import isolated_infra, write_results
from bench.rpc_roundtrip import _wait_for_plans, measure
from services.runtime.rpc_client import RpcClient
from stack.processes import Platform

SECONDS = 10
CONNECTIONS = 32
OPEN_RATE = 500


def load(url: str, path: str, token: str, mode: str, amount: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "bench.gateway_load", url, path, token, mode,
                          str(amount), str(SECONDS)], capture_output=True, text=True,
                         timeout=SECONDS * 12)
    if out.returncode != 0:
        raise RuntimeError(f"load generator failed: {out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


async def raw_ceiling(amqp_uri: str) -> dict[str, Any]:
    client = RpcClient(amqp_uri, timeout=10, client_name="bench-gateway")
    await client.start()
    try:
        return {"in_flight_8": await measure(client, "echo", "ping", 8, 4000),
                "in_flight_32": await measure(client, "echo", "ping", 32, 4000)}
    finally:
        await client.close()


def seed(url: str, amqp_uri: str, password: str) -> tuple[str, str]:
    from services.runtime.rpc_sync import BlockingRpc
    from stack.demo import UNITS_FILE

    with BlockingRpc(amqp_uri, timeout=30, client_name="bench-seed") as rpc:
        rpc.call("plans", "import_units", content=UNITS_FILE.read_text(encoding="utf-8"))
    token = httpx.post(f"{url}/api/v1/auth/token", json={"username": "admin",
                                                         "password": password}
                       ).json()["access_token"]
    plan = httpx.post(f"{url}/api/v1/plans", headers={"Authorization": f"Bearer {token}"},
                      json={"number": "25/KH-STTTT", "issuer_unit_id": "gl-stttt",
                            "title": "Kế hoạch tuyên truyền năm 2021", "year": 2021,
                            "issued_on": "2021-02-25"}, timeout=30)
    plan.raise_for_status()
    return token, f"/api/v1/plans/{plan.json()['id']}"


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
            _wait_gateway(platform.gateway_url)
            token, path = seed(platform.gateway_url, env["AMQP_URI"], password)
            raw = asyncio.run(raw_ceiling(env["AMQP_URI"]))
            closed = load(platform.gateway_url, path, token, "closed", CONNECTIONS)
            print("closed loop:", closed, flush=True)
            opened = load(platform.gateway_url, path, token, "open", OPEN_RATE)
        finally:
            echo.terminate()
            platform.stop()
    figures = {"request": "GET /api/v1/plans/{id} (JWT + user read + plans.get_plan RPC)",
               "seconds": SECONDS, "closed_loop": {"connections": CONNECTIONS, **closed},
               "open_loop": {"rate_per_s": OPEN_RATE, **opened}, "raw_amqp_echo": raw,
               "targets": {"closed_loop_calls_per_s": 1000, "open_loop_p99_ms": 25},
               "met": {"throughput": closed["calls_per_s"] >= 1000,
                       "p99_at_500": opened["p99_ms"] <= 25}}
    print("Gateway authenticated read vs raw AMQP request/reply (same run)")
    print(f"  closed loop, {CONNECTIONS} connections: {closed['calls_per_s']} req/s, "
          f"p50 {closed['p50_ms']} ms, p99 {closed['p99_ms']} ms, errors {closed['errors']}")
    print(f"  open loop at {OPEN_RATE} req/s: achieved {opened['calls_per_s']} req/s, "
          f"p50 {opened['p50_ms']} ms, p99 {opened['p99_ms']} ms, errors {opened['errors']}")
    for key, row in raw.items():
        print(f"  raw AMQP echo, {key[10:]} in flight: {row['calls_per_s']} calls/s, "
              f"p99 {row['p99_ms']} ms")
    print("results:", write_results("gateway", figures))
    return figures


def _wait_gateway(url: str) -> None:
    for _ in range(120):
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gateway did not start")


if __name__ == "__main__":
    main()
