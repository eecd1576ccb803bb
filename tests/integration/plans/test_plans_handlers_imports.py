"""The plans use cases against the real database: importing units and plans, issuing with
every event in the same write, re-imports and malformed files."""

from __future__ import annotations

import uuid

import pytest
from plans_handlers_kit import PLAN_TEXT, UNITS_TEXT, imported, outbox_types, seed_variant

from services.contracts.plans_documents import (
    ImportPlanRequest,
    PlanCommand,
)
from services.contracts.plans_reporting import AuditQuery
from services.contracts.plans_units import (
    ImportUnitsRequest,
    ListUnitsRequest,
    ResolveGroupRequest,
    RetireUnitRequest,
)
from services.plans.domain import Conflict, InvalidTransition, ValidationFailed
from services.plans.use_cases import audit, units_as_of
from services.plans.use_cases.plans import (
    close_plan,
    get_plan,
    import_plan,
    issue_plan,
)
from services.plans.use_cases.units import import_units, retire_unit


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
