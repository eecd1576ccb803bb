"""The plans service as a process: seed import and issue, events on the bus and at their
consumers, reports, automatic evidence from monitoring, the deadline timer, typed errors."""

from __future__ import annotations

import functools
import json
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from kombu import Connection, Exchange, Queue

from services.contracts.errors import ServiceError
from services.contracts.events.monitoring import CoverageMatched
from services.gateway.errors import STATUS_BY_CODE
from stack import testkit
from stack.demo import PLAN_FILE, UNITS_FILE
from stack.testkit import unique_number

PLAN_TEXT = PLAN_FILE.read_text(encoding="utf-8")

# This flow's patience; the helper is the shared one.
eventually = functools.partial(testkit.eventually, seconds=45.0)


class Tap:
    """Every event published on `plans.events`, collected by a private queue."""

    def __init__(self, amqp_uri: str) -> None:
        self.events: list[dict] = []
        self.connection = Connection(amqp_uri)
        exchange = Exchange("plans.events", type="topic", durable=True)
        self.queue = Queue(f"test-tap-{uuid.uuid4().hex[:8]}", exchange=exchange,
                           routing_key="#", auto_delete=True)
        self.queue(self.connection.default_channel).declare()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with Connection(self.connection.as_uri(include_password=True)) as conn:
            bound = self.queue(conn.default_channel)
            while not self._stop.is_set():
                message = bound.get(no_ack=True)
                if message is None:
                    time.sleep(0.05)
                    continue
                self.events.append(json.loads(message.body))

    def of(self, event_type: str, plan_id: str) -> list[dict]:
        return [e for e in list(self.events)
                if e["type"] == event_type and e["data"].get("plan_id") == plan_id]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.connection.release()


@pytest.fixture(scope="module")
def tap(platform, infra):
    listener = Tap(infra.amqp_uri)
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def units(platform, rpc):
    return rpc.call("plans", "import_units", content=UNITS_FILE.read_text(encoding="utf-8"),
                    idempotency_key=uuid.uuid4().hex, timeout=60)


def import_seed(rpc, issue: bool = True) -> dict:
    suffix = uuid.uuid4().hex[:8]
    text = (PLAN_TEXT.replace("id: plan-25-kh-stttt-2021", f"id: plan-e2e-{suffix}")
            .replace("number: 25/KH-STTTT", f"number: {unique_number()}/KH-STTTT"))
    result = rpc.call("plans", "import_plan", content=text, issue=issue, actor="e2e",
                      idempotency_key=f"import-{suffix}", timeout=60)
    return result["plan"]


@pytest.fixture(scope="module")
def plan(units, rpc, tap):
    return import_seed(rpc)


def test_issued_seed_plan_reaches_the_bus_and_the_consumers(plan, tap, rpc):
    assert plan["status"] == "issued"
    eventually(lambda: len(tap.of("task.assigned", plan["id"])) == 124 or 1 / 0)
    issued = eventually(lambda: tap.of("plan.issued", plan["id"])[0])
    assert len(issued["data"]["task_ids"]) == 124
    assert issued["data"]["topics"][:2] == ["weapons_gangs", "murder"]
    assigned = tap.of("task.assigned", plan["id"])
    assert len({e["id"] for e in assigned}) == 124
    bgl = next(e["data"] for e in assigned if e["data"]["task_id"] == "press-bgl-coverage")
    assert bgl["lead_unit_id"] == "bao-gia-lai" and bgl["recurrence"] == "quarterly"

    # plan.created reached the consumer of each subscribed service (whatever the consumer then
    # made of it: applied, or dead-lettered with a reason by that service).
    created = eventually(lambda: tap.of("plan.created", plan["id"])[0])
    for service in ("notifications", "monitoring"):
        assert eventually(lambda s=service: received(rpc, s, created["id"]) or 1 / 0) == [
            f"{service}.on_plan_created"]
    summary = rpc.call("plans", "progress_summary", plan_id=plan["id"],
                       as_of="2021-04-10T00:00:00+07:00")
    assert summary["summary"]["total"] == 115  # leaf tasks


def received(rpc, service: str, event_id: str) -> list[str]:
    """The consumers of `service` that took the event (applied or dead-lettered)."""
    status = rpc.call(service, "ops_event_status", event_id=event_id)
    letters = rpc.call(service, "ops_dead_letters", limit=1000)
    return sorted({s["consumer"] for s in status}
                  | {d["consumer"] for d in letters if d.get("event_id") == event_id})


def test_report_submitted_reviewed_and_counted_once(plan, tap, rpc):
    body = {"plan_id": plan["id"], "task_id": "press-bgl-coverage", "unit_id": "bao-gia-lai",
            "period_key": "2021-Q1", "narrative": "Quý I: 14 tin, bài về phòng, chống ma túy",
            "counts": [{"channel": "e_newspaper", "metric": "articles", "count": 14,
                        "topic": "drugs"}],
            "links": [{"url": "https://baogialai.example.org/ma-tuy", "kind": "article"}],
            "actor": "bgl-reporter", "idempotency_key": uuid.uuid4().hex}
    first = rpc.call("plans", "submit_report", **body)
    retried = rpc.call("plans", "submit_report", **body)
    assert retried["id"] == first["id"] and first["status"] == "submitted"
    reviewed = rpc.call("plans", "review_report", report_id=first["id"], decision="accepted",
                        actor="department")
    assert reviewed["status"] == "accepted"
    eventually(lambda: tap.of("report.reviewed", plan["id"]) or 1 / 0)
    assert len(tap.of("report.submitted", plan["id"])) == 1
    kpis = eventually(lambda: [e["data"] for e in tap.of("kpi.progressed", plan["id"])
                               if e["data"]["source"] == "report"] or 1 / 0)
    assert ("2021-Q1", 14, 12) in {(k["period_key"], k["achieved"], k["target"]) for k in kpis}
    journal = rpc.call("plans", "audit_journal", plan_id=plan["id"], entity_kind="report")
    assert [(e["action"], e["actor"]) for e in journal["items"]] == [
        ("report.submitted", "bgl-reporter"), ("report.accepted", "department")]


def publish_coverage(amqp_uri: str, envelope: dict) -> None:
    exchange = Exchange("monitoring.events", type="topic", durable=True)
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(json.dumps(envelope).encode(), exchange=exchange,
                                routing_key="monitoring.coverage_matched", declare=[exchange],
                                content_type="application/json", content_encoding="utf-8",
                                delivery_mode=2)


def test_redelivered_coverage_counts_once(plan, tap, rpc, infra):
    item = uuid.uuid4().hex[:10]
    payload = CoverageMatched(
        item_id=item, task_id="press-bgl-coverage", plan_id=plan["id"],
        outlet_unit_id="bao-gia-lai", topic="drugs", title="Triệt phá đường dây ma túy",
        url=f"https://baogialai.example.org/{item}", content_hash="cd" * 32,
        published_at=datetime(2021, 5, 4, 2, tzinfo=UTC))
    envelope = payload.to_envelope().model_dump(mode="json")
    publish_coverage(infra.amqp_uri, envelope)
    publish_coverage(infra.amqp_uri, envelope)  # redelivery: same event id
    publish_coverage(infra.amqp_uri, payload.to_envelope().model_dump(mode="json"))  # same item

    def evidence() -> list[dict]:
        task = rpc.call("plans", "get_task", plan_id=plan["id"], task_id="press-bgl-coverage")
        assert task["evidence"], task
        return task["evidence"]

    assert [e["item_id"] for e in eventually(evidence)] == [item]
    eventually(lambda: rpc.call("plans", "ops_event_status", event_id=envelope["id"]) == [
        {"consumer": "plans.on_coverage_matched", "status": "done"}] or 1 / 0)

    def counted() -> list[tuple[str, int]]:
        found = sorted((e["data"]["period_key"], e["data"]["achieved"])
                       for e in tap.of("kpi.progressed", plan["id"])
                       if e["data"]["source"] == "coverage")
        assert found, found
        return found

    # Q2 moved to 1; the yearly target already counts the 14 reported articles (the larger of
    # reported and evidenced counts), so it does not move.
    assert eventually(counted) == [("2021-Q2", 1)]
    time.sleep(2)  # let any (wrong) second count arrive
    assert [e["item_id"] for e in evidence()] == [item]
    assert counted() == [("2021-Q2", 1)]


def test_timer_emits_deadline_events_once_per_task_and_period(units, tap, rpc):
    # The test platform's clock for the timer is fixed at 10/01/2021 09:00 (tests/conftest.py).
    plan = rpc.call("plans", "create_plan", number=f"{unique_number()}/KH-STTTT",
                    issuer_unit_id="gl-stttt", title="Kế hoạch tuyên truyền tháng 1",
                    year=2021, issued_on="2021-01-04", place="Gia Lai",
                    signer={"name": "Lê Thị Thu Hương", "title": "PHÓ GIÁM ĐỐC"})
    for task_id, due in (("soon", "2021-01-12"), ("late", "2021-01-08"),
                         ("later", "2021-03-01")):
        rpc.call("plans", "add_task", plan_id=plan["id"], task_id=task_id, task={
            "title": f"Nhiệm vụ {task_id}", "lead_unit_id": "bao-gia-lai", "due_date": due})
    rpc.call("plans", "issue_plan", plan_id=plan["id"])
    soon = eventually(lambda: tap.of("task.due_soon", plan["id"])[0]["data"])
    late = eventually(lambda: tap.of("task.overdue", plan["id"])[0]["data"])
    assert (soon["task_id"], soon["days_left"], soon["deadline"]) == ("soon", 2, "2021-01-12")
    assert (late["task_id"], late["days_overdue"], late["period_key"]) == ("late", 2, "ONCE")
    time.sleep(5)  # two more ticks: nothing new
    assert len(tap.of("task.due_soon", plan["id"])) == len(tap.of("task.overdue",
                                                                  plan["id"])) == 1
    # On demand for one plan, later: a new kind for "soon", nothing for "late" again. Only
    # watched deadlines are read: "late" left the watch with its overdue alert, and "soon"
    # leaves it now.
    scan = rpc.call("plans", "scan_deadlines", plan_id=plan["id"],
                    now="2021-01-13T09:00:00+07:00", timeout=60)
    assert (scan["tasks_scanned"], scan["due_soon"], scan["overdue"]) == (1, 0, 1)
    again = rpc.call("plans", "scan_deadlines", plan_id=plan["id"],
                     now="2021-01-13T10:00:00+07:00", timeout=60)
    assert (again["tasks_scanned"], again["due_soon"], again["overdue"]) == (0, 0, 0)
    overdue = eventually(lambda: [e["data"]["task_id"] for e in tap.of("task.overdue",
                                                                       plan["id"])][1])
    assert overdue == "soon"


def code_of(call) -> str:
    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value.code


def test_bad_input_gets_typed_errors_that_map_to_4xx(plan, rpc, units):
    draft = import_seed(rpc, issue=False)
    rpc.call("plans", "cancel_plan", plan_id=draft["id"], reason="Thay thế")
    task = {"title": "Đăng tin", "lead_unit_id": "bao-gia-lai", "due_date": "2021-01-10"}
    bad_kpi = {**task, "due_date": "2021-06-30",
               "kpis": [{"id": "k", "metric": "articles", "target": -1, "period": "monthly"}]}
    malformed = PLAN_TEXT.replace("per: whole_plan}", "per: fortnightly}", 1)
    rpc.call("plans", "cancel_task", plan_id=plan["id"], task_id="ttvh-news", reason="Dừng")
    cases = {
        "issue a cancelled plan": (lambda: rpc.call("plans", "issue_plan", plan_id=draft["id"]),
                                   "invalid_transition", 409),
        "report on a cancelled task": (lambda: rpc.call(
            "plans", "submit_report", plan_id=plan["id"], task_id="ttvh-news",
            unit_id="gl-stttt", period_key="2021-Q1"), "invalid_transition", 409),
        "unknown unit": (lambda: rpc.call(
            "plans", "assign_task", plan_id=plan["id"], task_id="stttt-cyberspace",
            lead_unit_id="nowhere"), "validation_failed", 422),
        "duplicate number": (lambda: rpc.call(
            "plans", "create_plan", number=plan["number"], issuer_unit_id="gl-stttt",
            title="Trùng số", year=2021, issued_on="2021-03-01"), "conflict", 409),
        "deadline before the plan date": (lambda: rpc.call(
            "plans", "add_task", plan_id=plan["id"], task_id="early", task=task),
            "validation_failed", 422),
        "negative KPI target": (lambda: rpc.call(
            "plans", "add_task", plan_id=plan["id"], task_id="neg", task=bad_kpi),
            "validation_failed", 422),
        "negative KPI count": (lambda: rpc.call(
            "plans", "submit_report", plan_id=plan["id"], task_id="press-ptth-coverage",
            unit_id="dai-ptth-gia-lai", period_key="2021-Q2",
            counts=[{"channel": "radio", "metric": "broadcasts", "count": -3}]),
            "validation_failed", 422),
        "malformed import": (lambda: rpc.call("plans", "import_plan", content=malformed),
                             "validation_failed", 422),
        "unknown plan": (lambda: rpc.call("plans", "get_plan", plan_id="nope"), "not_found", 404),
    }
    for name, (call, code, status) in cases.items():
        found = code_of(call)
        assert (found, STATUS_BY_CODE[found]) == (code, status), name
    with pytest.raises(ServiceError) as caught:
        rpc.call("plans", "import_plan", content=malformed)
    error = caught.value.details["errors"][0]
    assert error["field"] == "tasks[0].kpis[0].per"
    # nameko carries error details as text: the line number arrives as a string.
    assert "fortnightly" in malformed.splitlines()[int(error["line"]) - 1]


def test_export_over_rpc(plan, rpc):
    exported = rpc.call("plans", "export_progress", plan_id=plan["id"], format="csv",
                        view="tasks", as_of="2021-07-01T00:00:00+07:00")
    assert exported["filename"].endswith("-tasks.csv") and exported["rows"] == 124


def test_null_changes_through_the_gateway_answer_422_not_500(api, units, rpc):
    """Found by schemathesis: PATCH /plans/{id}, POST /plans/{id}/amend and PATCH of a task
    answered internal_error when a change was null or a deadline lay in year 9999."""
    plan = rpc.call("plans", "create_plan", number=f"{unique_number()}/KH-STTTT",
                    issuer_unit_id="gl-stttt", title="Kế hoạch", year=2021,
                    issued_on="2021-03-01", topics=["drugs"],
                    signer={"name": "Lê Thị Thu Hương", "title": "PHÓ GIÁM ĐỐC"})
    rpc.call("plans", "add_task", plan_id=plan["id"], task_id="t1", task={
        "title": "Đăng tin", "lead_unit_id": "bao-gia-lai", "due_date": "2021-06-30"})
    base = f"/api/v1/plans/{plan['id']}"
    refused = api.patch(base, json={"changes": {"title": None, "recipients": None}})
    assert refused.status_code == 422, refused.text
    assert "title cannot be removed" in refused.json()["detail"]
    cleared = api.patch(base, json={"changes": {"topics": None, "recipients": None}})
    assert cleared.status_code == 200 and cleared.json()["topics"] == []
    task = api.patch(f"{base}/tasks/t1", json={"changes": {"title": None, "topics": None}})
    assert task.status_code == 422, task.text
    far = api.patch(f"{base}/tasks/t1", json={"changes": {"due_date": "9999-12-31"}})
    assert far.status_code == 422 and "10 years" in far.json()["detail"]
    assert api.patch(f"{base}/tasks/t1", json={"changes": {"kpis": None}}).status_code == 200
    assert api.post(f"{base}/issue").status_code == 200
    amend = api.post(f"{base}/amend", json={"changes": {"year": None}, "reason": "Sửa"})
    assert amend.status_code == 422, amend.text
    assert api.get(f"{base}/progress").status_code == 200
