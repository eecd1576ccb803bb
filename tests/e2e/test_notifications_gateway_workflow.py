"""The notifications half of the campaign's workflow, through the gateway only (issue 16): a
notice to a Jrai-reading district office under each translation policy, the translator's
queue, an officer's rejection with a reason and approval, the Jrai version in the unit's inbox
and on a real SMTP server, status per recipient with language, read and acknowledgement;
groups and the signature as of the plan's date; the directory, settings, bulletins, provider
reports and dead letters routes; clear 4xx answers to bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from stack.demo import PLAN_FILE, UNITS_FILE
from stack.notification_peers import SmtpSink
from stack.testkit import eventually
from tests.conftest import gateway_token

PASSWORD = "mật-khẩu-thử-nghiệm-123"
JRAI_UNIT = "pvhtt-ia-grai"
JRAI_MAIL = "vhtt.ia-grai@gialai.example.org"
JRAI_SUBJECT = "Pơtô kơ bruă pơgang tơlơi soh (Jrai)"
PLAN_ID = "plan-25-kh-stttt-2021"


@pytest.fixture(scope="module")
def people(platform, api, smtp):
    """The seed organisation and plan, e-mail to the local SMTP server, one user per role."""
    reply = api.put("/api/v1/notification-settings/channels/email",
                    json={"smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                          "timeout_seconds": 2})
    assert reply.status_code == 200, reply.text
    api.post("/api/v1/units/import", json={"content": UNITS_FILE.read_text(encoding="utf-8")},
             timeout=120)
    eventually(lambda: api.get(f"/api/v1/units/{JRAI_UNIT}").raise_for_status(), 60)
    api.post("/api/v1/plans/import", json={"content": PLAN_FILE.read_text(encoding="utf-8")},
             timeout=120)
    eventually(lambda: api.get(f"/api/v1/plans/{PLAN_ID}").raise_for_status(), 60)
    clients = {"admin": api}
    for role, unit in (("officer", None), ("translator", None), ("local_officer", JRAI_UNIT),
                       ("outlet_editor", "bao-gia-lai")):
        name = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
        created = api.post("/api/v1/users", json={"username": name, "password": PASSWORD,
                                                  "role": role, "unit_id": unit})
        assert created.status_code == 201, created.text
        token = gateway_token(platform.gateway_url, name, PASSWORD)
        clients[role] = httpx.Client(base_url=platform.gateway_url, timeout=30,
                                     headers={"Authorization": f"Bearer {token}"})
    yield clients
    for role, client in clients.items():
        if role != "admin":
            client.close()


def ok(reply: httpx.Response, status: int = 200):
    assert reply.status_code == status, reply.text
    return reply.json()


def post_notice(officer: httpx.Client, body: dict) -> httpx.Response:
    """As a client should: with an idempotency key, retried while the platform answers 503
    (a loaded machine); the retry answers the notice the first call made."""
    body = {"idempotency_key": uuid.uuid4().hex, **body}
    reply = officer.post("/api/v1/notices", json=body)
    for _ in range(5):
        if reply.status_code != 503:
            break
        reply = officer.post("/api/v1/notices", json=body)
    return reply


def send(officer: httpx.Client, policy: str, **fields) -> dict:
    run = uuid.uuid4().hex[:6]
    return ok(post_notice(officer, {
        "subject": f"Tuyên truyền phòng, chống mua bán người ({run})",
        "body": "Đề nghị phát thông tin trên hệ thống truyền thanh cơ sở ba lần mỗi tuần.",
        "recipients": [JRAI_UNIT], "plan_id": PLAN_ID, "translation_policy": policy,
        "ack_deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat(), **fields}), 201)


def mails(smtp: SmtpSink, subject_part: str, language: str) -> list:
    return [m for m in smtp.to(JRAI_MAIL) if subject_part in str(m.message["Subject"])
            and m.message["Content-Language"] == language]


def rows(client: httpx.Client, notice_id: str, **params) -> dict[str, dict]:
    page = ok(client.get(f"/api/v1/notices/{notice_id}/deliveries", params=params))
    return {r["language"]: r for r in page["items"]}


def translate(people, notice_id: str, marker: str) -> str:
    """The translator submits, the officer returns it with a reason, the corrected version is
    approved; returns the Jrai subject."""
    subject = f"{JRAI_SUBJECT} {marker}"
    translator, officer = people["translator"], people["officer"]
    url = f"/api/v1/notices/{notice_id}/translations/jra"
    [task] = ok(translator.get("/api/v1/translations", params={"notice_id": notice_id}))["items"]
    assert task["status"] == "requested" and task["source_subject"].startswith("Tuyên truyền")
    ok(translator.put(url, json={"subject": subject, "body": "Bản dịch lần đầu."}))
    returned = ok(officer.post(f"{url}/reject",
                               json={"reason": "Thuật ngữ 'mua bán người' dịch chưa đúng"}))
    assert returned["status"] == "rejected"
    [seen] = ok(translator.get("/api/v1/translations",
                               params={"notice_id": notice_id}))["items"]
    assert seen["rejection_reason"] == "Thuật ngữ 'mua bán người' dịch chưa đúng"
    ok(translator.put(url, json={"subject": subject,
                                 "body": "Bruă pơtruh kơ ană plơi (Jrai), bản đã sửa."}))
    approved = ok(officer.post(f"{url}/approve"))
    assert approved["status"] == "approved" and approved["revision"] == 2
    return subject


def test_vi_first_sends_vietnamese_now_then_the_approved_jrai_version(people, smtp):
    officer, local = people["officer"], people["local_officer"]
    notice = send(officer, "vi_first")
    marker = notice["subject"][-7:]
    eventually(lambda: mails(smtp, marker, "vi")[0], 30)
    status = rows(officer, notice["id"])
    assert status["vi"]["status"] == "delivered"
    assert (status["jra"]["status"], status["jra"]["hold_reason"]) == (
        "held", "awaiting_translation")
    assert status["vi"]["address"] == "v***i@gialai.example.org"

    subject = translate(people, notice["id"], marker)
    jrai = eventually(lambda: mails(smtp, marker, "jra")[0], 30)
    assert jrai.message["Subject"] == subject
    inbox = ok(local.get("/api/v1/inbox", params={"unit_id": JRAI_UNIT}))["items"]
    item = next(i for i in inbox if i["notice_id"] == notice["id"])
    assert (item["language"], item["subject"], item["languages"]) == (
        "jra", subject, ["jra", "vi"])

    assert ok(local.post(f"/api/v1/notices/{notice['id']}/read"))["created"] is True
    ok(local.post(f"/api/v1/notices/{notice['id']}/ack"))
    mine = eventually(lambda: _acknowledged(rows(local, notice["id"])), 15)
    assert set(mine) == {"vi", "jra"}  # the local officer sees its own unit's rows
    assert mine["jra"]["status"] == "delivered" and mine["jra"]["language"] == "jra"
    assert mine["jra"]["read_at"] is not None and mine["jra"]["acknowledged_via"] == "api"
    assert mine["jra"]["release_reason"] == "translation_approved"
    summary = ok(officer.get(f"/api/v1/notices/{notice['id']}"))
    assert summary["deliveries"] == {"delivered": 2}
    assert summary["acknowledged_units"] == [JRAI_UNIT]
    # An outlet editor of another unit does not see the notice, nor its rows.
    assert people["outlet_editor"].get(
        f"/api/v1/notices/{notice['id']}/deliveries").status_code == 404


def test_wait_holds_everything_until_approval_and_refuses_bad_requests(people, smtp):
    officer, translator = people["officer"], people["translator"]
    notice = send(officer, "wait")
    marker = notice["subject"][-7:]
    assert notice["translation_deadline"] is not None  # the default, documented
    status = eventually(lambda: _held(rows(officer, notice["id"])), 15)
    assert status["vi"]["hold_reason"] == "waiting_for_translations"
    url = f"/api/v1/notices/{notice['id']}/translations"
    assert officer.post(f"{url}/jra/approve").status_code == 409  # nothing submitted
    unknown = translator.put(f"{url}/fr", json={"subject": "x", "body": "y"})
    assert unknown.status_code == 422 and "no translation workflow" in unknown.json()["detail"]
    assert translator.put(f"{url}/bdq", json={"subject": "x", "body": "y"}).status_code == 404
    assert mails(smtp, marker, "vi") == []

    translate(people, notice["id"], marker)
    eventually(lambda: mails(smtp, marker, "vi")[0], 30)
    eventually(lambda: mails(smtp, marker, "jra")[0], 30)
    both = eventually(lambda: _delivered(rows(officer, notice["id"], status="delivered")), 15)
    assert set(both) == {"vi", "jra"}


def test_wait_sends_the_vietnamese_copy_at_the_translation_deadline(people, smtp):
    deadline = datetime.now(UTC) + timedelta(seconds=3)
    notice = send(people["officer"], "wait", translation_deadline=deadline.isoformat())
    marker = notice["subject"][-7:]
    eventually(lambda: mails(smtp, marker, "vi")[0], 30)
    status = rows(people["officer"], notice["id"])
    assert status["vi"]["release_reason"] == "translation_deadline"
    assert status["jra"]["status"] == "held"  # still waits for its translation


def test_groups_and_signature_resolve_as_of_the_plans_date(people):
    officer = people["officer"]
    body = {"subject": "Hướng dẫn tuyên truyền về tín dụng đen",
            "body": "Đề nghị các cơ quan báo chí địa phương đưa tin thường xuyên."}
    of_plan = ok(post_notice(officer, {
        **body, "recipients": ["group:local-press"], "plan_id": PLAN_ID}), 201)
    assert {"bao-gia-lai", "dai-ptth-gia-lai"} <= set(of_plan["recipients"])
    assert of_plan["as_of"] == "2021-02-25"
    assert of_plan["sender_name"] == "Sở Thông tin và Truyền thông tỉnh Gia Lai"
    today = ok(post_notice(officer, {**body, "recipients": ["group:local-press"]}), 201)
    assert "bao-gia-lai" not in today["recipients"]
    pleiku = ok(post_notice(officer, {
        **body, "recipients": ["group:pleiku-units"], "plan_id": PLAN_ID}), 201)
    assert "pvhtt-pleiku" in pleiku["recipients"]
    gone = post_notice(officer, {**body, "recipients": ["group:pleiku-units"]})
    assert gone.status_code == 404
    explicit = ok(post_notice(officer, {
        **body, "recipients": ["group:local-press"], "plan_id": PLAN_ID,
        "as_of": "2021-06-01"}), 201)
    assert explicit["as_of"] == "2021-06-01"
    malformed = officer.post("/api/v1/notices", json={**body, "recipients": ["bao-gia-lai"],
                                                      "as_of": "2021-13-40"})
    assert malformed.status_code == 422


def test_resend_directory_settings_bulletins_reports_and_dead_letters(people, smtp):
    admin, officer, local = people["admin"], people["officer"], people["local_officer"]
    notice = send(officer, "vi_first")
    vi = eventually(lambda: _delivered(rows(officer, notice["id"])), 30)["vi"]
    resend_url = f"/api/v1/notices/{notice['id']}/deliveries"
    again = ok(officer.post(f"{resend_url}/{vi['id']}/resend"))
    assert (again["resends"], again["resent_by"] is not None) == (1, True)
    eventually(lambda: _count(mails(smtp, notice["subject"][-7:], "vi"), 2), 30)
    assert officer.post(f"{resend_url}/dlv_nope/resend").status_code == 404
    assert local.post(f"{resend_url}/{vi['id']}/resend").status_code == 403

    recipient = ok(officer.get(f"/api/v1/recipients/{JRAI_UNIT}"))
    assert recipient["languages"] == ["vi", "jra"] and recipient["valid_to"] == "2025-06-30"
    preferences = {"channel_order": ["email", "zalo"], "quiet_hours": None, "digest_at": None}
    assert ok(local.put(f"/api/v1/recipients/{JRAI_UNIT}/preferences",
                        json=preferences))["channel_order"] == ["email", "zalo"]
    assert local.put("/api/v1/recipients/bao-gia-lai/preferences",
                     json=preferences).status_code == 404
    assert local.get(f"/api/v1/recipients/{JRAI_UNIT}").status_code == 403

    assert {c["channel"] for c in ok(officer.get(
        "/api/v1/notification-settings/channels"))} >= {"email", "sms", "inbox"}
    assert officer.put("/api/v1/notification-settings/channels/sms",
                       json={"enabled": False}).status_code == 403
    escalation = ok(admin.get("/api/v1/notification-settings/escalation"))
    assert admin.put("/api/v1/notification-settings/escalation", json={
        "reminder_delay_seconds": 7200, "escalation_delay_seconds": 3600}).status_code == 422
    assert ok(admin.get("/api/v1/notification-settings/escalation")) == escalation
    template = ok(officer.get("/api/v1/notification-settings/templates/guidance"))
    assert template["source"] in ("default", "saved")
    broken = officer.put("/api/v1/notification-settings/templates/guidance/jra",
                         json={"subject": "{{ notice_subject", "text": "x"})
    assert broken.status_code == 422 and broken.json()["errors"][0]["part"] == "subject"

    today = datetime.now(UTC).date()
    params = {"period_start": (today - timedelta(days=1)).isoformat(),
              "period_end": (today + timedelta(days=1)).isoformat()}
    bulletin = ok(local.get(f"/api/v1/bulletins/{JRAI_UNIT}", params=params))
    assert notice["id"] in bulletin["notice_ids"]
    script = local.get(f"/api/v1/bulletins/{JRAI_UNIT}", params={**params, "format": "text"})
    assert script.headers["content-type"].startswith("text/plain")
    assert local.get("/api/v1/bulletins/bao-gia-lai", params=params).status_code == 404

    report = admin.post("/api/v1/delivery-reports/sms",
                        json={"provider_message_id": "sms-unknown", "status": "delivered"})
    assert report.status_code == 404
    for service in ("plans", "notifications", "monitoring"):
        assert isinstance(ok(admin.get(f"/api/v1/dead-letters/{service}")), list)
    assert officer.get("/api/v1/dead-letters/plans").status_code == 403
    replay = ok(admin.post("/api/v1/dead-letters/notifications/replay",
                           json={"ids": ["dl-unknown"]}))
    assert replay == {"dl-unknown": "not_found"}


def _acknowledged(status: dict[str, dict]) -> dict[str, dict]:
    assert all(r["acknowledged_at"] for r in status.values()), status
    return status


def _held(status: dict[str, dict]) -> dict[str, dict]:
    assert {r["status"] for r in status.values()} == {"held"}, status
    return status


def _delivered(status: dict[str, dict]) -> dict[str, dict]:
    assert status and all(r["status"] == "delivered" for r in status.values()
                          if r["language"] == "vi"), status
    return status


def _count(found: list, n: int) -> list:
    assert len(found) >= n, len(found)
    return found
