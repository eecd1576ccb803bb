"""The campaign's workflow through the gateway's /api/v1 (issue 16, the plans half): the audit
journal (pages, CSV, per task), with the real services as processes."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from stack.demo import PLAN_FILE, UNITS_FILE

PLAN_TEXT = PLAN_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seeded(platform, rpc):
    rpc.call("plans", "import_units", content=UNITS_FILE.read_text(encoding="utf-8"),
             timeout=90)
    suffix = uuid.uuid4().hex[:8]
    text = (PLAN_TEXT.replace("id: plan-25-kh-stttt-2021", f"id: plan-gw-{suffix}")
            .replace("number: 25/KH-STTTT", f"number: {uuid.uuid4().int % 9000 + 1}/KH-STTTT"))
    return rpc.call("plans", "import_plan", content=text, issue=True, actor="importer",
                    timeout=90)["plan"]


def test_the_audit_journal_pages_exports_and_narrows_to_a_task(api, seeded):
    base = f"/api/v1/plans/{seeded['id']}"
    task = "press-bgl-coverage"
    started = api.post(f"{base}/tasks/{task}/start")
    assert started.status_code == 200, started.text
    report = api.post(f"{base}/tasks/{task}/reports", json={
        "unit_id": "bao-gia-lai", "period_key": "2021-Q1",
        "narrative": "=HYPERLINK(\"http://x\") 14 tin, bài",
        "counts": [{"channel": "e_newspaper", "metric": "articles", "count": 14,
                    "topic": "drugs"}]})
    assert report.status_code == 201, report.text
    reviewed = api.post(f"/api/v1/reports/{report.json()['id']}/review",
                        json={"decision": "returned", "reason": "Thiếu minh chứng"})
    assert reviewed.status_code == 200, reviewed.text

    first = api.get(f"{base}/audit", params={"limit": 3})
    assert first.status_code == 200, first.text
    page = first.json()
    assert [e["action"] for e in page["items"]][:1] == ["plan.imported"]
    assert page["next_cursor"]
    rest = api.get(f"{base}/audit", params={"cursor": page["next_cursor"], "limit": 200}).json()
    assert rest["items"][0]["id"] > page["items"][-1]["id"]

    journal = api.get(f"{base}/tasks/{task}/audit").json()["items"]
    actions = [(e["action"], e["entity_kind"]) for e in journal]
    assert actions[-3:] == [("task.in_progress", "task"), ("report.submitted", "report"),
                            ("report.returned", "report")]
    returned = journal[-1]
    assert returned["note"] == "Thiếu minh chứng"
    assert returned["changes"] == [{"field": "status", "before": "submitted",
                                    "after": "returned"}]

    exported = api.get(f"{base}/tasks/{task}/audit.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Thời điểm", "Người thực hiện", "Thao tác"]
    assert [rows[-1][i] for i in (2, 3, 5, 6, 7, 8)] == [
        "report.returned", "report", "status", "submitted", "returned", "Thiếu minh chứng"]
    same = api.get(f"{base}/tasks/{task}/audit", params={"format": "csv", "language": "en"})
    assert same.content.decode("utf-8-sig").splitlines()[0].startswith("at,actor,action")

    whole = api.get(f"{base}/audit.csv").content.decode("utf-8-sig")
    assert whole.count("task.created") == 124


def test_audit_bad_input_answers_4xx(api, seeded):
    base = f"/api/v1/plans/{seeded['id']}"
    assert api.get("/api/v1/plans/no-such-plan/audit").status_code == 404
    assert api.get(f"{base}/tasks/no-such-task/audit").status_code == 404
    assert api.get(f"{base}/audit", params={"format": "exe"}).status_code == 422
    assert api.get(f"{base}/audit", params={"since": "yesterday"}).status_code == 422
    assert api.get(f"{base}/audit", params={"entity_kind": "planet"}).status_code == 422


def kpi_achieved(api, plan_id: str, task_id: str, target: str, period: str) -> int:
    exported = api.get(f"/api/v1/plans/{plan_id}/export",
                       params={"format": "csv", "view": "kpis", "language": "en"})
    rows = csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))
    found = [r for r in rows if (r["task_id"], r["target_id"], r["period"])
             == (task_id, target, period)]
    return int(found[0]["achieved"])


def test_an_accepted_report_is_corrected_through_review_and_progress_counts_the_correction(
        api, seeded):
    base = f"/api/v1/plans/{seeded['id']}"
    sent = api.post(f"{base}/tasks/press-bgl-coverage/reports", json={
        "unit_id": "bao-gia-lai", "period_key": "2021-Q2", "narrative": "Quý II",
        "counts": [{"channel": "e_newspaper", "metric": "articles", "count": 5,
                    "topic": "drugs"}]}).json()
    assert api.post(f"/api/v1/reports/{sent['id']}/corrections",
                    json={"reason": "Chưa duyệt"}).status_code == 409
    api.post(f"/api/v1/reports/{sent['id']}/review", json={"decision": "accepted"})
    assert kpi_achieved(api, seeded["id"], "press-bgl-coverage", "drugs-articles", "2021-Q2") == 5

    no_reason = api.post(f"/api/v1/reports/{sent['id']}/corrections", json={"counts": []})
    assert no_reason.status_code == 422
    assert api.post("/api/v1/reports/nope/corrections",
                    json={"reason": "x"}).status_code == 404
    correction = api.post(f"/api/v1/reports/{sent['id']}/corrections", json={
        "reason": "Nhập nhầm: 15 tin, bài chứ không phải 5",
        "narrative": "Quý II (đính chính)",
        "counts": [{"channel": "e_newspaper", "metric": "articles", "count": 15,
                    "topic": "drugs"}]})
    assert correction.status_code == 201, correction.text
    body = correction.json()
    assert (body["status"], body["version"], body["corrects_report_id"]) == (
        "submitted", 2, sent["id"])
    again = api.post(f"/api/v1/reports/{sent['id']}/corrections", json={"reason": "Lần hai"})
    assert again.status_code == 409 and "awaits review" in again.json()["detail"]
    assert kpi_achieved(api, seeded["id"], "press-bgl-coverage", "drugs-articles", "2021-Q2") == 5

    accepted = api.post(f"/api/v1/reports/{body['id']}/review", json={"decision": "accepted"})
    assert accepted.status_code == 200, accepted.text
    assert kpi_achieved(api, seeded["id"], "press-bgl-coverage", "drugs-articles",
                        "2021-Q2") == 15
    original = api.get(f"/api/v1/reports/{sent['id']}").json()
    assert (original["status"], original["superseded_by"]) == ("accepted", body["id"])
    journal = api.get(f"{base}/tasks/press-bgl-coverage/audit",
                      params={"entity_kind": "report", "limit": 200}).json()["items"]
    assert [e["action"] for e in journal][-3:] == [
        "report.correction_submitted", "report.accepted", "report.superseded"]
