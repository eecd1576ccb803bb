"""Notices from events on the in-memory unit of work: the notice is stored once per cause
(its id derived from the cause's natural key) and its deliveries planned once, a replayed
event changes nothing, and what could not be reached is recorded on the notice, not lost."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from notifications_fakes import FakeNotificationsUnitOfWork
from notifications_fixtures import T0

from services.contracts.events.plans import TaskAssigned
from services.notifications.context import Context
from services.notifications.repositories import DELIVERIES, NOTICES, RECIPIENTS
from services.notifications.settings import NotificationsSettings
from services.notifications.use_cases.intake import on_task_assigned
from services.notifications.use_cases.notices import UNDELIVERABLE, notice_id_for

pytestmark = pytest.mark.unit

LEAD = "unit-chupah"
COORDINATING = "unit-iagrai"


def context() -> Context:
    uow = FakeNotificationsUnitOfWork()
    uow.documents[RECIPIENTS][LEAD] = {
        "_id": LEAD, "name": "Phòng VH-TT huyện Chư Păh",
        "contacts": [{"channel": "email", "address": "vhtt@chupah.gov.vn"}]}
    uow.documents[RECIPIENTS][COORDINATING] = {"_id": COORDINATING, "name": "Ia Grai",
                                              "contacts": []}
    return Context(uow, NotificationsSettings(), clock=lambda: T0 + timedelta(hours=1))


def assigned(lead: str = LEAD, coordinating: list[str] | None = None) -> TaskAssigned:
    return TaskAssigned(task_id="task-3", plan_id="plan-25", plan_number="25/KH-STTTT",
                        title="Tuyên truyền phòng, chống tội phạm", lead_unit_id=lead,
                        coordinating_unit_ids=coordinating or [],
                        due_date=date(2021, 3, 31), expected_result="Chuyên mục")


def stored(ctx: Context, collection: str) -> dict[str, dict[str, Any]]:
    return ctx.uow.documents[collection]  # type: ignore[attr-defined, no-any-return]


def test_an_assignment_makes_one_notice_planned_once_even_when_replayed() -> None:
    ctx = context()
    on_task_assigned(ctx, assigned())
    notice_id = notice_id_for("task_assigned:task-3:lead")
    notice = stored(ctx, NOTICES)[notice_id]
    assert notice["planned"] is True and notice["recipients"] == [LEAD]
    deliveries = dict(stored(ctx, DELIVERIES))
    assert [(d["unit_id"], d["channel"]) for d in deliveries.values()] == [(LEAD, "email")]
    on_task_assigned(ctx, assigned())
    assert list(stored(ctx, NOTICES)) == [notice_id]
    assert stored(ctx, DELIVERIES) == deliveries


def test_a_unit_without_a_usable_contact_is_recorded_on_the_notice_once() -> None:
    ctx = context()
    on_task_assigned(ctx, assigned(coordinating=[COORDINATING]))
    on_task_assigned(ctx, assigned(coordinating=[COORDINATING]))
    notice = stored(ctx, NOTICES)[notice_id_for("task_assigned:task-3:coordinating")]
    assert [(u["unit_id"], u["reason"]) for u in notice["unreachable"]] == [
        (COORDINATING, "no_usable_contact")]


def test_a_notice_for_units_nobody_knows_is_kept_undeliverable_and_sends_nothing() -> None:
    ctx = context()
    on_task_assigned(ctx, assigned(lead="unit-khong-co"))
    notice = stored(ctx, NOTICES)[notice_id_for("task_assigned:task-3:lead")]
    assert notice["status"] == UNDELIVERABLE
    assert [u["unit_id"] for u in notice["unreachable"]] == ["unit-khong-co"]
    assert stored(ctx, DELIVERIES) == {}
