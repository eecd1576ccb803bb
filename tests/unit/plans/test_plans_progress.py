from datetime import date

import pytest
from plans_testkit import local, seed_plan, task

from services.plans.domain import (
    StatusBucket,
    Task,
    plan_progress,
    progress_tables,
    unit_progress,
)

AS_OF = local(date(2021, 4, 1))


def tree() -> list[Task]:
    parent = task("parent", lead_unit_id="gl-stttt", due_date=date(2021, 6, 30))
    done = task("sub-done", parent_task_id="parent", lead_unit_id="bao-gia-lai")
    done.complete("o", local(date(2021, 3, 10)))
    late = task("sub-late", parent_task_id="parent", lead_unit_id="dai-ptth")
    open_overdue = task("sub-overdue", parent_task_id="parent", lead_unit_id="dai-ptth")
    late.complete("o", local(date(2021, 3, 20)))
    solo = task("solo", lead_unit_id="bao-gia-lai", due_date=date(2021, 4, 30))
    gone = task("gone", lead_unit_id="bao-gia-lai")
    gone.cancel("o", local(date(2021, 3, 1)), "x")
    return [parent, done, late, open_overdue, solo, gone]


def test_plan_rolls_up_leaf_buckets_and_mean_percent() -> None:
    progress = plan_progress(tree(), AS_OF)
    counts = progress.summary
    assert counts.get(StatusBucket.COMPLETED_ON_TIME) == 1
    assert counts.get(StatusBucket.COMPLETED_LATE) == 1
    assert counts.get(StatusBucket.OVERDUE) == 1
    assert counts.get(StatusBucket.NOT_COMPLETED_WITHIN_DEADLINE) == 1  # solo
    assert counts.total == 4  # the parent counts through its subtasks, cancelled not at all
    parent = next(p for p in progress.tasks if p.task_id == "parent")
    assert parent.percent_complete == pytest.approx(66.67, abs=0.01)  # 2 of 3 subtasks done
    assert counts.percent_complete == 33.3  # mean of parent (66.7) and solo (0)


def test_unit_progress_counts_tasks_the_unit_leads() -> None:
    units = unit_progress(tree(), AS_OF)
    dai = units["dai-ptth"].summary
    assert (dai.get(StatusBucket.COMPLETED_LATE), dai.get(StatusBucket.OVERDUE)) == (1, 1)
    assert dai.percent_complete == 50.0
    assert "gl-stttt" not in units  # leads only the parent


def test_export_rows_have_a_header_and_one_row_per_unit_and_task() -> None:
    names = {"bao-gia-lai": "Báo Gia Lai"}
    tables = progress_tables(tree(), AS_OF, unit_names=names)
    units = tables["units"]
    assert units.header[:4] == ["unit_id", "unit_name", "tasks", "completed_on_time"]
    bgl = next(r for r in units.rows if r[0] == "bao-gia-lai")
    assert bgl[1] == "Báo Gia Lai" and bgl[2] == 2  # sub-done and solo (cancelled ignored)
    tasks = tables["tasks"]
    assert [r[0] for r in tasks.rows][:4] == ["parent", "sub-done", "sub-late", "sub-overdue"]
    assert all(len(r) == len(tasks.header) for r in tasks.rows)
    gone = next(r for r in tasks.rows if r[0] == "gone")
    assert gone[tasks.header.index("bucket")] is None


def test_seed_plan_exports_kpi_rows_per_period() -> None:
    imported = seed_plan()
    table = progress_tables(imported.tasks, local(date(2021, 5, 15)))["kpis"]
    drugs = [r for r in table.rows if r[0] == "press-bgl-coverage" and r[1] == "drugs-articles"]
    assert [r[5] for r in drugs] == ["2021-Q1", "2021-Q2"]
    vans = [
        r for r in table.rows
        if r[0] == "vhtt-mobile-van.pvhtt-kbang" and r[1] == "van-sessions"
    ]
    assert [(r[5], r[6]) for r in vans] == [("2021-M03", 4), ("2021-M04", 4), ("2021-M05", 4)]
