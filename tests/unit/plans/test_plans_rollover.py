"""Rolling the seed plan 25/KH-STTTT (2021) over to later years: dates shifted by whole years
(29 February included), units replaced by their successors on the new date, and what could not
be carried over listed with the reason."""

from datetime import date

import pytest
from plans_testkit import plan, seed_plan, seed_units, task

from services.plans.domain import (
    DocumentNumber,
    PlanStatus,
    Recurrence,
    RecurrenceKind,
    UnitDirectory,
    ValidationFailed,
)
from services.plans.domain.rollover import derived_number, roll_over, shift_text, shift_years
from services.plans.domain.vocabulary import RollOverAction


def rolled(year: int = 2026, **kw):
    source = seed_plan()
    return roll_over(source.plan, source.tasks, UnitDirectory(seed_units()[0]),
                     plan_id=f"p-{year}", target_year=year, **kw)


def test_dates_shift_by_whole_years_and_29_february_becomes_28():
    assert shift_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert shift_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert shift_years(date(2021, 12, 31), 5) == date(2026, 12, 31)
    assert shift_text("năm 2021; 12021; 2021-03", 2021, 2026) == "năm 2026; 12021; 2026-03"


def test_the_seed_plan_rolls_over_to_2026_under_the_merged_province():
    result = rolled()
    new = result.plan
    assert (new.status, new.year, new.issued_on) == (PlanStatus.DRAFT, 2026, date(2026, 2, 25))
    assert new.issuer_unit_id == "gl2-svhttdl" and str(new.number) == "25/KH-SVHTTDL"
    assert "năm 2026" in new.title and "2021" not in new.title
    assert new.recipients[0].unit_id == "gl2-ubnd"
    assert new.basis == seed_plan().plan.basis  # the documents it rests on are kept verbatim
    tasks = {t.id: t for t in result.tasks}
    bgl = tasks["press-bgl-coverage"]
    assert bgl.lead_unit_id == "gl2-bao-ptth" and bgl.plan_id == "p-2026"
    assert bgl.recurrence is not None and bgl.recurrence.ends_on == date(2026, 12, 31)
    assert tasks["stttt-guidance"].due_date == date(2026, 3, 15)
    assert "năm 2026" in tasks["stttt-guidance"].title
    # Báo Gia Lai and Đài PT-TH merged: their subtasks of a group task become one.
    assert "press-local-exemplary.gl2-bao-ptth" in tasks
    merged = [u for u in result.unmapped if u.action is RollOverAction.MERGED]
    assert [u.task_id for u in merged] == ["press-local-exemplary.dai-ptth-gia-lai"]
    # An Khê's offices passed to one ward; Pleiku's to two (ambiguous); Kbang's to none.
    assert tasks["vhtt-information.gl2-phuong-an-khe"].parent_task_id == "vhtt-information"
    left_out = {u.task_id: u for u in result.unmapped
                if u.action is RollOverAction.TASK_LEFT_OUT}
    pleiku = left_out["vhtt-information.pvhtt-pleiku"]
    assert pleiku.outcome == "ambiguous_successors"
    assert pleiku.candidates == ("gl2-phuong-hoi-phu", "gl2-phuong-pleiku")
    assert left_out["vhtt-information.pvhtt-kbang"].outcome == "no_successor"
    dropped = [u for u in result.unmapped if u.action is RollOverAction.UNIT_DROPPED]
    assert ("stttt-press-briefings", "gl-vp-ubnd") in {(u.task_id, u.unit_id) for u in dropped}
    assert all(u.reason for u in result.unmapped)
    for t in result.tasks:  # everything carried over is valid on the new date
        assert t.status.value == "open" and not t.evidence and not t.period_completions
    result.plan.check_references(UnitDirectory(seed_units()[0]), result.tasks)


def test_a_plan_rolled_to_the_next_year_keeps_units_still_valid():
    result = rolled(2022)
    assert result.plan.issuer_unit_id == "gl-stttt" and str(result.plan.number) == "25/KH-STTTT"
    assert result.unmapped == [] and len(result.tasks) == len(seed_plan().tasks)


def test_bad_roll_overs_are_refused_with_a_reason():
    with pytest.raises(ValidationFailed, match="after the plan's year 2021"):
        rolled(2021)
    with pytest.raises(ValidationFailed, match="inactive unit 'gl-stttt' on 2026-02-25"):
        rolled(2026, issuer_unit_id="gl-stttt")  # not valid in 2026
    leap = plan(issued_on=date(2024, 2, 29), year=2024)
    monthly = task(recurrence=Recurrence(RecurrenceKind.MONTHLY, date(2024, 2, 29),
                                         date(2024, 12, 31)), lead_unit_id="nhandan-tt-gl",
                   plan_id="p1")
    directory = UnitDirectory(seed_units()[0])
    again = roll_over(leap, [monthly], directory, plan_id="p2", target_year=2025,
                      issuer_unit_id="gl-svhttdl", number=DocumentNumber.parse("3/KH-SVHTTDL"))
    assert again.plan.issued_on == date(2025, 2, 28)
    assert again.tasks[0].recurrence.starts_on == date(2025, 2, 28)
    assert str(derived_number(DocumentNumber.parse("25/KH-STTTT"), "Báo & PT-TH")) == (
        "25/KH-BÁO&PT-TH")
