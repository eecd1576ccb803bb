"""The plans use cases against the real database: seed import, life cycle, outbox events,
audit journal, reports and KPIs, automatic evidence, deadline scan, exports, bad input."""

from __future__ import annotations

import base64
import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError

from services.contracts.events.monitoring import CoverageMatched
from services.contracts.events.notifications import NotificationAcknowledged
from services.contracts.plans_documents import (
    AmendPlanRequest,
    CreatePlanRequest,
    ImportPlanRequest,
    PlanCommand,
    UpdatePlanRequest,
)
from services.contracts.plans_reporting import AuditQuery, ExportRequest, ProgressRequest
from services.contracts.plans_reports import (
    ReportCountModel,
    ReviewReportRequest,
    SubmitReportRequest,
)
from services.contracts.plans_tasks import (
    AddTaskRequest,
    AssignTaskRequest,
    ListTasksRequest,
    TaskCommand,
    TaskReasonCommand,
    TaskRef,
    UpdateTaskRequest,
)
from services.contracts.plans_units import (
    ImportUnitsRequest,
    ListUnitsRequest,
    ResolveGroupRequest,
    RetireUnitRequest,
    UpsertUnitRequest,
)
from services.plans import codec, reporting
from services.plans.domain import Conflict, InvalidTransition, NotFound, ValidationFailed
from services.plans.repositories import PlansRepository
from services.plans.use_cases import audit, reports, units_as_of
from services.plans.use_cases.context import Context
from services.plans.use_cases.evidence import on_acknowledged, on_coverage
from services.plans.use_cases.plans import (
    amend_plan,
    close_plan,
    create_plan,
    get_plan,
    import_plan,
    issue_plan,
    update_plan,
)
from services.plans.use_cases.tasks import (
    add_task,
    assign_task,
    change_task_status,
    get_task,
    list_tasks,
    update_task,
)
from services.plans.use_cases.units import import_units, retire_unit, upsert_unit

SEED = Path(__file__).resolve().parents[2] / "services" / "plans" / "seed"
UNITS_TEXT = (SEED / "units-gia-lai.yaml").read_text(encoding="utf-8")
PLAN_TEXT = (SEED / "plan-25-KH-STTTT-2021.yaml").read_text(encoding="utf-8")
Q2_2021 = datetime(2021, 4, 2, 2, 0, tzinfo=UTC)  # 09:00 in Gia Lai


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture(scope="module")
def db(infra):
    database = infra.database(f"plans_it_{uuid.uuid4().hex[:6]}")
    PlansRepository(database).ensure_indexes()
    yield database
    database.client.drop_database(database.name)


@pytest.fixture
def clock():
    return Clock(datetime.now(UTC))


@pytest.fixture
def ctx(db, clock):
    return Context(PlansRepository(db), "test-correlation", clock)


@pytest.fixture
def units(ctx):
    return import_units(ImportUnitsRequest(content=UNITS_TEXT, actor="officer-1"), ctx)


def seed_variant(suffix: str) -> str:
    """The seed plan under another id and number, so tests do not share a plan."""
    number = 1000 + int(uuid.uuid4().int % 8000)
    return (PLAN_TEXT.replace("id: plan-25-kh-stttt-2021", f"id: plan-{suffix}")
            .replace("number: 25/KH-STTTT", f"number: {number}/KH-STTTT"))


def imported(ctx, issue: bool = True) -> dict:
    suffix = uuid.uuid4().hex[:8]
    result = import_plan(ImportPlanRequest(content=seed_variant(suffix), issue=issue,
                                               actor="officer-1"), ctx)
    return result["plan"]


def outbox_types(collection, _id) -> list[str]:
    doc = collection.find_one({"_id": _id})
    return [e["type"] for e in doc.get("_outbox") or []]


def test_units_import_is_idempotent_and_groups_follow_the_2025_merger(ctx, units):
    again = import_units(ImportUnitsRequest(content=UNITS_TEXT), ctx)
    assert again["created"] == again["updated"] == 0 and again["unchanged"] >= 70
    in_2021 = units_as_of.resolve(ResolveGroupRequest(group_id="district-culture-offices",
                                              on="2021-02-25"), ctx)
    after_merger = units_as_of.resolve(ResolveGroupRequest(group="district-culture-offices",
                                                   on="2025-07-01"), ctx)
    assert len(in_2021["unit_ids"]) == 17 and after_merger["unit_ids"] == []
    assert in_2021["items"][0]["type"] == "district_culture_office"
    retired = retire_unit(RetireUnitRequest(unit_id="nhandan-tt-gl", valid_to="2030-12-31",
                                                actor="officer-2"), ctx)
    assert retired["valid_to"] == "2030-12-31"
    journal = audit.audit_journal(AuditQuery(entity_kind="unit", entity_id="nhandan-tt-gl"), ctx)
    assert [e["actor"] for e in journal["items"]][-1] == "officer-2"
    page = units_as_of.list_units(ListUnitsRequest(active_on="2025-07-01", limit=5), ctx)
    assert len(page["items"]) == 5 and page["next_cursor"]
    assert all(u["valid_to"] is None or u["valid_to"] >= "2025-07-01" for u in page["items"])


def test_seed_import_issue_and_events_in_the_same_write(ctx, units, db):
    plan = imported(ctx, issue=False)
    detail = get_plan(plan["id"], ctx)
    assert detail["task_count"] == 124 and detail["status"] == "draft"
    assert detail["signer"]["capacity"] == "KT. GIÁM ĐỐC"
    assert detail["basis"][0]["symbol"] == "07/KH-BCĐ"
    assert outbox_types(db["plans"], plan["id"]) == ["plan.created"]

    issued = issue_plan(PlanCommand(plan_id=plan["id"], actor="director"), ctx)
    assert issued["status"] == "issued"
    types = outbox_types(db["plans"], plan["id"])
    assert types.count("plan.issued") == 1 and types.count("task.assigned") == 124
    issued_event = next(e for e in db["plans"].find_one({"_id": plan["id"]})["_outbox"]
                        if e["type"] == "plan.issued")
    assert "gl-ubnd" in issued_event["data"]["recipient_unit_ids"]
    assert issued_event["correlationid"] == "test-correlation"

    with pytest.raises(InvalidTransition):
        issue_plan(PlanCommand(plan_id=plan["id"]), ctx)
    close_plan(PlanCommand(plan_id=plan["id"], actor="director"), ctx)
    with pytest.raises(InvalidTransition):  # issuing a closed plan
        issue_plan(PlanCommand(plan_id=plan["id"]), ctx)
    actions = [e["action"] for e in audit.audit_journal(
        AuditQuery(plan_id=plan["id"], entity_kind="plan"), ctx)["items"]]
    assert actions == ["plan.imported", "plan.issued", "plan.closed"]


def test_reimporting_the_same_file_changes_nothing_and_other_content_conflicts(ctx, units):
    text = seed_variant(uuid.uuid4().hex[:8])
    first = import_plan(ImportPlanRequest(content=text), ctx)
    second = import_plan(ImportPlanRequest(content=text), ctx)
    assert first["created"] is True and second["created"] is False
    assert second["plan"]["id"] == first["plan"]["id"]
    with pytest.raises(Conflict):
        import_plan(ImportPlanRequest(content=text.replace("place: Gia Lai",
                                                               "place: Pleiku")), ctx)


def test_malformed_import_names_the_line_and_field(ctx, units):
    broken = PLAN_TEXT.replace("target: 12,", "target: -12,")
    with pytest.raises(ValidationFailed) as caught:
        import_plan(ImportPlanRequest(content=broken), ctx)
    error = caught.value.details["errors"][0]
    line = broken.splitlines()[error["line"] - 1]
    assert error["field"] == "tasks[4].kpis[0].target" and "-12" in line
    with pytest.raises(ValidationFailed) as unknown:
        import_plan(ImportPlanRequest(content=PLAN_TEXT.replace(
            "lead: Báo Gia Lai", "lead: Báo Không Có")), ctx)
    assert "unknown unit" in unknown.value.details["errors"][0]["message"]


def test_create_amend_and_bad_plan_input(ctx, units):
    number = f"{uuid.uuid4().int % 9000 + 1}/KH-STTTT"
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
    number = f"{uuid.uuid4().int % 9000 + 1}/KH-STTTT"
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


def test_reports_review_kpis_and_idempotent_submission(ctx, units, db, clock):
    plan = imported(ctx)
    submit = SubmitReportRequest(
        plan_id=plan["id"], task_id="press-bgl-coverage", unit_id="bao-gia-lai",
        period_key="2021-Q1", narrative="Quý I: 14 tin, bài về ma túy",
        counts=[{"channel": "press", "metric": "articles", "count": 14, "topic": "drugs"}],
        links=[{"url": "https://baogialai.example.org/a1", "kind": "article"}],
        idempotency_key=uuid.uuid4().hex, actor="bgl-reporter")
    first = reports.submit(submit, ctx)
    assert reports.submit(submit, ctx)["id"] == first["id"]  # a retried RPC does not count twice
    assert db["reports"].count_documents({"plan_id": plan["id"]}) == 1
    with pytest.raises(Conflict):  # a second open report for the same unit and period
        reports.submit(submit.model_copy(update={"idempotency_key": None}), ctx)
    with pytest.raises(ValidationFailed):  # negative counts
        reports.submit(submit.model_copy(update={
            "idempotency_key": None, "period_key": "2021-Q2",
            "counts": [ReportCountModel(channel="press", metric="articles", count=-1)]}), ctx)
    with pytest.raises(ValidationFailed):  # not a unit of the task
        reports.submit(submit.model_copy(update={"idempotency_key": None, "unit_id": "vtv-tt-gl"}),
                 ctx)

    returned = reports.review(ReviewReportRequest(report_id=first["id"], decision="returned",
                                              reason="Thiếu minh chứng"), ctx)
    assert returned["status"] == "returned"
    with pytest.raises(InvalidTransition):
        reports.review(ReviewReportRequest(report_id=first["id"], decision="accepted"), ctx)
    second = reports.submit(submit.model_copy(update={"idempotency_key": None}), ctx)
    assert second["version"] == 2
    clock.at = datetime(2021, 4, 3, 3, tzinfo=UTC)
    accepted = reports.review(ReviewReportRequest(report_id=second["id"], decision="accepted",
                                              actor="department"), ctx)
    assert accepted["status"] == "accepted"
    report_doc = db["reports"].find_one({"_id": second["id"]})
    kpis = [e["data"] for e in report_doc["_outbox"] if e["type"] == "kpi.progressed"]
    assert {(k["period_key"], k["achieved"], k["target"]) for k in kpis} >= {("2021-Q1", 14, 12)}
    task = get_task(TaskRef(plan_id=plan["id"], task_id="press-bgl-coverage"), ctx)
    assert "2021-Q1" in task["period_completions"]

    change_task_status(TaskReasonCommand(plan_id=plan["id"], task_id="press-bgl-coverage",
                                             reason="Dừng"), "cancel", ctx)
    with pytest.raises(InvalidTransition):  # reporting on a cancelled task
        reports.submit(submit.model_copy(update={"idempotency_key": None, "period_key": "2021-Q2"}),
                 ctx)


def test_task_life_cycle_emits_status_changes_and_assignments(ctx, units, db):
    plan = imported(ctx)
    key = f"{plan['id']}:stttt-guidance"
    started = change_task_status(TaskCommand(plan_id=plan["id"], task_id="stttt-guidance",
                                                 actor="o1"), "start", ctx)
    assert started["status"] == "in_progress"
    done = change_task_status(TaskCommand(
        plan_id=plan["id"], task_id="stttt-guidance", at="2021-03-10T08:00:00+07:00"),
        "complete", ctx)
    assert done["bucket"] == "completed_on_time"
    with pytest.raises(InvalidTransition):  # a completed task is reopened, not cancelled
        change_task_status(TaskReasonCommand(plan_id=plan["id"], task_id="stttt-guidance",
                                                 reason="x"), "cancel", ctx)
    assign_task(AssignTaskRequest(plan_id=plan["id"], task_id="stttt-cyberspace",
                                      lead_unit_id="gl-stttt",
                                      coordinating_unit_ids=["gl-congan", "bao-gia-lai"]), ctx)
    with pytest.raises(ValidationFailed):
        assign_task(AssignTaskRequest(plan_id=plan["id"], task_id="stttt-cyberspace",
                                          lead_unit_id="no-such-unit"), ctx)
    assert outbox_types(db["tasks"], key) == ["task.status_changed", "task.status_changed"]
    assert outbox_types(db["tasks"], f"{plan['id']}:stttt-cyberspace") == ["task.assigned"]
    mine = list_tasks(ListTasksRequest(plan_id=plan["id"], unit_id="bao-gia-lai"), ctx)
    assert {"press-bgl-coverage", "stttt-cyberspace"} <= {t["task_id"] for t in mine["items"]}
    updated = update_task(UpdateTaskRequest(plan_id=plan["id"], task_id="ttvh-materials",
                                                changes={"due_date": "2021-09-30"}), ctx)
    assert updated["due_date"] == "2021-09-30"


def coverage(plan_id: str, item_id: str, **kw) -> CoverageMatched:
    fields = {"item_id": item_id, "task_id": "press-bgl-coverage", "plan_id": plan_id,
              "outlet_unit_id": "bao-gia-lai", "topic": "drugs", "title": "Bắt giữ ma túy",
              "url": f"https://baogialai.example.org/{item_id}",
              "published_at": datetime(2021, 3, 20, 3, tzinfo=UTC),
              "content_hash": "ab" * 32}
    return CoverageMatched(**{**fields, **kw})


def test_coverage_counts_once_per_item_as_evidence(ctx, units, db):
    plan = imported(ctx)
    event = coverage(plan["id"], "item-1")
    assert on_coverage(event, event.published_at, ctx) == "applied"
    assert on_coverage(event, event.published_at, ctx) == "duplicate"
    other = coverage(plan["id"], "item-2", outlet_unit_id="vtv-tt-gl")
    assert on_coverage(other, other.published_at, ctx) == "unit_not_assigned"
    task = get_task(TaskRef(plan_id=plan["id"], task_id="press-bgl-coverage"), ctx)
    assert [e["url"] for e in task["evidence"]] == ["https://baogialai.example.org/item-1"]
    events = [e["data"] for e in db["tasks"].find_one(
        {"_id": f"{plan['id']}:press-bgl-coverage"})["_outbox"]]
    assert {(e["period_key"], e["achieved"], e["source"]) for e in events} == {
        ("2021-Q1", 1, "coverage"), ("2021-Y", 1, "coverage")}
    summary = reporting.progress_summary(ProgressRequest(plan_id=plan["id"], as_of=Q2_2021),
                                         ctx)
    bgl = next(u for u in summary["units"] if u["unit_id"] == "bao-gia-lai")
    assert bgl["kpis_total"] > 0


def watch_of(db, plan_id: str, task_id: str) -> list[str]:
    return db["tasks"].find_one({"_id": f"{plan_id}:{task_id}"})["alert_deadlines"]


def alerts_of_plan(db, plan_id: str) -> int:
    """Deadline alerts stored for a plan's tasks (one document per task, period and kind)."""
    return db["deadline_alerts"].count_documents({"task": {"$regex": f"^{plan_id}:"}})


def events_of_task(db, plan_id: str, task_id: str) -> list[dict]:
    """The deadline events stored for a task and not yet published."""
    return [e for d in db["deadline_alerts"].find({"task": f"{plan_id}:{task_id}"})
            for e in d.get("_outbox") or []]


def test_deadline_scan_emits_once_per_task_and_period(ctx, units, db):
    plan = imported(ctx)
    coverage_task = "press-bgl-coverage"  # quarterly, deadline 5 days after each quarter
    assert watch_of(db, plan["id"], coverage_task) == [
        "2021-04-05", "2021-07-05", "2021-10-05", "2022-01-05"]
    first = reporting.deadline_scan(ctx, Q2_2021, 3, plan["id"])
    again = reporting.deadline_scan(ctx, Q2_2021 + timedelta(hours=6), 3, plan["id"])
    assert first["due_soon"] > 0 and first["overdue"] > 0
    assert again["due_soon"] == again["overdue"] == 0
    # Only candidates are read: tasks with a watched deadline up to today + 3 days. An overdue
    # alert takes its deadline off the watch, so the second scan reads only the due-soon
    # tasks, whose alerts it finds recorded.
    assert first["tasks_scanned"] < 124
    assert again["already_sent"] == first["due_soon"]
    assert again["tasks_scanned"] == first["tasks_scanned"] - first["overdue"]
    due = [e["data"] for e in events_of_task(db, plan["id"], coverage_task)
           if e["type"] == "task.due_soon"]
    assert [(d["period_key"], d["deadline"], d["days_left"]) for d in due] == [
        ("2021-Q1", "2021-04-05", 3)]
    assert [e["data"]["days_overdue"] for e in events_of_task(db, plan["id"], "stttt-guidance")
            if e["type"] == "task.overdue"] == [18]
    assert watch_of(db, plan["id"], "stttt-guidance") == []
    later = reporting.deadline_scan(ctx, Q2_2021 + timedelta(days=4), 3, plan["id"])
    assert later["overdue"] > 0  # the Q1 deadlines passed: a new kind for the same period
    assert watch_of(db, plan["id"], coverage_task) == ["2021-07-05", "2021-10-05",
                                                       "2022-01-05"]
    recorded = alerts_of_plan(db, plan["id"])
    assert recorded == first["due_soon"] + first["overdue"] + later["due_soon"] \
        + later["overdue"]
    full = reporting.deadline_scan(ctx, Q2_2021 + timedelta(days=4), 3)  # every issued plan
    assert full["tasks_scanned"] >= later["tasks_scanned"] - later["overdue"]
    assert alerts_of_plan(db, plan["id"]) == recorded  # nothing twice for this plan


def test_the_watch_follows_task_writes_and_plan_closing(ctx, units, db):
    plan = imported(ctx)
    change_task_status(TaskCommand(plan_id=plan["id"], task_id="stttt-guidance-staff"),
                         "complete", ctx)
    assert watch_of(db, plan["id"], "stttt-guidance-staff") == []
    update_task(UpdateTaskRequest(plan_id=plan["id"], task_id="ttvh-materials",
                                      changes={"due_date": "2021-09-30"}), ctx)
    assert watch_of(db, plan["id"], "ttvh-materials") == ["2021-09-30"]
    change_task_status(TaskReasonCommand(plan_id=plan["id"], task_id="ttvh-materials",
                                             reason="Dừng"), "cancel", ctx)
    assert watch_of(db, plan["id"], "ttvh-materials") == []
    # An overdue alert recorded, then a write that puts the deadline back: the next scan
    # takes it off again (and emits nothing twice).
    reporting.deadline_scan(ctx, Q2_2021, 3, plan["id"])
    assign_task(AssignTaskRequest(plan_id=plan["id"], task_id="stttt-guidance",
                                      lead_unit_id="gl-stttt"), ctx)
    db["tasks"].update_one({"_id": f"{plan['id']}:stttt-guidance"},
                           {"$set": {"alert_deadlines": ["2021-03-15"]}})
    again = reporting.deadline_scan(ctx, Q2_2021, 3, plan["id"])
    assert again["overdue"] == 0 and watch_of(db, plan["id"], "stttt-guidance") == []
    # A closed plan raises nothing more: the next scan stops watching its tasks.
    close_plan(PlanCommand(plan_id=plan["id"]), ctx)
    assert db["tasks"].count_documents({"plan_id": plan["id"],
                                        "alert_deadlines": {"$ne": []}}) > 0
    recorded = alerts_of_plan(db, plan["id"])
    reporting.deadline_scan(ctx, Q2_2021 + timedelta(days=30), 3)
    assert alerts_of_plan(db, plan["id"]) == recorded
    assert db["tasks"].count_documents({"plan_id": plan["id"],
                                        "alert_deadlines": {"$lte": "2021-05-05"}}) == 0


def test_tasks_stored_without_a_watch_get_one_once(ctx, units, db):
    plan = imported(ctx)
    expected = {d["_id"]: d["alert_deadlines"]
                for d in db["tasks"].find({"plan_id": plan["id"]})}
    db["tasks"].update_many({"plan_id": plan["id"]}, {"$unset": {"alert_deadlines": 1}})
    assert reporting.backfill_watch(ctx.repo) == len(expected) == 124
    assert reporting.backfill_watch(ctx.repo) == 0
    assert {d["_id"]: d["alert_deadlines"]
            for d in db["tasks"].find({"plan_id": plan["id"]})} == expected


def test_gauges_count_leaf_tasks_of_issued_plans(ctx, units):
    plan = imported(ctx)
    gauges = reporting.refresh_gauges(ctx, Q2_2021)
    summary = reporting.progress_summary(ProgressRequest(plan_id=plan["id"], as_of=Q2_2021),
                                         ctx)["summary"]
    # Every issued plan of this database counts; this one contributes its own buckets.
    assert gauges["leaf_tasks"] >= summary["total"] > 0
    assert gauges["overdue"] >= summary["overdue"] > 0


def test_progress_summary_and_exports(ctx, units):
    plan = imported(ctx)
    change_task_status(TaskCommand(plan_id=plan["id"], task_id="stttt-guidance-staff",
                                       at="2021-03-20T08:00:00+07:00"), "complete", ctx)
    summary = reporting.progress_summary(ProgressRequest(plan_id=plan["id"], as_of=Q2_2021),
                                         ctx)
    counts = summary["summary"]
    assert counts["completed_on_time"] == 1 and counts["overdue"] >= 1
    assert counts["total"] == sum(counts[b] for b in (
        "completed_on_time", "completed_late", "not_completed_within_deadline", "overdue"))
    guidance = next(t for t in summary["tasks"] if t["task_id"] == "stttt-guidance")
    assert guidance["children"][0]["bucket"] == "completed_on_time"
    assert guidance["percent_complete"] == 100.0

    csv_file = reporting.export_progress(ExportRequest(plan_id=plan["id"], format="csv",
                                                         view="units", as_of=Q2_2021), ctx)
    rows = list(csv.reader(io.StringIO(base64.b64decode(csv_file["content_base64"])
                                       .decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã đơn vị", "Đơn vị", "Tổng số nhiệm vụ"]
    assert any(r[1] == "Báo Gia Lai" for r in rows[1:])
    xlsx = reporting.export_progress(ExportRequest(plan_id=plan["id"], as_of=Q2_2021), ctx)
    book = load_workbook(io.BytesIO(base64.b64decode(xlsx["content_base64"])))
    assert book.sheetnames == ["Theo đơn vị", "Theo nhiệm vụ", "Chỉ tiêu"]
    task_sheet = book["Theo nhiệm vụ"]
    assert task_sheet.cell(3, 1).value == "Mã nhiệm vụ"
    assert task_sheet.max_row == 3 + 124


def test_progress_summary_follows_every_change(ctx, units, clock):
    """Summaries are reused until the plan's tasks, its reports or the unit names change."""
    plan = imported(ctx)

    def summary() -> dict:
        return reporting.progress_summary(ProgressRequest(plan_id=plan["id"], as_of=Q2_2021),
                                          ctx)

    def unit_name(result: dict, unit_id: str) -> str:
        return next(u["unit_name"] for u in result["units"] if u["unit_id"] == unit_id)

    first = summary()
    assert summary() == first
    change_task_status(TaskCommand(plan_id=plan["id"], task_id="stttt-guidance-staff",
                                       at="2021-03-20T08:00:00+07:00"), "complete", ctx)
    completed = summary()
    assert completed["summary"]["completed_on_time"] == first["summary"][
        "completed_on_time"] + 1
    report = reports.submit(SubmitReportRequest(
        plan_id=plan["id"], task_id="press-bgl-coverage", unit_id="bao-gia-lai",
        period_key="2021-Q1", counts=[{"channel": "press", "metric": "articles", "count": 14,
                                       "topic": "drugs"}]), ctx)
    assert summary()["reports_pending_review"] == completed["reports_pending_review"] + 1
    reports.review(ReviewReportRequest(report_id=report["id"], decision="accepted"), ctx)
    reviewed = summary()
    assert reviewed["reports_pending_review"] == completed["reports_pending_review"]
    bgl = next(t for t in reviewed["tasks"] if t["task_id"] == "press-bgl-coverage")
    assert bgl["percent_complete"] == 25.0  # Q1 of four quarters completed
    add_task(AddTaskRequest(plan_id=plan["id"], task_id="late-addition", task={
        "title": "Bổ sung", "lead_unit_id": "bao-gia-lai", "due_date": "2021-03-31"}), ctx)
    added = summary()
    assert added["summary"]["total"] == reviewed["summary"]["total"] + 1
    assert added["summary"]["overdue"] == reviewed["summary"]["overdue"] + 1
    assert "late-addition" in {t["task_id"] for t in added["tasks"]}
    # Read whole again (another process, or the cache expired): the same summary.
    reporting._plans.clear()
    reporting._summaries.clear()
    whole = summary()
    assert (whole["summary"], whole["units"]) == (added["summary"], added["units"])

    def by_id(result: dict) -> list:
        return sorted(result["tasks"], key=lambda t: t["task_id"])

    assert by_id(whole) == by_id(added)
    unit = codec.unit_reply(ctx.repo.get_unit("bao-gia-lai"))
    upsert_unit(UpsertUnitRequest(unit={**unit, "name": "Báo Gia Lai (điện tử)"}), ctx)
    assert unit_name(summary(), "bao-gia-lai") == "Báo Gia Lai (điện tử)"
    upsert_unit(UpsertUnitRequest(unit=unit), ctx)
    assert unit_name(summary(), "bao-gia-lai") == unit["name"]
    with pytest.raises(NotFound):
        reporting.progress_summary(ProgressRequest(plan_id="no-such-plan"), ctx)


def test_acknowledged_directive_is_recorded_once(ctx, units):
    plan = imported(ctx)
    ack = NotificationAcknowledged(notice_id="n-1", unit_id="bao-gia-lai", via="link",
                                   acknowledged_at=datetime(2021, 3, 1, tzinfo=UTC),
                                   plan_id=plan["id"], task_id="press-bgl-coverage")
    assert on_acknowledged(ack, ctx) is True
    assert on_acknowledged(ack, ctx) is False
    task = get_task(TaskRef(plan_id=plan["id"], task_id="press-bgl-coverage"), ctx)
    assert [r["unit_id"] for r in task["receipts"]] == ["bao-gia-lai"]
