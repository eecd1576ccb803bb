"""Shared benchmark plumbing: an isolated stack, timing, and the JSON results file."""

from __future__ import annotations

import json
import os
import platform as host
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stack.infra import create_vhost, delete_vhost, ensure_database, ensure_rabbitmq

RESULTS = Path(__file__).parent / "results"


@contextmanager
def isolated_infra() -> Iterator[dict[str, str]]:
    """A private vhost and database prefix, removed afterwards."""
    broker = ensure_rabbitmq()
    mongodb_uri, local_db = ensure_database()
    run = uuid.uuid4().hex[:8]
    vhost = f"campaign-bench-{run}"
    amqp_uri = create_vhost(broker, vhost)
    prefix = f"b{run}_"
    try:
        env = {"AMQP_URI": amqp_uri, "MONGODB_URI": mongodb_uri, "DB_PREFIX": prefix,
               "ENVIRONMENT": "test", "LOG_LEVEL": "WARNING"}
        if local_db is not None and local_db.process is not None:
            env["DATABASE_PID"] = str(local_db.process.pid)  # for CPU figures, not the services
        yield env
    finally:
        from pymongo import MongoClient

        client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri)
        for name in client.list_database_names():
            if name.startswith(prefix):
                client.drop_database(name)
        if amqp_uri != broker.uri:
            delete_vhost(broker, vhost)
        if local_db is not None:
            local_db.stop()


def latency_summary(samples_s: list[float], wall_s: float) -> dict[str, float]:
    ordered = sorted(samples_s)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {"calls": len(ordered), "calls_per_s": round(len(ordered) / wall_s, 1),
            "p50_ms": round(pct(0.50), 3), "p99_ms": round(pct(0.99), 3),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 3)}


def write_results(name: str, figures: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "machine": {"python": host.python_version(), "cpus": _cpus()}, **figures}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return path


def _cpus() -> int:
    return os.cpu_count() or 0


def broker_pid() -> int | None:
    """The local RabbitMQ's Erlang VM, when it runs on this machine (Linux /proc)."""
    for stat in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = stat.read_bytes()
        except OSError:
            continue
        if b"beam" in command.split(b"\0", 1)[0] and b"rabbit" in command:
            return int(stat.parent.name)
    return None


def process_cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a process so far, all its threads (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_service(rpc: Any, service: str, attempts: int = 120) -> None:
    """Returns once `service` answers `ops_ping` (tried every 0.5 s), or raises."""
    for _ in range(attempts):
        try:
            rpc.call(service, "ops_ping", timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError(f"{service} did not start")
