"""The broker user other systems use to follow our events: read-only on the event
exchanges, its own `ext.*` queues, no password in the repository."""

import json
import re
from pathlib import Path

from services.contracts.rabbitmq_definitions import EVENT_SUBSCRIBER_USER, build_definitions

ROOT = Path(__file__).resolve().parents[2]


def permissions():
    defs = build_definitions()
    (perm,) = [p for p in defs["permissions"] if p["user"] == EVENT_SUBSCRIBER_USER]
    return perm


def test_the_subscriber_reads_event_exchanges_and_its_own_queues_only():
    perm = permissions()
    for name in ("plans.events", "notifications.events", "monitoring.events",
                 "ext.one-stop-office.plans"):
        assert re.match(perm["read"], name), name
    for name in ("nameko-rpc", "gateway.event-log", "evt-plans-plan.issued--monitoring.x",
                 "plans.events.x", "xplans.events"):
        assert not re.match(perm["read"], name), name


def test_the_subscriber_can_only_declare_and_bind_its_own_queues():
    perm = permissions()
    for regex in (perm["configure"], perm["write"]):
        assert re.match(regex, "ext.portal.all")
        for name in ("plans.events", "nameko-rpc", "gateway.event-log", "ext."):
            assert not re.match(regex, name), name


def test_no_password_is_stored():
    committed = json.loads((ROOT / "deploy/rabbitmq/definitions.json").read_text())
    (user,) = [u for u in committed["users"] if u["name"] == EVENT_SUBSCRIBER_USER]
    assert user["password_hash"] == "" and user["tags"] == []
    assert "password" not in user
