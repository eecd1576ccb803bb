"""`python -m stack run` starts the platform with demo data; `python -m stack test` runs the
whole test suite against a real broker and database. The Makefile calls these."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from stack.demo import load_demo_data
from stack.infra import ROOT, ensure_database, ensure_rabbitmq, port_open, say
from stack.processes import Platform

DEV_METRICS_PORTS = {"plans": 9101, "notifications": 9102, "monitoring": 9103}


def dev_secrets() -> dict[str, str]:
    """The development admin's password and the JWT secret: generated once per checkout,
    kept in var/ (git-ignored), never a default."""
    import json
    import secrets

    path = ROOT / "var" / "dev-secrets.json"
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    created = {"BOOTSTRAP_ADMIN_USERNAME": "admin",
               "BOOTSTRAP_ADMIN_PASSWORD": secrets.token_urlsafe(18),
               "AUTH_JWT_SECRET": secrets.token_urlsafe(48),
               "ACK_LINK_SECRET": secrets.token_urlsafe(32)}
    path.write_text(json.dumps(created, indent=2))
    path.chmod(0o600)
    return created


def run() -> int:
    broker = ensure_rabbitmq()
    mongodb_uri, local_db = ensure_database()
    gateway_port = int(os.environ.get("PORT", "8000"))
    busy = [p for p in (gateway_port, *DEV_METRICS_PORTS.values()) if port_open("127.0.0.1", p)]
    if busy:
        say(f"ports {busy} are in use (is the platform already running?)")
        return 1
    secrets_ = dev_secrets()
    env = {"AMQP_URI": broker.uri, "MONGODB_URI": mongodb_uri,
           "ENVIRONMENT": os.environ.get("ENVIRONMENT", "development"), **secrets_}
    platform = Platform.configure(env, gateway_port, DEV_METRICS_PORTS)
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        platform.start()
        platform.wait_ready(90)
        plan = load_demo_data(broker.uri)
        url = platform.gateway_url
        print("\n".join([
            "",
            f"  gateway    {url}",
            f"  console    {url}/console/",
            f"  API docs   {url}/docs",
            f"  AsyncAPI   {url}/asyncapi.json",
            f"  metrics    {url}/metrics (gateway)",
            *[f"             http://127.0.0.1:{p}/metrics ({n})"
              for n, p in DEV_METRICS_PORTS.items()],
            f"  demo plan  {plan['number']} -> {url}/api/v1/plans/{plan['id']}",
            *([f"  live plan  {live['number']} ({live['year']}, rolled over; "
               f"{live['unmapped']} items left for an officer) -> "
               f"{url}/api/v1/plans/{live['id']}"] if (live := plan.get("rolled_over")) else []),
            f"  sign in    POST {url}/api/v1/auth/token as "
            f"{secrets_['BOOTSTRAP_ADMIN_USERNAME']} / {secrets_['BOOTSTRAP_ADMIN_PASSWORD']}"
            " (stored in var/dev-secrets.json)",
            "  Ctrl-C stops everything.",
            ""]), flush=True)
        while not stopping:
            dead = [n for n, p in platform.processes.items() if not p.alive()]
            if dead:
                say(f"{', '.join(dead)} exited; stopping the platform")
                return 1
            time.sleep(0.5)
        return 0
    finally:
        say("stopping")
        platform.stop()
        if local_db is not None:
            local_db.stop()


def test(args: list[str]) -> int:
    command = [sys.executable, "-m", "pytest", *args]
    say("running " + " ".join(command[2:]))
    code = subprocess.call(command, cwd=ROOT)
    if code == 5:
        say("pytest collected no tests: that is a failure, not a pass")
        return 1
    return code


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test"}:
        print("usage: python -m stack run | test [pytest args]", file=sys.stderr)
        return 2
    return run() if sys.argv[1] == "run" else test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
