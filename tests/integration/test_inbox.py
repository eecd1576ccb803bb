"""Idempotent consumption and the dead-letter store against the real database."""

from __future__ import annotations

import uuid

import pytest

from services.contracts.events import PlanCreated
from services.runtime.inbox import DeadLettered, EventInbox, UndecodableBody


@pytest.fixture
def inbox(infra):
    db = infra.database(f"inbox_{uuid.uuid4().hex[:6]}")
    box = EventInbox(db, "tests")
    box.ensure_indexes()
    yield box
    db.client.drop_database(db.name)


def envelope():
    return PlanCreated(plan_id="p", number="1/KH", issuer_unit_id="u", title="Kế hoạch",
                       year=2021, status="draft").to_envelope().model_dump(mode="json")


def test_a_redelivered_event_is_applied_once(inbox):
    applied = []
    body = envelope()
    assert inbox.process("tests.h", "plan.created", body, lambda e, p: applied.append(e.id)) \
        == "applied"
    assert inbox.process("tests.h", "plan.created", body, lambda e, p: applied.append(e.id)) \
        == "duplicate"
    assert applied == [body["id"]]
    # Another consumer of the same service applies it for itself.
    assert inbox.process("tests.other", "plan.created", body, lambda e, p: None) == "applied"


def test_a_claim_left_by_a_killed_worker_is_taken_over(inbox):
    body = envelope()
    inbox.inbox.insert_one({"_id": "x", "consumer": "tests.h", "event_id": body["id"],
                            "status": "processing"})
    applied = []
    assert inbox.process("tests.h", "plan.created", body, lambda e, p: applied.append(1)) \
        == "applied"
    assert applied == [1]
    # The claim now lives under its deterministic key and is done: a redelivery is skipped.
    assert inbox.process("tests.h", "plan.created", body, lambda e, p: applied.append(2)) \
        == "duplicate"
    assert [d["status"] for d in inbox.inbox.find({"event_id": body["id"]})] == ["done"]


@pytest.mark.parametrize("body, reason", [
    (UndecodableBody("{oops", "undecodable 'application/json' body"), "undecodable"),
    ({"id": "only-an-id"}, "invalid envelope"),
    ("not an object", "not valid JSON"),
])
def test_malformed_messages_are_dead_lettered_with_the_reason(inbox, body, reason):
    with pytest.raises(DeadLettered):
        inbox.process("tests.h", "plan.created", body, lambda e, p: None)
    [letter] = inbox.list_dead_letters()
    assert letter["reason"] == "malformed"
    assert reason in letter["error"]
    assert letter["consumer"] == "tests.h"


def test_a_failing_handler_is_dead_lettered_and_replayed_after_a_fix(inbox):
    body = envelope()
    broken = True

    def handler(envelope, payload):
        if broken:
            raise RuntimeError("template missing")

    with pytest.raises(DeadLettered):
        inbox.process("tests.h", "plan.created", body, handler)
    [letter] = inbox.list_dead_letters()
    assert letter["reason"] == "handler_error"
    assert "RuntimeError: template missing" in letter["error"]
    assert letter["event_id"] == body["id"]

    broken = False
    assert inbox.replay(letter["id"], {"tests.h": ("plan.created", handler)}) == "applied"
    assert inbox.list_dead_letters() == []
    assert inbox.process("tests.h", "plan.created", body, handler) == "duplicate"


def test_a_handler_timing_out_with_a_base_exception_is_dead_lettered(inbox):
    class Timeout(BaseException):  # eventlet.Timeout is a BaseException too
        pass

    def handler(envelope, payload):
        raise Timeout("3 seconds")

    body = envelope()
    with pytest.raises(DeadLettered):
        inbox.process("tests.h", "plan.created", body, handler)
    [letter] = inbox.list_dead_letters()
    assert "Timeout: 3 seconds" in letter["error"]
    assert inbox.inbox.count_documents({"event_id": body["id"]}) == 0  # claim released
