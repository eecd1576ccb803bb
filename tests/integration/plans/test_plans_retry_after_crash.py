"""A plan command whose process died after the change but before its result was remembered:
the client's retry with the same key answers the first result instead of invalid_transition
(found by the kill -9 fault test, issue #8)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from plans_handlers_kit import UNITS_TEXT

from services.contracts.plans_documents import (
    AmendPlanRequest,
    CancelPlanRequest,
    CreatePlanRequest,
    PlanCommand,
)
from services.contracts.plans_units import ImportUnitsRequest
from services.plans.domain import InvalidTransition
from services.plans.use_cases.context import Context
from services.plans.use_cases.plans import amend_plan, close_plan, create_plan, issue_plan
from services.plans.use_cases.units import import_units
from stack.testkit import unique_number


@pytest.fixture(scope="module")
def ctx(db):
    """One context for the module, on the module's database (conftest), its units imported."""
    context = Context.on(db, "test-correlation", lambda: datetime.now(UTC))
    import_units(ImportUnitsRequest(content=UNITS_TEXT, actor="officer-1"), context)
    return context


def draft(ctx) -> str:
    plan = create_plan(CreatePlanRequest(
        number=f"{unique_number()}/KH-STTTT", issuer_unit_id="gl-stttt",
        title="Kế hoạch", year=2021, issued_on="2021-03-01", topics=["drugs"],
        signer={"name": "Lê Thị Thu Hương", "title": "PHÓ GIÁM ĐỐC"},
        recipients=[{"name": "Báo Gia Lai", "unit_id": "bao-gia-lai"}]), ctx)
    return str(plan["id"])


def forget_results(db) -> None:
    """What a process killed between the plan's write and the result's write leaves."""
    db["idempotency"].delete_many({})


@pytest.mark.parametrize("command", ["issue", "close", "cancel"])
def test_a_retried_life_cycle_command_answers_its_first_result(ctx, db, command):
    plan_id = draft(ctx)
    if command != "issue":
        issue_plan(PlanCommand(plan_id=plan_id, actor="officer-1"), ctx)
    key = uuid.uuid4().hex
    request = {"issue": lambda: issue_plan(PlanCommand(
                   plan_id=plan_id, actor="officer-1", idempotency_key=key), ctx),
               "close": lambda: close_plan(PlanCommand(
                   plan_id=plan_id, actor="officer-1", idempotency_key=key), ctx),
               "cancel": lambda: close_plan(CancelPlanRequest(
                   plan_id=plan_id, actor="officer-1", reason="thay thế",
                   idempotency_key=key), ctx)}[command]
    first = request()
    forget_results(db)
    assert request() == first
    events = db["plans"].find_one({"_id": plan_id})["_outbox"]
    assert len([e for e in events if e["type"] != "plan.created"]) == (
        1 if command == "issue" else 2)  # the retry stored no second event
    with pytest.raises(InvalidTransition):  # another key is another command
        issue_plan(PlanCommand(plan_id=plan_id, actor="officer-1",
                                   idempotency_key=uuid.uuid4().hex), ctx)


def test_a_retried_amendment_makes_one_revision(ctx, db):
    plan_id = draft(ctx)
    issue_plan(PlanCommand(plan_id=plan_id, actor="officer-1"), ctx)
    amend = AmendPlanRequest(plan_id=plan_id, actor="officer-1", reason="bổ sung",
                               changes={"title": "Kế hoạch (sửa đổi)"},
                               idempotency_key=uuid.uuid4().hex)
    first = amend_plan(amend, ctx)
    forget_results(db)
    again = amend_plan(amend, ctx)
    assert again["revision"] == first["revision"] == 1
