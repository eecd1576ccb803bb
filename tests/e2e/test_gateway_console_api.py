"""Gateway routes the console needs: who the caller is and what it may do, changing one's own
password, and a plan's reports across its tasks (the review queue)."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from stack.demo import load_demo_data
from tests.conftest import gateway_token

PERIOD_BY_RECURRENCE = {"quarterly": "2021-Q1", "monthly": "2021-M03", "yearly": "2021-Y"}


def new_user(api: httpx.Client, role: str, unit_id: str | None) -> tuple[str, str]:
    name = f"{role.replace('_', '-')}-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(16)
    created = api.post("/api/v1/users", json={"username": name, "password": password,
                                              "role": role, "unit_id": unit_id})
    assert created.status_code == 201, created.text
    return name, password


def client_as(platform: Any, name: str, password: str) -> httpx.Client:
    token = gateway_token(platform.gateway_url, name, password)
    return httpx.Client(base_url=platform.gateway_url, timeout=15,
                        headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def demo_plan(platform: Any, infra: Any) -> dict[str, Any]:
    return load_demo_data(infra.amqp_uri)


def test_me_answers_the_permissions_of_the_role(platform: Any, api: httpx.Client) -> None:
    officer = client_as(platform, *new_user(api, "officer", None))
    editor = client_as(platform, *new_user(api, "outlet_editor", "bao-gia-lai"))
    officer_me = officer.get("/api/v1/users/me").json()
    editor_me = editor.get("/api/v1/users/me").json()
    assert {"plans:write", "reports:review"} <= set(officer_me["permissions"])
    assert "reports:write" in editor_me["permissions"]
    assert not {"reports:review", "plans:write"} & set(editor_me["permissions"])
    assert editor_me["unit_id"] == "bao-gia-lai"


def test_a_user_changes_its_own_password_only_with_the_current_one(
        platform: Any, api: httpx.Client) -> None:
    name, password = new_user(api, "viewer", None)
    viewer = client_as(platform, name, password)
    url = "/api/v1/users/me/password"
    wrong = viewer.post(url, json={"current_password": "đoán-bừa", "new_password": "x" * 12})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["loc"] == ["body", "current_password"]
    short = viewer.post(url, json={"current_password": password, "new_password": "ngắn"})
    assert short.status_code == 422
    new_password = "mật-khẩu-mới-" + secrets.token_hex(4)
    changed = viewer.post(url, json={"current_password": password,
                                     "new_password": new_password})
    assert changed.status_code == 200, changed.text
    old = httpx.post(f"{platform.gateway_url}/api/v1/auth/token",
                     json={"username": name, "password": password})
    assert old.status_code == 401
    assert gateway_token(platform.gateway_url, name, new_password)
    # The token used for the change is revoked; the one in the answer carries the session on.
    assert viewer.get("/api/v1/users/me").json()["reason"] == "revoked_token"
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert viewer.get("/api/v1/users/me", headers=fresh).json()["username"] == name


def test_the_review_queue_lists_submitted_reports_across_tasks_by_unit(
        platform: Any, api: httpx.Client, demo_plan: dict[str, Any]) -> None:
    plan_id = demo_plan["id"]
    # The radio-television station: the console's browser tests report for Báo Gia Lai.
    outlet = "dai-ptth-gia-lai"
    editor = client_as(platform, *new_user(api, "outlet_editor", outlet))
    local = client_as(platform, *new_user(api, "local_officer", "pvhtt-pleiku"))
    task = editor.get(f"/api/v1/plans/{plan_id}/tasks", params={"limit": 200}).json()["items"][0]
    kind = (task.get("recurrence") or {}).get("kind", "")
    period = PERIOD_BY_RECURRENCE.get(kind, "ONCE")
    submitted = editor.post(f"/api/v1/plans/{plan_id}/tasks/{task['task_id']}/reports", json={
        "unit_id": outlet, "period_key": period,
        "narrative": "Đã đăng 14 tin, bài về phòng, chống ma túy.",
        "idempotency_key": secrets.token_hex(8)})
    assert submitted.status_code == 201, submitted.text
    report_id = submitted.json()["id"]

    queue = api.get(f"/api/v1/plans/{plan_id}/reports",
                    params={"status": "submitted", "limit": 200}).json()
    assert report_id in {r["id"] for r in queue["items"]}
    assert report_id in {r["id"] for r in editor.get(f"/api/v1/plans/{plan_id}/reports").json()
                         ["items"]}
    others = local.get(f"/api/v1/plans/{plan_id}/reports").json()["items"]
    assert report_id not in {r["id"] for r in others}
    assert all(r["unit_id"] != outlet for r in others)

    assert api.get("/api/v1/plans/no-such-plan/reports").status_code == 404
    assert api.get(f"/api/v1/plans/{plan_id}/reports",
                   params={"status": "maybe"}).status_code == 422


def test_the_plans_list_carries_each_plans_progress_when_asked(
        api: httpx.Client, demo_plan: dict[str, Any]) -> None:
    """The overview is one request: `include=progress` adds what /progress answers at a
    glance to each plan that is not a draft, and nothing without it."""
    draft = api.post("/api/v1/plans", json={
        "number": f"{secrets.randbelow(900) + 100}/KH-NHAP", "issuer_unit_id": "gl-stttt",
        "title": "Kế hoạch nháp", "year": 2021})
    assert draft.status_code == 201, draft.text
    plans = api.get("/api/v1/plans", params={"include": "progress", "limit": 200}).json()["items"]
    by_id = {plan["id"]: plan for plan in plans}
    progress = api.get(f"/api/v1/plans/{demo_plan['id']}/progress").json()
    assert by_id[demo_plan["id"]]["progress"] == {
        "summary": progress["summary"],
        "reports_pending_review": progress["reports_pending_review"]}
    assert by_id[draft.json()["id"]]["progress"] is None
    plain = api.get("/api/v1/plans", params={"limit": 200}).json()["items"]
    assert all(plan.get("progress") is None for plan in plain)
