"""The `campaign` console script (installed by `pip install -e .`), run as an operator would,
in subprocesses against the real broker, database and running services."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

CAMPAIGN = Path(sys.executable).parent / "campaign"
SEED_PLAN = Path(__file__).parents[2] / "services/plans/seed/plan-25-KH-STTTT-2021.yaml"


def campaign(*args: str, env: dict[str, str] | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CAMPAIGN), *args], capture_output=True, text=True,
                          timeout=timeout, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                                **(env or {})})


def test_help_is_in_english_and_in_vietnamese_on_request():
    english = campaign("--help")
    assert english.returncode == 0
    assert "import-plan" in english.stdout and "dead-letters" in english.stdout
    assert "Run and administer the campaign platform" in english.stdout
    assert "CAMPAIGN_LANG=vi" in english.stdout  # where to read it in Vietnamese
    vietnamese = campaign("import-plan", "--help", env={"CAMPAIGN_LANG": "vi"})
    assert vietnamese.returncode == 0
    assert "Nhập các tệp kế hoạch" in " ".join(vietnamese.stdout.split())
    assert "CAMPAIGN_LANG=en" in vietnamese.stdout


@pytest.mark.parametrize("args", [
    ("dead-letters", "list", "billing"),
    ("serve", "everything"),
    ("rotate-secret", "database-password"),
    ("import-plan", "/no/such/plan.yaml"),
    ("create-admin", "--username", "Không Hợp Lệ"),
    ("dead-letters", "replay", "notifications"),
    ("no-such-command",),
    ("serve", "foo:Bar"),
    ("serve", "services.plans.service:Nope"),
    ("dead-letters", "replay", "plans", "--all", "some-id"),
])
def test_a_bad_argument_is_a_clear_usage_error_never_a_traceback(args):
    done = campaign(*args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "Error" in done.stderr and "Usage: campaign" in done.stderr


def test_create_admin_creates_once_and_the_admin_signs_in(infra, platform):
    import httpx

    name = f"quan-tri-{uuid.uuid4().hex[:6]}"
    env = {**infra.env(), "NEW_ADMIN_PASSWORD": "mật-khẩu-quản-trị-rất-dài"}
    created = campaign("create-admin", "--username", name, "--password-env",
                       "NEW_ADMIN_PASSWORD", env=env)
    assert created.returncode == 0, created.stderr
    assert f"admin {name} created" in created.stdout
    user = infra.database("gateway")["users"].find_one({"username": name})
    assert user["role"] == "admin" and "password_hash" in user
    again = campaign("create-admin", "--username", name, "--password-env",
                     "NEW_ADMIN_PASSWORD", env=env)
    assert again.returncode == 1 and "exists" in again.stderr
    login = httpx.post(f"{platform.gateway_url}/api/v1/auth/token", timeout=10,
                       data={"username": name, "password": "mật-khẩu-quản-trị-rất-dài"})
    assert login.status_code == 200, login.text


def test_dead_letters_are_listed_as_json_or_a_table_and_replay_answers_each(infra, platform):
    listed = campaign("dead-letters", "list", "notifications", "--limit", "5",
                      env=infra.env())
    assert listed.returncode == 0, listed.stderr
    letters = json.loads(listed.stdout)
    assert isinstance(letters, list)
    assert all({"id", "consumer", "reason", "error"} <= set(d) for d in letters)
    table = campaign("dead-letters", "list", "notifications", "--table", "--limit", "5",
                     env={**infra.env(), "COLUMNS": "80"})
    assert table.returncode == 0 and "consumer" in table.stdout
    for letter in letters:  # whole, so that it can be copied into `replay`
        assert letter["id"] in table.stdout, table.stdout
    missing = f"khong-co-{uuid.uuid4().hex[:6]}"
    replayed = campaign("dead-letters", "replay", "notifications", missing, env=infra.env())
    assert replayed.returncode == 1, replayed.stderr
    assert json.loads(replayed.stdout) == {missing: "not_found"}
    assert f"no dead letter {missing} in notifications" in replayed.stderr


def test_an_unreachable_broker_is_one_line():
    done = campaign("dead-letters", "list", "plans",
                    env={"AMQP_URI": "amqp://guest:guest@127.0.0.1:5999//"})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [done.stderr.strip()], done.stderr
    assert done.stderr.startswith("error: cannot reach the broker")


def test_a_new_env_file_for_a_secret_is_readable_by_its_owner_only(tmp_path):
    fresh = tmp_path / "secrets.env"
    done = campaign("rotate-secret", "jwt", "--env-file", str(fresh))
    assert done.returncode == 0, done.stderr
    assert fresh.stat().st_mode & 0o777 == 0o600
    assert fresh.read_text().startswith("AUTH_JWT_SECRET=")
    shared = tmp_path / "app.env"
    shared.write_text("LOG_LEVEL=info\n")
    shared.chmod(0o640)
    done = campaign("rotate-secret", "ack-link", "--env-file", str(shared))
    assert done.returncode == 0, done.stderr
    assert shared.stat().st_mode & 0o777 == 0o640  # an existing file keeps its mode
    assert shared.read_text().splitlines()[0] == "LOG_LEVEL=info"


def plan_file(tmp_path: Path) -> tuple[Path, str]:
    """The seed plan under a new id and number, so it imports afresh in a shared platform."""
    suffix = uuid.uuid4().int % 9000 + 1000
    plan_id = f"plan-{suffix}-kh-stttt-2021"
    text = SEED_PLAN.read_text(encoding="utf-8") \
        .replace("id: plan-25-kh-stttt-2021", f"id: {plan_id}", 1) \
        .replace("number: 25/KH-STTTT", f"number: {suffix}/KH-STTTT", 1)
    path = tmp_path / f"ke-hoach-{suffix}.yaml"
    path.write_text(text, encoding="utf-8")
    return path, plan_id


def test_import_plan_imports_once_with_a_progress_bar(infra, platform, rpc, tmp_path):
    from stack.demo import UNITS_FILE

    rpc.call("plans", "import_units", content=UNITS_FILE.read_text(encoding="utf-8"),
             timeout=90)
    path, plan_id = plan_file(tmp_path)
    first = campaign("import-plan", str(path), env=infra.env(), timeout=180)
    assert first.returncode == 0, first.stderr
    assert f"({plan_id})" in first.stderr and "imported" in first.stderr
    assert "importing plans" in first.stderr  # the progress bar's label
    plan: dict[str, Any] = rpc.call("plans", "get_plan", plan_id=plan_id)
    assert plan["status"] == "draft" and plan["task_count"] > 5
    again = campaign("import-plan", str(path), env={**infra.env(), "CAMPAIGN_LANG": "vi"},
                     timeout=180)
    assert again.returncode == 0, again.stderr
    assert "đã nhập trước đó, không đổi" in again.stderr


def test_import_plan_says_a_plan_was_imported_when_it_cannot_be_issued(infra, platform, rpc,
                                                                       tmp_path):
    from stack.demo import UNITS_FILE

    rpc.call("plans", "import_units", content=UNITS_FILE.read_text(encoding="utf-8"),
             timeout=90)
    path, plan_id = plan_file(tmp_path)
    unsigned = path.read_text(encoding="utf-8").replace(
        "  signer:\n    name: Lê Thị Thu Hương\n    title: PHÓ GIÁM ĐỐC\n"
        "    capacity: KT. GIÁM ĐỐC\n", "")
    assert "\n  signer:" not in unsigned
    path.write_text(unsigned, encoding="utf-8")
    done = campaign("import-plan", str(path), "--issue", env=infra.env(), timeout=180)
    assert done.returncode == 1
    said = " ".join(done.stderr.split())
    assert f"({plan_id}) was imported but not issued" in said and "signer" in said, said
    assert rpc.call("plans", "get_plan", plan_id=plan_id)["status"] == "draft"


def test_a_webhook_secret_rotation_keeps_the_old_secret_for_the_grace_period(infra, platform,
                                                                            api):
    created = api.post("/api/v1/subscriptions", json={
        "url": "http://127.0.0.1:9/hooks/campaign", "event_types": ["plan.issued"]})
    assert created.status_code == 201, created.text
    sub = created.json()
    rotated = campaign("rotate-secret", "webhook", "--subscription", sub["id"],
                       env=infra.env())
    assert rotated.returncode == 0, rotated.stderr
    (answer,) = json.loads(rotated.stdout)
    assert answer["id"] == sub["id"] and answer["secret"].startswith("whsec_")
    assert answer["secret"] != sub["secret"]
    stored = infra.database("gateway")["subscriptions"].find_one({"_id": sub["id"]})
    assert [s["value"] for s in stored["secrets"]] == [answer["secret"], sub["secret"]]
    assert stored["secrets"][0]["expires_at"] is None
    assert stored["secrets"][1]["expires_at"] is not None
    unknown = campaign("rotate-secret", "webhook", "--subscription", "khong-co",
                       env=infra.env())
    assert unknown.returncode == 1 and "no subscription khong-co" in unknown.stderr
