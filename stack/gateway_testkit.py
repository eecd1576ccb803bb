"""What the gateway's end-to-end tests share: waiting for a gateway, signing in, one user per
role, and the rows of a role x resource matrix."""

from __future__ import annotations

import time
from typing import Any

import httpx

from services.runtime.rpc_sync import BlockingRpc
from stack.demo import load_units

ROLES = ("admin", "officer", "outlet_editor", "local_officer", "translator", "viewer", "system")
UNIT_SCOPED = ("outlet_editor", "local_officer")
# In a matrix row, a role whose answer the row does not check.
SKIP = None


def wait_healthy(url: str, seconds: float = 60, interval: float = 0.3) -> None:
    """Returns once the gateway at `url` answers /healthz, or raises after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(interval)
    raise RuntimeError(f"{url} did not start")


def login(url: str, username: str, password: str) -> dict[str, str]:
    """The headers of a signed-in user."""
    reply = httpx.post(f"{url}/api/v1/auth/token",
                       json={"username": username, "password": password}, timeout=10)
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def create_role_users(api: httpx.Client, url: str, prefix: str, suffix: str, unit: str,
                      password: str) -> dict[str, tuple[str, dict[str, str]]]:
    """One user per role but admin and system (the unit-scoped ones in `unit`), named
    `<prefix><role>-<suffix>`: each role's user id and signed-in headers."""
    users = {}
    for role in ROLES[1:-1]:
        name = f"{prefix}{role.replace('_', '-')}-{suffix}"
        created = api.post("/api/v1/users", json={
            "username": name, "password": password, "role": role,
            "unit_id": unit if role in UNIT_SCOPED else None})
        assert created.status_code == 201, created.text
        users[role] = (created.json()["id"], login(url, name, password))
    return users


def role_headers(api: httpx.Client, rpc: BlockingRpc, url: str, prefix: str, suffix: str,
                 password: str) -> dict[str, dict[str, str]]:
    """The seed units loaded and `create_role_users` in the first unit listed: each role's
    signed-in headers, the admin's those of `api` (for tests that need any unit, not a given
    one)."""
    load_units(rpc, timeout=90)
    unit = api.get("/api/v1/units", params={"limit": 1}).json()["items"][0]["id"]
    users = create_role_users(api, url, prefix, suffix, unit, password)
    return {role: headers for role, (_, headers) in users.items()} | {"admin": dict(api.headers)}


def row(method: str, template: str, body: str | None, *statuses: int | None) -> tuple[Any, ...]:
    """A matrix row: the expected status of each role in ROLES order (None: not checked)."""
    expected = dict(zip(ROLES, statuses, strict=True))
    return (method, template, body,
            {role: status for role, status in expected.items() if status is not None})
