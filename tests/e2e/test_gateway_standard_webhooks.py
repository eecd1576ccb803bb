"""The gateway's webhook deliveries verify with the official Standard Webhooks package (not only
with our own implementation of the scheme): a real HTTP receiver keeps each delivery as it
came, and the package checks it, also across a secret rotation."""

from __future__ import annotations

import uuid

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from stack.demo import load_units
from stack.faultkit import plan_body, unique_number
from stack.notification_peers import HttpCall, HttpPeer
from stack.testkit import eventually


@pytest.fixture
def peer():
    """A real HTTP receiver that keeps each call as it came (headers, body)."""
    server = HttpPeer(webhook_secret="").start()  # the secret is known once subscribed
    yield server
    server.stop()


def delivery_of(peer: HttpPeer, plan_id: str) -> HttpCall:
    for call in peer.hook_calls("gateway"):
        if call.json()["subject"] == plan_id:
            return call
    raise AssertionError(f"no delivery for {plan_id} yet")


def new_plan(api) -> str:
    created = api.post("/api/v1/plans", json=plan_body(unique_number("SW"), uuid.uuid4().hex,
                                                        "Kế hoạch kiểm tra chữ ký webhook"))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_deliveries_verify_with_the_standard_webhooks_package(platform, rpc, api, peer):
    load_units(rpc)
    url = peer.hook_url("ok", "gateway")
    sub = api.post("/api/v1/subscriptions", json={"url": url,
                                                   "event_types": ["plan.created"]}).json()
    peer.secret = sub["secret"]
    try:
        plan_id = new_plan(api)
        call = eventually(lambda: delivery_of(peer, plan_id), seconds=30)
        headers, body = call.headers, call.body
        event = Webhook(sub["secret"]).verify(body, headers)
        assert (event["type"], event["subject"]) == ("plan.created", plan_id)
        assert headers["webhook-id"] == event["id"]
        with pytest.raises(WebhookVerificationError):
            Webhook(sub["secret"]).verify(body.replace(b"plan.created", b"plan.closed"), headers)
        other = api.post("/api/v1/subscriptions", json={
            "url": url, "event_types": ["plan.issued"]}).json()
        with pytest.raises(WebhookVerificationError):
            Webhook(other["secret"]).verify(body, headers)
        api.delete(f"/api/v1/subscriptions/{other['id']}")

        # During a rotation each delivery is signed with both secrets: a receiver holding
        # either one verifies it.
        rotated = api.post(f"/api/v1/subscriptions/{sub['id']}/rotate-secret").json()
        plan_id = new_plan(api)
        call = eventually(lambda: delivery_of(peer, plan_id), seconds=30)
        headers, body = call.headers, call.body
        assert len(headers["webhook-signature"].split()) == 2
        for secret in (sub["secret"], rotated["secret"]):
            assert Webhook(secret).verify(body, headers)["subject"] == plan_id
    finally:
        api.delete(f"/api/v1/subscriptions/{sub['id']}")
