"""Every request-body example the OpenAPI document shows for the units, plans, tasks, reports
and notices routes is accepted by the real services when sent as it is (a reader copies them
into curl; two were refused with 422 before). Only the ids an example names are made unique
per run, and the calls run in an order the workflow allows."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from stack.demo import PLAN_FILE, UNITS_FILE
from stack.processes import private_platform
from stack.testkit import eventually
from tests.conftest import gateway_token

EXAMPLE_PLAN_ID = "plan-25-kh-stttt-2021"
EXAMPLE_PLAN_NUMBER = "25/KH-STTTT"
EXAMPLE_UNIT_ID = "pvhtt-ia-grai"
EXAMPLE_TASK_ID = "press-bgl-coverage"
COVERED_PREFIXES = ("/api/v1/units", "/api/v1/plans", "/api/v1/reports", "/api/v1/notices")


class Examples:
    """The documented examples by operation id, each sent with the ids of this run."""

    def __init__(self, api: httpx.Client) -> None:
        self.api = api
        self.suffix = uuid.uuid4().hex[:8]
        self.document = api.get("/openapi.json").raise_for_status().json()
        self.operations: dict[str, tuple[str, str, Any]] = {}
        for path, by_method in self.document["paths"].items():
            for method, operation in by_method.items():
                content = operation.get("requestBody", {}).get("content", {})
                if path.startswith(COVERED_PREFIXES) and "application/json" in content:
                    self.operations[operation["operationId"]] = (
                        method.upper(), path, content["application/json"]["example"])
        self.sent: set[str] = set()

    def body(self, operation_id: str, **ids: str) -> Any:
        """The example with the example's own plan, unit, task and idempotency key swapped
        for this run's (ids maps an example id to its replacement)."""
        example = copy.deepcopy(self.operations[operation_id][2])
        text = json.dumps(example, ensure_ascii=False)
        for old, new in ids.items():
            text = text.replace(old, new)
        body = json.loads(text)
        if isinstance(body, dict) and "idempotency_key" in body:
            body["idempotency_key"] = f"{body['idempotency_key']}-{self.suffix}"
        return body

    def send(self, operation_id: str, path_ids: dict[str, str],
             ids: dict[str, str] | None = None) -> Any:
        method, path, _ = self.operations[operation_id]
        body = self.body(operation_id, **(ids or {}))
        reply = self.api.request(method, path.format(**path_ids), json=body, timeout=60)
        for _ in range(5):  # 503 = the documented "busy, retry" of a loaded machine
            if reply.status_code != 503:
                break
            reply = self.api.request(method, path.format(**path_ids), json=body, timeout=60)
        assert 200 <= reply.status_code < 300, (
            f"{operation_id}: the documented example {json.dumps(body, ensure_ascii=False)} "
            f"was refused: {reply.status_code} {reply.text}")
        self.sent.add(operation_id)
        return reply.json() if reply.content else None


@pytest.fixture(scope="module")
def examples(infra: Any) -> Iterator[Examples]:
    """On a private platform: the examples add district offices valid since 2021, which would
    join the seed's groups on the session platform and change what other tests count."""
    with private_platform(infra.broker, infra.env(), "docex") as platform:
        token = gateway_token(platform.gateway_url, infra.admin_username, infra.admin_password)
        with httpx.Client(base_url=platform.gateway_url, timeout=15,
                          headers={"Authorization": f"Bearer {token}"}) as api:
            api.post("/api/v1/units/import", timeout=120,
                     json={"content": UNITS_FILE.read_text(encoding="utf-8")})
            eventually(lambda: api.get(f"/api/v1/units/{EXAMPLE_UNIT_ID}").raise_for_status(),
                       60)
            yield Examples(api)


def test_every_documented_request_body_of_the_workflow_routes_is_accepted(examples):
    run = examples.suffix
    number = f"{uuid.uuid4().int % 90000 + 10000}/KH-STTTT"
    unit = f"pvhtt-vd-{run}"
    # Unit names are unique within their validity period: this run's units get their own.
    unit_ids = {EXAMPLE_UNIT_ID: unit, "Ia Grai": f"Ia Grai {run}"}

    # Units: a new unit of its own (PUT and import), retired at the end.
    examples.send("createOrReplaceUnit", {"unit_id": unit}, unit_ids)
    examples.send("importUnits", {}, {f"id: {EXAMPLE_UNIT_ID}": f"id: {unit}-b",
                                      "Ia Grai": f"Ia Grai {run}-b"})

    # A plan created from the example, edited, given the example task, issued.
    created = examples.send("createPlan", {}, {EXAMPLE_PLAN_NUMBER: number})
    plan = created["id"]
    examples.send("updatePlan", {"plan_id": plan})
    examples.send("addTask", {"plan_id": plan})
    task = {"plan_id": plan, "task_id": EXAMPLE_TASK_ID}
    examples.send("updateTask", task)
    examples.send("issuePlan", {"plan_id": plan})
    examples.send("startTask", task)
    returned = examples.send("submitReport", task)
    examples.send("reviewReport", {"report_id": returned["id"]})
    second = examples.api.post(f"/api/v1/plans/{plan}/tasks/{EXAMPLE_TASK_ID}/reports",
                               json={**examples.body("submitReport"), "period_key": "2021-Q2"})
    assert second.status_code == 201, second.text
    accepted = examples.api.post(f"/api/v1/reports/{second.json()['id']}/review",
                                 json={"decision": "accepted"})
    assert accepted.status_code == 200, accepted.text
    examples.send("correctReport", {"report_id": second.json()["id"]})
    examples.send("completeTask", task)
    examples.send("reopenTask", task)
    examples.send("cancelTask", task)
    examples.send("amendPlan", {"plan_id": plan})

    # A notice on that plan, translated into Jrai, read and acknowledged.
    notice = examples.send("createNotice", {}, {EXAMPLE_PLAN_ID: plan})
    on_notice = {"notice_id": notice["id"], "language": "jra"}
    examples.send("submitTranslation", on_notice)
    examples.send("rejectTranslation", on_notice)
    examples.send("markRead", on_notice)
    examples.send("acknowledgeNotice", on_notice)

    # The plan rolled over to a new year, then closed.
    examples.send("rollOver", {"plan_id": plan}, {"12/KH-SVHTTDL": f"{number}-2026"})
    examples.send("closePlan", {"plan_id": plan})

    # The import example: a plan of its own, its task reassigned, then cancelled.
    imported_number = f"{uuid.uuid4().int % 90000 + 10000}/KH-STTTT"
    imported_id = f"plan-vd-{run}"
    imported = examples.send("importPlan", {}, {EXAMPLE_PLAN_ID: imported_id,
                                                EXAMPLE_PLAN_NUMBER: imported_number})
    assert imported["plan"]["id"] == imported_id
    examples.send("assignTask", {"plan_id": imported_id, "task_id": EXAMPLE_TASK_ID})
    examples.send("cancelPlan", {"plan_id": imported_id})

    examples.send("retireUnit", {"unit_id": f"{unit}-b"})

    assert examples.sent == set(examples.operations), (
        "a route with a documented body example is not exercised here: "
        f"{sorted(set(examples.operations) - examples.sent)}")


def test_an_invalid_task_names_what_is_wrong(examples):
    imported = examples.api.post("/api/v1/plans/import", json={
        "content": PLAN_FILE.read_text(encoding="utf-8")
        .replace(f"id: {EXAMPLE_PLAN_ID}", f"id: plan-vt-{examples.suffix}")
        .replace(f"number: {EXAMPLE_PLAN_NUMBER}",
                 f"number: {uuid.uuid4().int % 90000 + 10000}/KH-STTTT")}, timeout=120)
    assert imported.status_code in (200, 201), imported.text
    body = examples.body("addTask")
    body["task"]["due_date"] = "2021-12-15"  # and the example's recurrence: one too many
    reply = examples.api.post(f"/api/v1/plans/plan-vt-{examples.suffix}/tasks", json=body)
    assert reply.status_code == 422, reply.text
    assert "due_date or a recurrence" in reply.json()["detail"], reply.text
