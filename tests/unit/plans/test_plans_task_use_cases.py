"""The task use cases on an in-memory unit of work (no broker, no database): what a
command writes (the task, its event, its journal entry, the plan's progress stamp), what it
refuses, and what a retry with the same idempotency key answers."""

from __future__ import annotations

from typing import Any

import pytest
from fake_unit_of_work import InMemoryDocuments
from plans_fakes import NOW, InMemoryTasks
from plans_testkit import plan, task, unit

from services.contracts.plans_tasks import (
    AddTaskRequest,
    AssignTaskRequest,
    TaskChanges,
    TaskCommand,
    TaskReasonCommand,
    UpdateTaskRequest,
)
from services.plans import codec
from services.plans.domain import InvalidTransition, NotFound, PlanStatus, ValidationFailed
from services.plans.use_cases.context import Context
from services.plans.use_cases.tasks import (
    add_task,
    assign_task,
    change_task_status,
    update_task,
)

KEY = codec.task_key("p1", "t1")


@pytest.fixture
def documents() -> InMemoryDocuments:
    stored = InMemoryDocuments()
    stored["plans"]["p1"] = {**codec.plan_to_doc(plan(status=PlanStatus.ISSUED)), "version": 3}
    stored["tasks"][KEY] = {**codec.task_to_doc(task()), **codec.task_watch(task()),
                            "version": 1, "alerts_sent": []}
    for org_unit in (unit("gl-stttt"), unit("bao-gia-lai"), unit("dai-ptth-gia-lai")):
        stored["units"][org_unit.id] = codec.unit_to_doc(org_unit)
    return stored


def journal(documents: InMemoryDocuments) -> list[tuple[str, str]]:
    return [(entry["action"], entry["task_id"]) for entry in documents["audit"].values()]


def test_starting_a_task_writes_it_with_its_event_journal_entry_and_progress_stamp(
        ctx: Context, documents: InMemoryDocuments) -> None:
    reply = change_task_status(TaskCommand(plan_id="p1", task_id="t1", actor="officer-1"),
                               "start", ctx)

    assert reply["status"] == "in_progress" and reply["bucket"] == "not_completed_within_deadline"
    stored = documents["tasks"][KEY]
    assert (stored["status"], stored["version"]) == ("in_progress", 2)
    assert [(e.type, e.data["from_status"], e.data["to_status"])
            for e in documents.outbox] == [("task.status_changed", "open", "in_progress")]
    assert documents.outbox[0].correlationid == "test-correlation"
    assert journal(documents) == [("task.in_progress", "t1")]
    assert documents["progress_stamps"]["plan:p1"]["seq"] == 1
    assert documents["progress_stamps"]["plan:p1"]["changes"] == [{"task": KEY}]


def test_completing_keeps_what_other_writers_store_on_the_task(
        ctx: Context, documents: InMemoryDocuments) -> None:
    documents["tasks"][KEY]["alerts_sent"] = ["t1:2021-03-15:due_soon"]
    documents["tasks"][KEY]["created_at"] = NOW

    change_task_status(TaskCommand(plan_id="p1", task_id="t1", actor="officer-1", at=NOW),
                       "complete", ctx)

    stored = documents["tasks"][KEY]
    assert stored["status"] == "completed" and stored["completed_at"] == NOW
    assert stored["alerts_sent"] == ["t1:2021-03-15:due_soon"] and stored["created_at"] == NOW
    assert stored[codec.WATCH] == []  # a completed task is no longer watched


def test_a_retry_with_the_same_key_answers_the_first_result_and_writes_nothing(
        ctx: Context, documents: InMemoryDocuments) -> None:
    command = TaskCommand(plan_id="p1", task_id="t1", actor="officer-1", idempotency_key="k1")
    first = change_task_status(command, "start", ctx)

    again = change_task_status(command, "start", ctx)

    assert again == first
    assert documents["tasks"][KEY]["version"] == 2 and len(documents.outbox) == 1
    assert documents["idempotency"]["start_task:k1"]["result"] == first


def test_a_retry_after_the_write_but_before_the_reply_was_kept_answers_the_task(
        ctx: Context, documents: InMemoryDocuments) -> None:
    command = TaskCommand(plan_id="p1", task_id="t1", actor="officer-1", idempotency_key="k2")
    change_task_status(command, "start", ctx)
    del documents["idempotency"]["start_task:k2"]  # the process died before keeping it

    again = change_task_status(command, "start", ctx)

    assert again["status"] == "in_progress"
    assert len(documents.outbox) == 1 and len(documents["audit"]) == 1


def test_refused_changes_write_nothing(ctx: Context, documents: InMemoryDocuments) -> None:
    with pytest.raises(InvalidTransition, match="only a completed task can be reopened"):
        change_task_status(TaskReasonCommand(plan_id="p1", task_id="t1", reason="again"),
                           "reopen", ctx)
    documents["plans"]["p1"]["status"] = "draft"
    with pytest.raises(InvalidTransition, match="cannot start a task of a draft plan"):
        change_task_status(TaskCommand(plan_id="p1", task_id="t1"), "start", ctx)
    with pytest.raises(NotFound):
        change_task_status(TaskCommand(plan_id="p1", task_id="nope"), "cancel", ctx)

    assert documents["tasks"][KEY]["version"] == 1
    assert documents.outbox == [] and not documents["audit"]


def test_a_task_changed_by_another_writer_meanwhile_is_read_again(
        ctx: Context, documents: InMemoryDocuments) -> None:
    tasks_read = 0
    original_read = InMemoryTasks._read

    def read_then_bump(self: InMemoryTasks, key: str) -> dict[str, Any] | None:
        nonlocal tasks_read
        tasks_read += 1
        found = original_read(self, key)
        if tasks_read == 1:  # another writer stores the task right after this read
            documents["tasks"][key] = {**documents["tasks"][key], "version": 7}
        return None if found is None else dict(found)

    InMemoryTasks._read = read_then_bump  # type: ignore[method-assign]
    try:
        reply = change_task_status(TaskCommand(plan_id="p1", task_id="t1"), "start", ctx)
    finally:
        InMemoryTasks._read = original_read  # type: ignore[method-assign]

    assert tasks_read == 2 and reply["status"] == "in_progress"
    assert documents["tasks"][KEY]["version"] == 8 and len(documents.outbox) == 1


def test_updating_a_task_writes_only_what_changed_with_its_journal_entry(
        ctx: Context, documents: InMemoryDocuments) -> None:
    changes = TaskChanges(title="Đăng tin phòng, chống ma túy")
    reply = update_task(UpdateTaskRequest(plan_id="p1", task_id="t1", actor="officer-1",
                                          changes=changes), ctx)

    assert reply["title"] == "Đăng tin phòng, chống ma túy"
    assert documents["tasks"][KEY]["version"] == 2 and documents.outbox == []
    [entry] = documents["audit"].values()
    assert entry["action"] == "task.updated"
    assert [change["field"] for change in entry["changes"]] == ["title"]


def test_a_change_that_breaks_the_task_is_refused_and_written_nowhere(
        ctx: Context, documents: InMemoryDocuments) -> None:
    with pytest.raises(ValidationFailed, match="unknown"):
        assign_task(AssignTaskRequest(plan_id="p1", task_id="t1", lead_unit_id="no-such-unit"),
                    ctx)
    with pytest.raises(ValidationFailed, match="lead unit cannot also be a coordinating"):
        assign_task(AssignTaskRequest(plan_id="p1", task_id="t1", lead_unit_id="bao-gia-lai",
                                      coordinating_unit_ids=["bao-gia-lai"]), ctx)

    assert documents["tasks"][KEY]["version"] == 1
    assert documents.outbox == [] and not documents["audit"]


def test_assigning_a_task_of_an_issued_plan_announces_it(
        ctx: Context, documents: InMemoryDocuments) -> None:
    reply = assign_task(AssignTaskRequest(plan_id="p1", task_id="t1", actor="officer-1",
                                          lead_unit_id="dai-ptth-gia-lai",
                                          coordinating_unit_ids=["bao-gia-lai"]), ctx)

    assert (reply["lead_unit_id"], reply["coordinating_unit_ids"]) == (
        "dai-ptth-gia-lai", ["bao-gia-lai"])
    assert documents["tasks"][KEY]["unit_ids"] == ["dai-ptth-gia-lai", "bao-gia-lai"]
    [event] = documents.outbox
    assert (event.type, event.data["lead_unit_id"]) == ("task.assigned", "dai-ptth-gia-lai")
    [entry] = documents["audit"].values()
    assert {change["field"] for change in entry["changes"]} == {
        "lead_unit_id", "coordinating_unit_ids"}


def test_a_task_that_breaks_its_rules_is_refused_for_that_even_when_its_id_is_taken(
        ctx: Context, documents: InMemoryDocuments) -> None:
    fields = {"title": "Chuyên mục", "lead_unit_id": "bao-gia-lai", "due_date": "2021-12-15",
              "recurrence": {"kind": "quarterly", "starts_on": "2021-04-01",
                             "ends_on": "2021-12-31"}}
    with pytest.raises(ValidationFailed, match="due_date or a recurrence"):
        add_task(AddTaskRequest.model_validate(
            {"plan_id": "p1", "task_id": "t1", "task": fields}), ctx)

    assert documents["tasks"][KEY]["version"] == 1
    assert documents.outbox == [] and not documents["audit"]
