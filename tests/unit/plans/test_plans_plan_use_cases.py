"""The plan use cases on an in-memory unit of work: creating, editing, issuing (with every
task's `task.assigned` in the plan's own write), closing, cancelling, amending, importing and
rolling over a plan, what each writes (the plan, its events, its journal), what it refuses,
and what a retry with the same key answers, also after the process died before the reply was
kept."""

from __future__ import annotations

from typing import Any

import pytest
from fake_unit_of_work import InMemoryDocuments
from plans_fakes import NOW
from plans_testkit import SEED_DIR

from services.contracts.plans_changes import RollOverRequest
from services.contracts.plans_documents import (
    AmendPlanRequest,
    CancelPlanRequest,
    CreatePlanRequest,
    ImportPlanRequest,
    ListPlansRequest,
    PlanChanges,
    PlanCommand,
    UpdatePlanRequest,
)
from services.contracts.plans_units import ImportUnitsRequest
from services.plans.domain import Conflict, InvalidTransition, NotFound
from services.plans.use_cases.context import Context
from services.plans.use_cases.plans import (
    amend_plan,
    close_plan,
    create_plan,
    get_plan,
    import_plan,
    issue_plan,
    list_plans,
    update_plan,
)
from services.plans.use_cases.rollover import roll_over_plan
from services.plans.use_cases.units import import_units

PLAN_TEXT = (SEED_DIR / "plan-25-KH-STTTT-2021.yaml").read_text(encoding="utf-8")
SEED_ID = "plan-25-kh-stttt-2021"


@pytest.fixture
def ctx(ctx: Context, documents: InMemoryDocuments) -> Context:
    """The context over the seed's unit directory (its journal left out)."""
    import_units(ImportUnitsRequest(
        content=(SEED_DIR / "units-gia-lai.yaml").read_text(encoding="utf-8"),
        actor="officer-1"), ctx)
    documents["audit"].clear()
    return ctx


def draft(ctx: Context, key: str | None = None, number: str = "7/KH-STTTT") -> dict[str, Any]:
    return create_plan(CreatePlanRequest(
        number=number, issuer_unit_id="gl-stttt", title="Kế hoạch", year=2021,
        issued_on="2021-03-01", topics=["drugs"], idempotency_key=key,
        signer={"name": "Lê Thị Thu Hương", "title": "PHÓ GIÁM ĐỐC"},
        recipients=[{"name": "Báo Gia Lai", "unit_id": "bao-gia-lai"}]), ctx)


def plan_journal(documents: InMemoryDocuments, plan_id: str) -> list[str]:
    return [entry["action"] for entry in documents["audit"].values()
            if entry["plan_id"] == plan_id]


def event_types(documents: InMemoryDocuments) -> list[str]:
    return [event.type for event in documents.outbox]


def test_a_created_plan_is_stored_with_its_event_and_journal_and_its_key_answers_it(
        ctx: Context, documents: InMemoryDocuments) -> None:
    created = draft(ctx, key="k1")
    again = draft(ctx, key="k1")

    assert again == created and created["status"] == "draft" and created["revision"] == 0
    stored = documents["plans"][created["id"]]
    assert (stored["version"], stored["created_by"], stored["idempotency_key"]) == (
        1, "system", "k1")
    assert event_types(documents) == ["plan.created"]
    assert plan_journal(documents, created["id"]) == ["plan.created"]
    with pytest.raises(Conflict) as taken:
        draft(ctx)
    assert taken.value.details["field"] == "number"
    assert len(documents["plans"]) == 1


def test_a_draft_is_edited_under_its_version_and_a_number_in_use_is_refused(
        ctx: Context, documents: InMemoryDocuments) -> None:
    first = draft(ctx)
    other = draft(ctx, number="8/KH-STTTT")

    edited = update_plan(UpdatePlanRequest(plan_id=first["id"], actor="officer-2",
                                           changes=PlanChanges(title="Kế hoạch mới")), ctx)

    assert edited["title"] == documents["plans"][first["id"]]["title"] == "Kế hoạch mới"
    assert documents["plans"][first["id"]]["version"] == 2
    assert plan_journal(documents, first["id"]) == ["plan.created", "plan.edited"]
    with pytest.raises(Conflict):
        update_plan(UpdatePlanRequest(plan_id=other["id"], actor="officer-2",
                                      changes=PlanChanges(number="7/KH-STTTT")), ctx)
    assert documents["plans"][other["id"]]["number"] == "8/KH-STTTT"


def test_issuing_sends_plan_issued_and_every_task_assigned_in_the_plans_write(
        ctx: Context, documents: InMemoryDocuments) -> None:
    imported = import_plan(ImportPlanRequest(content=PLAN_TEXT, actor="officer-1"), ctx)
    tasks = imported["tasks"]
    documents.outbox.clear()

    issued = issue_plan(PlanCommand(plan_id=SEED_ID, actor="officer-1"), ctx)

    assert issued["status"] == "issued"
    stored = documents["plans"][SEED_ID]
    assert stored["issued_at"] == NOW and stored["version"] == 2
    assert event_types(documents) == ["plan.issued", *["task.assigned"] * tasks]
    assert [e["type"] for e in stored["_outbox"]][-(tasks + 1):] == event_types(documents)
    assert documents.outbox[0].data["task_ids"] and len(documents.outbox[0].data["task_ids"]) \
        == tasks
    assert plan_journal(documents, SEED_ID)[-1] == "plan.issued"


@pytest.mark.parametrize("command", ["issue", "close", "cancel"])
def test_a_life_cycle_command_retried_after_the_process_died_answers_its_first_result(
        ctx: Context, documents: InMemoryDocuments, command: str) -> None:
    plan_id = draft(ctx)["id"]
    if command != "issue":
        issue_plan(PlanCommand(plan_id=plan_id, actor="officer-1"), ctx)
    request = {"issue": lambda: issue_plan(PlanCommand(
                   plan_id=plan_id, actor="officer-1", idempotency_key="k"), ctx),
               "close": lambda: close_plan(PlanCommand(
                   plan_id=plan_id, actor="officer-1", idempotency_key="k"), ctx),
               "cancel": lambda: close_plan(CancelPlanRequest(
                   plan_id=plan_id, actor="officer-1", reason="thay thế",
                   idempotency_key="k"), ctx)}[command]
    first = request()
    written = (len(documents.outbox), documents["plans"][plan_id]["version"])

    assert request() == first  # the remembered result
    documents["idempotency"].clear()  # the process died before keeping it
    assert request() == first  # the key on the plan

    assert (len(documents.outbox), documents["plans"][plan_id]["version"]) == written
    assert first["status"] == {"issue": "issued", "close": "closed",
                               "cancel": "cancelled"}[command]
    with pytest.raises(InvalidTransition):  # another key is another command
        issue_plan(PlanCommand(plan_id=plan_id, actor="officer-1", idempotency_key="k2"), ctx)


def test_an_amendment_bumps_the_revision_once_for_a_key(
        ctx: Context, documents: InMemoryDocuments) -> None:
    plan_id = draft(ctx)["id"]
    issue_plan(PlanCommand(plan_id=plan_id, actor="officer-1"), ctx)
    request = AmendPlanRequest(plan_id=plan_id, actor="officer-2", reason="Bổ sung chủ đề",
                               changes=PlanChanges(topics=["drugs", "high_tech_crime"]),
                               idempotency_key="k")

    amended = amend_plan(request, ctx)
    documents["idempotency"].clear()

    assert amend_plan(request, ctx) == amended and amended["revision"] == 1
    assert event_types(documents)[-1] == "plan.amended"
    assert event_types(documents).count("plan.amended") == 1
    assert get_plan(plan_id, ctx)["amendments"][0]["changed_fields"] == ["topics"]


def test_an_import_stores_tasks_then_the_plan_and_an_identical_one_answers_it(
        ctx: Context, documents: InMemoryDocuments) -> None:
    imported = import_plan(ImportPlanRequest(content=PLAN_TEXT, actor="officer-1",
                                             issue=True), ctx)
    again = import_plan(ImportPlanRequest(content=PLAN_TEXT, actor="officer-1"), ctx)

    assert imported["created"] is True and imported["plan"]["status"] == "issued"
    assert again == {**imported, "created": False}
    assert len(documents["tasks"]) == imported["tasks"] > 0
    assert all(task["version"] == 1 for task in documents["tasks"].values())
    journal = plan_journal(documents, SEED_ID)
    assert journal[0] == "plan.imported" and journal[-1] == "plan.issued"
    assert journal.count("task.created") == imported["tasks"]
    assert documents["progress_stamps"][f"plan:{SEED_ID}"]["seq"] == imported["tasks"]
    with pytest.raises(Conflict):
        import_plan(ImportPlanRequest(content=PLAN_TEXT.replace("Kế hoạch", "KH", 1),
                                      actor="officer-1"), ctx)


def test_an_import_removes_the_tasks_a_crashed_one_left(
        ctx: Context, documents: InMemoryDocuments) -> None:
    import_plan(ImportPlanRequest(content=PLAN_TEXT, actor="officer-1"), ctx)
    del documents["plans"][SEED_ID]  # died after the tasks, before the plan
    left = next(iter(documents["tasks"].values()))
    documents["tasks"][f"{SEED_ID}:orphan"] = {**left, "_id": f"{SEED_ID}:orphan",
                                               "task_id": "orphan"}

    again = import_plan(ImportPlanRequest(content=PLAN_TEXT, actor="officer-1"), ctx)

    assert again["created"] is True and f"{SEED_ID}:orphan" not in documents["tasks"]
    assert len(documents["tasks"]) == again["tasks"]


def test_a_plan_rolls_over_once_to_a_year_and_its_source_journals_where_it_went(
        ctx: Context, documents: InMemoryDocuments) -> None:
    import_plan(ImportPlanRequest(content=PLAN_TEXT, actor="officer-1", issue=True), ctx)

    rolled = roll_over_plan(RollOverRequest(plan_id=SEED_ID, target_year=2026,
                                            actor="officer-1"), ctx)
    again = roll_over_plan(RollOverRequest(plan_id=SEED_ID, target_year=2026,
                                           actor="officer-1"), ctx)

    new_id = rolled["plan"]["id"]
    assert rolled["created"] is True and again == {**rolled, "created": False}
    assert (rolled["plan"]["status"], rolled["plan"]["year"]) == ("draft", 2026)
    assert documents["plans"][new_id]["rolled_over_from"]["plan_id"] == SEED_ID
    assert plan_journal(documents, new_id)[0] == "plan.rolled_over"
    assert plan_journal(documents, SEED_ID)[-1] == "plan.rolled_over_to"
    assert sum(task["plan_id"] == new_id for task in documents["tasks"].values()) \
        == rolled["tasks"]
    with pytest.raises(NotFound):
        roll_over_plan(RollOverRequest(plan_id="nope", target_year=2026), ctx)


def test_plans_are_listed_by_page_and_read_with_their_task_count(
        ctx: Context, documents: InMemoryDocuments) -> None:
    ids = sorted(draft(ctx, number=f"{n}/KH-STTTT")["id"] for n in (1, 2, 3))

    first = list_plans(ListPlansRequest(limit=2), ctx)
    rest = list_plans(ListPlansRequest(limit=2, after=first["next_cursor"]), ctx)

    assert [p["id"] for p in first["items"] + rest["items"]] == ids
    assert rest["next_cursor"] is None
    assert get_plan(ids[0], ctx)["task_count"] == 0
    with pytest.raises(NotFound):
        get_plan("nope", ctx)
