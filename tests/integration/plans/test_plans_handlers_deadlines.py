"""The plans use cases against the real database: the deadline scan, the tasks' watch lists
and the gauges."""

from __future__ import annotations

from datetime import timedelta

from plans_handlers_kit import Q2_2021, imported

from services.contracts.plans_documents import (
    PlanCommand,
)
from services.contracts.plans_reporting import ProgressRequest
from services.contracts.plans_tasks import (
    AssignTaskRequest,
    TaskCommand,
    TaskReasonCommand,
    UpdateTaskRequest,
)
from services.plans import reporting
from services.plans.use_cases.plans import (
    close_plan,
)
from services.plans.use_cases.tasks import (
    assign_task,
    change_task_status,
    update_task,
)


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
    assert reporting.backfill_watch(ctx) == len(expected) == 124
    assert reporting.backfill_watch(ctx) == 0
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
