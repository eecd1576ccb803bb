"""The README's examples for another system (docs/examples/) run for real against the platform,
as that system would run them: the AMQP subscriber as a broker user with only the permissions
the deploy files give a subscribing system, the webhook receiver behind a real subscription.
The README quotes them; every quoted line must still be in the example, so it cannot rot."""

from __future__ import annotations

import json
import os
import queue
import re
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import httpx
import pytest

from stack.demo import load_units
from stack.faultkit import plan_body, unique_number
from stack.infra import create_user, delete_user, free_port, wait_port
from stack.testkit import eventually

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs/examples"
RENDER = ROOT / "deploy/k8s/rabbitmq/render-definitions.sh"


class Example:
    """One example as a process of its own; its output lines are collected as they come."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, str(EXAMPLES / name)], env={**os.environ, **env}, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=EXAMPLES)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, wanted: Callable[[str], bool], seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.process.poll() is None, "\n".join(self.seen)
                continue
            self.seen.append(line)
            if wanted(line):
                return line
        raise AssertionError("not printed in time; printed:\n" + "\n".join(self.seen))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def new_plan(api) -> str:
    created = api.post("/api/v1/plans", json=plan_body(
        unique_number("DOCS"), uuid.uuid4().hex, "Kế hoạch tuyên truyền phòng, chống ma túy"))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


@pytest.fixture
def subscriber(infra, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A subscribing system's broker user on the test vhost, with the permissions the deploy
    script renders for it (EVENT_SUBSCRIBERS): its (system, AMQP URL)."""
    system, password = f"docs-{uuid.uuid4().hex[:6]}", secrets.token_hex(16)
    rendered = tmp_path / "definitions.json"
    subprocess.run(["sh", str(RENDER), str(ROOT / "deploy/rabbitmq/definitions.json"),
                    str(rendered)], check=True, timeout=30, env={
        "PATH": os.environ["PATH"], "RABBITMQ_USER": "campaign",
        "RABBITMQ_PASS": secrets.token_hex(16), "EVENT_SUBSCRIBERS": f"{system}:{password}"})
    [granted] = [p for p in json.loads(rendered.read_text())["permissions"]
                 if p["user"] == f"ext-{system}"]
    vhost = unquote(urlsplit(infra.amqp_uri).path[1:]) or "/"
    assert create_user(infra.broker, granted["user"], password, vhost,
                       (granted["configure"], granted["write"], granted["read"]))
    try:
        yield system, (f"amqp://{granted['user']}:{password}@{infra.broker.host}:"
                       f"{infra.broker.port}/{quote(vhost, '')}")
    finally:
        delete_user(infra.broker, granted["user"])


def test_the_amqp_example_reads_a_platform_event_as_a_subscribing_system(
        platform, rpc, api, subscriber):
    load_units(rpc)
    system, amqp_url = subscriber
    example = Example("amqp_subscriber.py", {
        "EVENTS_AMQP_URL": amqp_url, "EVENTS_QUEUE": f"ext.{system}.plans",
        "EVENTS_BINDINGS": "plans.events:plan.created plans.events:plan.issued"})
    try:
        example.wait_for(lambda line: line == f"listening on ext.{system}.plans")
        plan_id = new_plan(api)
        line = example.wait_for(lambda line: line.endswith(f" {plan_id}"))
        event_type, event_id, _ = line.split()
        assert event_type == "plan.created"
        logged = eventually(lambda: api.get(f"/api/v1/events/{event_id}").raise_for_status())
        assert logged.json()["subject"] == plan_id
    finally:
        example.stop()


def test_the_webhook_example_verifies_real_deliveries(platform, rpc, api):
    load_units(rpc)
    port = free_port()
    hook = f"http://127.0.0.1:{port}/hook"
    sub = api.post("/api/v1/subscriptions", json={"url": hook, "event_types": ["plan.created"]})
    assert sub.status_code == 201, sub.text
    example = Example("webhook_receiver.py", {"WEBHOOK_SECRET": sub.json()["secret"],
                                              "PORT": str(port)})
    try:
        assert wait_port("127.0.0.1", port, 15), "\n".join(example.seen)
        plan_id = new_plan(api)
        line = example.wait_for(lambda line: plan_id in line)
        assert line.startswith("plan.created ")
        assert json.loads(line.split(" ", 2)[2])["title"] == \
            "Kế hoạch tuyên truyền phòng, chống ma túy"
        event_id = line.split()[1]

        def delivered() -> None:
            log = api.get(f"/api/v1/subscriptions/{sub.json()['id']}/deliveries").json()
            assert {d["status"] for d in log["items"] if d["event_id"] == event_id} == \
                {"delivered"}

        eventually(delivered, seconds=15)
        # A request not signed with the subscription's secret is refused.
        forged = httpx.post(hook, content=b'{"type": "plan.created"}', headers={
            "webhook-id": "x", "webhook-timestamp": str(int(time.time())),
            "webhook-signature": "v1,AAAA"})
        assert forged.status_code == 401
    finally:
        example.stop()
        api.delete(f"/api/v1/subscriptions/{sub.json()['id']}")


@pytest.mark.parametrize("example", ["amqp_subscriber.py", "webhook_receiver.py"])
def test_every_line_the_readme_quotes_is_in_the_example(example):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quoted = re.search(rf"From `docs/examples/{re.escape(example)}`:\n\n```python\n(.*?)```",
                       readme, re.S)
    assert quoted, f"the README no longer quotes {example}"
    source = (EXAMPLES / example).read_text(encoding="utf-8")
    for chunk in quoted.group(1).split("...\n"):
        assert chunk.strip() and chunk in source, f"not in {example}:\n{chunk}"
