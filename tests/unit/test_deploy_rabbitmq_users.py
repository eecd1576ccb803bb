"""The broker's users, rendered from the environment at every start
(deploy/k8s/rabbitmq/render-definitions.sh): the platform's user, and one user per system that
follows our events, which may bind the event exchanges to its own `ext.<system>.*` queues and
touch nothing else. No user is in the generated topology: an imported user whose password
lives only in the broker is reset at the next start (the subscriber was locked out)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from services.contracts.rabbitmq_definitions import build_definitions
from services.contracts.topology import RPC_EXCHANGE

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy/k8s/rabbitmq/render-definitions.sh"
TOPOLOGY = ROOT / "deploy/rabbitmq/definitions.json"
ADMIN = {"RABBITMQ_USER": "campaign", "RABBITMQ_PASS": "admin-secret_1"}


def render(tmp_path: Path, subscribers: str | None,
           admin: dict[str, str] = ADMIN) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], **admin}
    if subscribers is not None:
        env["EVENT_SUBSCRIBERS"] = subscribers
    return subprocess.run(["sh", str(SCRIPT), str(TOPOLOGY), str(tmp_path / "out.json")],
                          env=env, capture_output=True, text=True, timeout=30)


def rendered(tmp_path: Path, subscribers: str | None) -> dict[str, Any]:
    done = render(tmp_path, subscribers)
    assert done.returncode == 0, done.stderr
    definitions: dict[str, Any] = json.loads((tmp_path / "out.json").read_text())
    return definitions


def permissions_of(definitions: dict[str, Any], user: str) -> dict[str, str]:
    (found,) = [p for p in definitions["permissions"] if p["user"] == user]
    return found


def test_the_generated_topology_holds_no_user():
    assert "users" not in build_definitions() and "permissions" not in build_definitions()
    committed = json.loads(TOPOLOGY.read_text())
    assert "users" not in committed and "permissions" not in committed


def test_each_subscribing_system_gets_its_own_user_with_its_password(tmp_path):
    definitions = rendered(tmp_path, "one-stop-office:secret-one-0123456789, "
                                     "portal:Portal_secret_0123456")
    assert definitions["users"] == [
        {"name": "campaign", "password": "admin-secret_1", "tags": ["administrator"]},
        {"name": "ext-one-stop-office", "password": "secret-one-0123456789", "tags": []},
        {"name": "ext-portal", "password": "Portal_secret_0123456", "tags": []}]
    assert permissions_of(definitions, "campaign") == {
        "user": "campaign", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}
    # the rest is the topology, unchanged
    topology = json.loads(TOPOLOGY.read_text())
    assert {key: definitions[key] for key in topology} == topology
    assert (tmp_path / "out.json").stat().st_mode & 0o077 == 0   # passwords: the owner only


def test_no_subscriber_leaves_the_platform_user_alone(tmp_path):
    for subscribers in (None, "", " , "):
        definitions = rendered(tmp_path, subscribers)
        assert [u["name"] for u in definitions["users"]] == ["campaign"]


def test_a_subscriber_reads_the_event_exchanges_and_its_own_queues_only(tmp_path):
    definitions = rendered(tmp_path,
                           "portal:portal-secret-0123456,one-stop-office:one-stop-secret-01")
    portal = permissions_of(definitions, "ext-portal")
    event_exchanges = [e["name"] for e in definitions["exchanges"] if e["name"] != RPC_EXCHANGE]
    assert event_exchanges
    for name in [*event_exchanges, "ext.portal.plans", "ext.portal.all.v2"]:
        assert re.match(portal["read"], name), name
    # not the platform's queues and exchanges, not another system's queues
    others = [q["name"] for q in definitions["queues"]] + [
        RPC_EXCHANGE, "ext.one-stop-office.plans", "ext.portal", "ext.portal.", "ext.portalx.a",
        "plans.events.x", "amq.topic"]
    for name in others:
        assert not re.match(portal["read"], name), name
    # declare, delete, bind: its own queues only (publishing to an exchange needs write on it)
    for regex in (portal["configure"], portal["write"]):
        assert re.match(regex, "ext.portal.plans")
        for name in [*others, *event_exchanges]:
            assert not re.match(regex, name), name


@pytest.mark.parametrize(("subscribers", "complaint"), [
    ("portal", "an entry is not system:password"),
    ("only-a-secret-0123456789", "an entry is not system:password"),
    ("portal:short", "the password of 'portal'"),
    ("portal:has space in it 0123456789", "the password of 'portal'"),
    ('portal:quote"breaks-json-0123456', "the password of 'portal'"),
    ("Portal:portal-secret-0123456", "lower-case letters"),
    ("por.tal:portal-secret-0123456", "lower-case letters"),
    ("-portal:portal-secret-0123456", "lower-case letters"),
    ("portal:portal-secret-0123456,portal:other-secret-01234567", "listed twice"),
])
def test_a_bad_subscriber_entry_stops_the_broker_start_naming_it(tmp_path, subscribers,
                                                                  complaint):
    done = render(tmp_path, subscribers)
    assert done.returncode != 0
    assert "EVENT_SUBSCRIBERS" in done.stderr and complaint in done.stderr, done.stderr
    assert "secret-0123456" not in done.stderr and "json-0123456" not in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_a_missing_platform_password_stops_the_broker_start(tmp_path):
    done = render(tmp_path, "", admin={"RABBITMQ_USER": "campaign"})
    assert done.returncode != 0 and "RABBITMQ_PASS" in done.stderr
    assert not (tmp_path / "out.json").exists()
