"""The plans use cases against the real database: creating and amending plans, and bad or
null changes answered as validation failures, never a crash."""

from __future__ import annotations

import base64
import io

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError

from services.contracts.plans_documents import (
    AmendPlanRequest,
    CreatePlanRequest,
    PlanCommand,
    UpdatePlanRequest,
)
from services.contracts.plans_reporting import AuditQuery, ExportRequest, ProgressRequest
from services.contracts.plans_tasks import (
    AddTaskRequest,
    UpdateTaskRequest,
)
from services.plans import reporting
from services.plans.domain import Conflict, InvalidTransition, NotFound, ValidationFailed
from services.plans.use_cases import audit
from services.plans.use_cases.plans import (
    amend_plan,
    create_plan,
    get_plan,
    issue_plan,
    update_plan,
)
from services.plans.use_cases.tasks import (
    add_task,
    update_task,
)
from stack.testkit import unique_number


def test_create_amend_and_bad_plan_input(ctx, units):
    number = f"{unique_number()}/KH-STTTT"
    body = {"number": number, "issuer_unit_id": "gl-stttt", "title": "Kế hoạch tuyên truyền",
            "year": 2021, "issued_on": "2021-03-01", "place": "Gia Lai", "topics": ["drugs"],
            "signer": {"name": "Lê Thị Thu Hương", "title": "PHÓ GIÁM ĐỐC"}, "actor": "o1"}
    plan = create_plan(CreatePlanRequest(**body), ctx)
    with pytest.raises(Conflict):  # duplicate number for the same issuer and year
        create_plan(CreatePlanRequest(**body), ctx)
    with pytest.raises(ValidationFailed):  # unknown unit
        create_plan(CreatePlanRequest(**{**body, "issuer_unit_id": "nowhere"}), ctx)
    with pytest.raises(ValidationError):  # unknown topic: rejected by the contract
        CreatePlanRequest(**{**body, "topics": ["weather"]})
    task = {"title": "Đăng tin", "lead_unit_id": "bao-gia-lai", "due_date": "2021-02-01"}
    with pytest.raises(ValidationFailed):  # deadline before the plan date
        add_task(AddTaskRequest(plan_id=plan["id"], task_id="t1", task=task), ctx)
    add_task(AddTaskRequest(plan_id=plan["id"], task_id="t1",
                                task={**task, "due_date": "2021-06-30"}), ctx)
    with pytest.raises(Conflict):
        add_task(AddTaskRequest(plan_id=plan["id"], task_id="t1",
                                    task={**task, "due_date": "2021-06-30"}), ctx)

    edited = update_plan(UpdatePlanRequest(plan_id=plan["id"], changes={"title": "Mới"}),
                           ctx)
    assert edited["title"] == "Mới"
    issue_plan(PlanCommand(plan_id=plan["id"]), ctx)
    with pytest.raises(InvalidTransition):  # an issued plan changes only by amendment
        update_plan(UpdatePlanRequest(plan_id=plan["id"], changes={"title": "X"}), ctx)
    amended = amend_plan(AmendPlanRequest(
        plan_id=plan["id"], changes={"topics": ["drugs", "high_tech_crime"]},
        reason="Bổ sung chủ đề", actor="director", idempotency_key="amend-1"), ctx)
    retried = amend_plan(AmendPlanRequest(
        plan_id=plan["id"], changes={"topics": ["drugs", "high_tech_crime"]},
        reason="Bổ sung chủ đề", actor="director", idempotency_key="amend-1"), ctx)
    assert amended == retried and amended["revision"] == 1
    detail = get_plan(plan["id"], ctx)
    assert detail["amendments"][0]["changed_fields"] == ["topics"]
    entry = audit.audit_journal(AuditQuery(plan_id=plan["id"], entity_kind="plan"),
                            ctx)["items"][-1]
    assert entry["action"] == "plan.amended" and entry["actor"] == "director"
    assert entry["changes"][0]["after"] == ["drugs", "high_tech_crime"]
    with pytest.raises(NotFound):
        get_plan("missing", ctx)


def test_null_or_far_off_changes_answer_validation_failed_not_a_crash(ctx, units):
    """Found by schemathesis: these answered internal_error (nulls reached the domain, and a
    deadline in year 9999 overflowed the calendar, then broke every progress read)."""
    number = f"{unique_number()}/KH-STTTT"
    plan = create_plan(CreatePlanRequest(
        number=number, issuer_unit_id="gl-stttt", title="Kế hoạch", year=2021,
        issued_on="2021-03-01", topics=["drugs"], channels=["press"],
        signer={"name": "Lê Thị Thu Hương", "title": "PHÓ GIÁM ĐỐC"}), ctx)
    task = {"title": "Đăng tin", "lead_unit_id": "bao-gia-lai", "due_date": "2021-06-30",
            "topics": ["drugs"],
            "kpis": [{"id": "k", "metric": "articles", "target": 2, "period": "monthly"}]}
    add_task(AddTaskRequest(plan_id=plan["id"], task_id="t1", task=task), ctx)
    for name in ("number", "issuer_unit_id", "issued_on", "title", "year"):
        with pytest.raises(ValidationFailed) as caught:
            update_plan(UpdatePlanRequest(plan_id=plan["id"], changes={name: None}), ctx)
        assert caught.value.details["fields"] == [name]
        assert "cannot be removed" in caught.value.message
    # null clears an optional field
    cleared = update_plan(UpdatePlanRequest(
        plan_id=plan["id"], changes={"topics": None, "recipients": None, "basis": None}), ctx)
    assert cleared["topics"] == []
    with pytest.raises(ValidationFailed):
        update_task(UpdateTaskRequest(plan_id=plan["id"], task_id="t1",
                                          changes={"title": None}), ctx)
    edited = update_task(UpdateTaskRequest(
        plan_id=plan["id"], task_id="t1",
        changes={"topics": None, "channels": None, "description": None}), ctx)
    assert edited["topics"] == [] and edited["kpis"]
    for changes in ({"due_date": "9999-12-31"},
                    {"recurrence": {"kind": "monthly", "starts_on": "2021-03-01",
                                    "ends_on": "9999-12-31", "deadline_offset_days": 3}},
                    {"recurrence": {"kind": "monthly", "starts_on": "0001-01-01",
                                    "ends_on": "2021-12-31"}}):
        with pytest.raises(ValidationFailed) as caught:
            update_task(UpdateTaskRequest(plan_id=plan["id"], task_id="t1",
                                              changes=changes), ctx)
        assert "10 years" in caught.value.message
    with pytest.raises(ValidationFailed):
        add_task(AddTaskRequest(plan_id=plan["id"], task_id="t2",
                                    task={**task, "due_date": "9999-12-31"}), ctx)
    huge = [{"id": "k", "metric": "articles", "target": 3614485445024787258671104,
             "period": "monthly"}]  # more than the 64-bit integers storage holds
    with pytest.raises(ValidationFailed):
        update_task(UpdateTaskRequest(plan_id=plan["id"], task_id="t1",
                                          changes={"kpis": huge}), ctx)
    summary = reporting.progress_summary(ProgressRequest(plan_id=plan["id"]), ctx)
    assert summary["summary"]["total"] == 1
    # Control characters in a title are kept, but left out of the XLSX export they broke.
    update_plan(UpdatePlanRequest(plan_id=plan["id"], changes={"title": "Kế\x02 hoạch"}),
                  ctx)
    update_task(UpdateTaskRequest(plan_id=plan["id"], task_id="t1",
                                      changes={"title": "Đăng\x1b tin"}), ctx)
    xlsx = reporting.export_progress(ExportRequest(plan_id=plan["id"], view="tasks"), ctx)
    book = load_workbook(io.BytesIO(base64.b64decode(xlsx["content_base64"])))
    assert book["Theo nhiệm vụ"].cell(1, 1).value.endswith("Kế hoạch")
    assert book["Theo nhiệm vụ"].cell(4, 3).value == "Đăng tin"
    issue_plan(PlanCommand(plan_id=plan["id"]), ctx)
    with pytest.raises(ValidationFailed):  # an amendment cannot remove the title either
        amend_plan(AmendPlanRequest(plan_id=plan["id"], changes={"title": None},
                                        reason="Sửa"), ctx)
    amended = amend_plan(AmendPlanRequest(plan_id=plan["id"], changes={"channels": None},
                                              reason="Bỏ kênh báo in"), ctx)
    assert amended["revision"] == 1
