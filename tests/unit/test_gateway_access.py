"""The role matrix, API-key scopes, unit visibility, rate limits and the SSRF check, as pure
functions."""

import asyncio

import pytest

from services.contracts.gateway import Role
from services.gateway.access import (
    ROLE_PERMISSIONS,
    Principal,
    can_see,
    can_see_event,
    child_closure,
    invalid_scopes,
    is_allowed,
    units_of,
)
from services.gateway.events.outbound import UrlNotAllowed, check_url
from services.gateway.events.webhooks import active_secrets, backoff_seconds, wants
from services.gateway.rate_limits import RateLimiter

# The expected matrix, written out by hand: role -> permissions it must have / must not have.
MUST = {
    Role.ADMIN: {"users:write", "api_keys:write", "plans:write", "subscriptions:write",
                 "reports:review", "notices:ack"},
    Role.OFFICER: {"plans:write", "tasks:write", "reports:review", "notices:write",
                   "sources:write", "alerts:read", "events:read", "items:write",
                   "alerts:write", "alert_rules:read", "alert_rules:write", "topics:read",
                   "topics:write", "audit:read"},
    Role.OUTLET_EDITOR: {"tasks:read", "reports:write", "notices:read", "notices:ack",
                         "coverage:read"},
    Role.LOCAL_OFFICER: {"tasks:read", "reports:write", "notices:ack", "coverage:read",
                         "items:read"},
    Role.TRANSLATOR: {"translations:write", "notices:read"},
    Role.VIEWER: {"plans:read", "tasks:read", "alerts:read", "coverage:read", "sources:read",
                  "items:read"},
    Role.SYSTEM: {"items:write", "events:read", "subscriptions:write", "sources:read"},
}
MUST_NOT = {
    Role.OFFICER: {"users:write", "api_keys:write", "subscriptions:write"},
    Role.OUTLET_EDITOR: {"plans:write", "reports:review", "notices:write", "users:read",
                         "alerts:read", "sources:read", "translations:write", "items:read",
                         "items:write", "topics:read", "alert_rules:read", "audit:read"},
    Role.LOCAL_OFFICER: {"plans:write", "reports:review", "users:read", "alerts:read",
                         "sources:read", "items:write", "alerts:write", "topics:write"},
    Role.TRANSLATOR: {"plans:write", "reports:write", "events:read", "tasks:read"},
    Role.VIEWER: {"plans:write", "reports:write", "notices:ack", "users:read",
                  "translations:write", "subscriptions:read", "sources:write", "items:write",
                  "alerts:write", "alert_rules:read", "topics:read", "audit:read"},
    Role.SYSTEM: {"plans:write", "users:write", "api_keys:write", "reports:review",
                  "sources:write", "alerts:write", "alert_rules:write", "topics:write",
                "audit:read"},
}


@pytest.mark.parametrize("role", list(Role))
def test_role_matrix(role):
    principal = Principal(id="p", role=role)
    for permission in MUST.get(role, set()):
        assert is_allowed(principal, permission), (role, permission)
    for permission in MUST_NOT.get(role, set()):
        assert not is_allowed(principal, permission), (role, permission)


def test_every_role_has_a_row_and_admins_can_do_everything():
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert all(p <= ROLE_PERMISSIONS[Role.ADMIN] for p in ROLE_PERMISSIONS.values())


def test_an_api_key_is_limited_to_its_scopes_and_to_the_system_role():
    key = Principal(id="k", role=Role.SYSTEM, kind="api_key", scopes=frozenset({"events:read"}))
    assert is_allowed(key, "events:read")
    assert not is_allowed(key, "items:write")
    escalated = Principal(id="k", role=Role.SYSTEM, kind="api_key",
                          scopes=frozenset({"users:write"}))
    assert not is_allowed(escalated, "users:write")
    assert invalid_scopes(["events:read", "users:write", "nonsense"]) == ["nonsense",
                                                                          "users:write"]


def test_local_officers_see_their_unit_and_its_children():
    parents = {"gl": None, "district-a": "gl", "commune-a1": "district-a",
               "commune-a2": "district-a", "district-b": "gl", "loop-x": "loop-y",
               "loop-y": "loop-x"}
    assert child_closure("district-a", parents) == {"district-a", "commune-a1", "commune-a2"}
    assert child_closure("commune-a1", parents) == {"commune-a1"}
    assert child_closure("loop-x", parents) == {"loop-x", "loop-y"}


def test_unit_scoped_principals_see_only_objects_naming_their_units():
    editor = Principal(id="e", role=Role.OUTLET_EDITOR, unit_id="bao-gia-lai",
                       visible_units=frozenset({"bao-gia-lai"}))
    own_task = {"id": "t1", "lead_unit_id": "bao-gia-lai"}
    coordinating = {"id": "t2", "lead_unit_id": "x", "coordinating_unit_ids": ["bao-gia-lai"]}
    other = {"id": "t3", "lead_unit_id": "dai-ptth-gia-lai"}
    notice = {"id": "n", "recipients": [{"unit_id": "bao-gia-lai"}]}
    assert can_see(editor, own_task) and can_see(editor, coordinating) and can_see(editor, notice)
    assert not can_see(editor, other) and not can_see(editor, {})
    assert can_see(Principal(id="o", role=Role.OFFICER), other)
    assert units_of({"recipient_unit_ids": ["a", 3], "unit_id": "b"}) == {"a", "b"}


def test_event_visibility_follows_role_and_unit():
    editor = Principal(id="e", role=Role.OUTLET_EDITOR, unit_id="u",
                       visible_units=frozenset({"u"}))
    translator = Principal(id="t", role=Role.TRANSLATOR)
    viewer = Principal(id="v", role=Role.VIEWER)
    assert can_see_event(editor, "task.assigned", {"lead_unit_id": "u"})
    assert not can_see_event(editor, "task.assigned", {"lead_unit_id": "other"})
    assert can_see_event(viewer, "monitoring.alert_raised", {})
    assert not can_see_event(translator, "plan.issued", {})  # no events:read
    key = Principal(id="k", role=Role.SYSTEM, kind="api_key", scopes=frozenset({"items:write"}))
    assert not can_see_event(key, "plan.issued", {})


def test_the_in_process_rate_limit_allows_the_budget_then_says_how_long_to_wait():
    async def scenario():
        limiter = RateLimiter()  # memory://: a single instance
        assert [await limiter.hit("k", 3) for _ in range(3)] == [0, 0, 0]
        wait = await limiter.hit("k", 3)
        assert 1 <= wait <= 60
        assert await limiter.hit("other", 3) == 0  # per key
        assert not limiter.shared

    asyncio.run(scenario())


def test_looking_at_a_budget_spends_nothing():
    async def scenario():
        limiter = RateLimiter()
        assert [await limiter.blocked("failures", 2) for _ in range(5)] == [0] * 5
        await limiter.hit("failures", 2)
        await limiter.hit("failures", 2)
        assert await limiter.blocked("failures", 2) >= 1

    asyncio.run(scenario())


@pytest.mark.parametrize("url,reason", [
    ("http://127.0.0.1:8080/hook", "loopback"),
    ("http://10.0.0.5/hook", "private"),
    ("http://169.254.169.254/latest/meta-data", "cloud_metadata"),
    ("http://[::1]/hook", "loopback"),
    ("http://[::ffff:192.168.1.1]/hook", "ipv4_embedded_private"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("ftp://203.0.113.9/hook", "scheme_not_allowed"),
    ("http://user:pw@8.8.8.8/hook", "credentials_in_url"),
])
def test_subscription_urls_to_private_addresses_are_refused(url, reason):
    with pytest.raises(UrlNotAllowed) as caught:
        asyncio.run(check_url(url, []))
    assert caught.value.reason == reason


def test_the_allowlist_lets_local_receivers_in():
    assert asyncio.run(check_url("http://127.0.0.1:9999/h", ["127.0.0.0/8", "::1"])) == \
        ["127.0.0.1"]
    assert asyncio.run(check_url("https://8.8.8.8/h", [])) == ["8.8.8.8"]
    with pytest.raises(UrlNotAllowed):
        asyncio.run(check_url("http://10.1.1.1/h", ["127.0.0.0/8"]))


def test_webhook_backoff_has_full_jitter_and_a_cap():
    import random

    rng = random.Random(7)
    samples = [backoff_seconds(3, 2.0, 600, rng) for _ in range(200)]
    assert all(0 <= s <= 16 for s in samples) and max(samples) > 12 and min(samples) < 4
    assert all(backoff_seconds(40, 2.0, 600, rng) <= 600 for _ in range(50))


def test_subscription_matching_and_secret_rotation_grace():
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    sub = {"event_types": ["plan.issued"],
           "secrets": [{"value": "new", "expires_at": None},
                       {"value": "old", "expires_at": now + timedelta(hours=1)},
                       {"value": "gone", "expires_at": now - timedelta(seconds=1)}]}
    assert wants(sub, "plan.issued") and not wants(sub, "task.assigned")
    assert wants({"event_types": ["*"]}, "task.assigned")
    assert active_secrets(sub, now) == ["new", "old"]


def test_every_rotated_secret_keeps_signing_for_its_grace_period_however_often_one_rotates():
    from datetime import UTC, datetime, timedelta

    from services.gateway.events.webhooks import rotated_secrets

    first, secrets = rotated_secrets({"secrets": []}, 86400)
    issued = [first]
    for _ in range(5):  # five quick rotations: minutes, not a day
        secret, secrets = rotated_secrets({"secrets": secrets}, 86400)
        issued.append(secret)
    now = datetime.now(UTC)
    assert active_secrets({"secrets": secrets}, now) == issued[::-1]
    tomorrow = now + timedelta(seconds=86401)
    assert active_secrets({"secrets": secrets}, tomorrow) == [issued[-1]]
    # A secret whose grace has ended is dropped at the next rotation, not kept forever.
    ended = [secrets[0], {**secrets[1], "expires_at": now - timedelta(seconds=1)}]
    _, kept = rotated_secrets({"secrets": ended}, 86400)
    assert [s["value"] for s in kept[1:]] == [secrets[0]["value"]]


def test_a_rotation_can_revoke_the_previous_secrets_at_once():
    from datetime import UTC, datetime

    from services.gateway.events.webhooks import rotated_secrets

    _, secrets = rotated_secrets({"secrets": []}, 86400)
    _, secrets = rotated_secrets({"secrets": secrets}, 86400)
    new, revoked = rotated_secrets({"secrets": secrets}, 86400, revoke_previous=True)
    assert active_secrets({"secrets": revoked}, datetime.now(UTC)) == [new]
