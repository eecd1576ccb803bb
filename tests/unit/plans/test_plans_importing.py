import json
from datetime import date, datetime
from typing import Any

import pytest
import yaml
from plans_testkit import seed_plan, seed_units

from services.plans.domain import (
    Channel,
    PlanStatus,
    RecurrenceKind,
    Topic,
    ValidationFailed,
    build_plan,
    build_units,
    parse_plan_document,
    parse_units_document,
)

MINIMAL = """\
format_version: 1
plan:
  number: 1/KH-SVHTTDL
  issuer: SVHTTDL
  place: Gia Lai
  date: "02/01/2026"
  year: 2026
  title: Kế hoạch thử
tasks:
  - id: t1
    title: Nhiệm vụ một
    lead: Phường Pleiku
    due: 2026-03-31
    kpis:
      - {metric: articles, target: 2, per: monthly}
"""


def errors_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[dict[str, Any]]:
    assert exc.value.code == "validation_failed"
    errors: list[dict[str, Any]] = exc.value.details["errors"]
    return errors


def build_errors(text: str) -> list[dict[str, Any]]:
    """What building the plan of a YAML document reports (it must fail validation)."""
    units, groups = seed_units()
    with pytest.raises(ValidationFailed) as exc:
        build_plan(parse_plan_document(text, "yaml"), units, groups)
    return errors_of(exc)


def fails(text: str, fmt: str = "yaml") -> list[dict[str, Any]]:
    with pytest.raises(ValidationFailed) as exc:
        parse_plan_document(text, fmt)  # type: ignore[arg-type]
    return errors_of(exc)


def test_seed_units_and_plan_load_through_the_import_parser() -> None:
    units, groups = seed_units()
    assert len(units) > 60 and {g.id for g in groups} >= {"local-press", "resident-press"}
    imported = seed_plan()
    p = imported.plan
    assert str(p.number) == "25/KH-STTTT" and p.issuer_unit_id == "gl-stttt"
    assert p.issued_on == date(2021, 2, 25) and p.status is PlanStatus.DRAFT
    assert len(p.objectives) == 6 and p.objectives[5].endswith("công tác tuyên truyền.")
    assert p.basis[0].symbol == "07/KH-BCĐ" and p.basis[0].date == date(2021, 2, 22)
    assert (p.recipients[0].name, p.recipients[0].purpose) == ("UBND tỉnh", "báo cáo")
    assert p.signer is not None and p.signer.capacity == "KT. GIÁM ĐỐC"
    assert Topic.DRUGS in p.topics and Channel.MOBILE_VAN in p.channels
    by_id = {t.id: t for t in imported.tasks}
    bgl = by_id["press-bgl-coverage"]
    assert bgl.lead_unit_id == "bao-gia-lai"
    drugs = next(k for k in bgl.kpis if k.id == "drugs-articles")
    assert (drugs.topic, drugs.target, drugs.period.value) == (Topic.DRUGS, 12, "quarterly")
    vans = [t for t in imported.tasks if t.parent_task_id == "vhtt-mobile-van"]
    assert len(vans) == 17
    assert all(t.recurrence and t.recurrence.kind is RecurrenceKind.MONTHLY for t in vans)
    assert {k.target for t in vans for k in t.kpis if k.id == "van-sessions"} == {4}
    briefings = by_id["stttt-press-briefings"]
    assert briefings.coordinating_unit_ids == ("gl-btg-tu", "gl-vp-ubnd", "gl-hnb")
    assert by_id["stttt-guidance-staff"].parent_task_id == "stttt-guidance"
    p.issue("officer", datetime(2021, 2, 25, 9))
    assert p.status.value == "issued"


def test_same_document_in_json() -> None:
    units, groups = seed_units()
    data = yaml.safe_load(MINIMAL)
    data["plan"]["date"] = "2026-01-02"
    data["tasks"][0]["due"] = "2026-03-31"
    parsed = parse_plan_document(json.dumps(data, ensure_ascii=False, indent=2), "json")
    imported = build_plan(parsed, units, groups)
    assert imported.plan.issuer_unit_id == "gl2-svhttdl"  # the 2026 unit, by short name
    assert imported.tasks[0].lead_unit_id == "gl2-phuong-pleiku"


def test_vietnamese_dates_are_accepted() -> None:
    units, groups = seed_units()
    imported = build_plan(parse_plan_document(MINIMAL, "yaml"), units, groups)
    assert imported.plan.issued_on == date(2026, 1, 2)


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("  place: Gia Lai\n", "  place: Gia Lai\n  colour: red\n", 6, "plan.colour"),
        ("      - {metric: articles, target: 2, per: monthly}",
         "      - {metric: articles, target: -2, per: monthly}", 15, "tasks[0].kpis[0].target"),
        ("      - {metric: articles, target: 2, per: monthly}",
         "      - {metric: clicks, target: 2, per: monthly}", 15, "tasks[0].kpis[0].metric"),
        ("  year: 2026\n", "", 2, "plan.year"),  # missing field: the parent's line
        ("    due: 2026-03-31\n", "    due: 31/13/2026\n", 13, "tasks[0].due"),
        ("    due: 2026-03-31\n", "", 10, "tasks[0]"),  # neither due nor recurrence
    ],
)
def test_schema_errors_name_line_and_field(old: str, new: str, line: int, field: str) -> None:
    text = MINIMAL.replace(old, new)
    assert text != MINIMAL
    errors = fails(text)
    assert (errors[0]["line"], errors[0]["field"]) == (line, field)


def test_error_message_mentions_line_and_field() -> None:
    with pytest.raises(ValidationFailed) as exc:
        parse_plan_document(MINIMAL.replace("target: 2", "target: -1"), "yaml")
    assert "line 15" in exc.value.message and "tasks[0].kpis[0].target" in exc.value.message


def test_yaml_syntax_error_and_duplicate_key_have_lines() -> None:
    assert fails(MINIMAL.replace("  place: Gia Lai", "  place: [Gia Lai"))[0]["line"] is not None
    dup = MINIMAL.replace("  place: Gia Lai\n", "  place: Gia Lai\n  place: Pleiku\n")
    errors = fails(dup)
    assert (errors[0]["line"], errors[0]["field"]) == (6, "plan.place")
    assert fails("- just\n- a list\n")[0]["message"] == "the document is not a mapping"


def test_json_errors_have_lines_too() -> None:
    assert fails('{\n  "format_version": 1,\n  "plan": \n}', "json")[0]["line"] == 4
    doc = {"format_version": 1, "plan": {"number": "1/KH-X", "issuer": "x", "place": "p",
                                         "date": "2021-01-01", "year": "soon", "title": "t"}}
    errors = fails(json.dumps(doc, indent=2), "json")
    assert (errors[0]["line"], errors[0]["field"]) == (8, "plan.year")


def test_unknown_units_and_early_deadlines_are_reported_with_lines() -> None:
    text = MINIMAL.replace("lead: Phường Pleiku", "lead: Phòng VH&TT Kbang").replace(
        "due: 2026-03-31", "due: 2025-12-01")
    errors = build_errors(text)
    by_field = {e["field"]: e for e in errors}
    assert by_field["tasks[0].lead"]["line"] == 12  # abolished with the districts
    assert "unknown unit" in by_field["tasks[0].lead"]["message"]
    assert by_field["tasks[0].due"]["line"] == 13
    assert "before the plan date" in by_field["tasks[0].due"]["message"]


def test_deadlines_beyond_the_planning_horizon_are_reported_with_lines() -> None:
    text = MINIMAL.replace("due: 2026-03-31", "due: 9999-12-31")
    [error] = build_errors(text)
    assert (error["field"], error["line"]) == ("tasks[0].due", 13)
    assert "2036-12-31" in error["message"]
    recurring = MINIMAL.replace(
        "    due: 2026-03-31\n",
        "    recurrence: {kind: monthly, starts_on: 0001-01-01, ends_on: 9999-12-31}\n")
    fields = {e["field"] for e in build_errors(recurring)}
    assert fields == {"tasks[0].recurrence.ends_on", "tasks[0].recurrence.starts_on"}


def test_kpi_targets_beyond_what_storage_holds_are_reported_with_lines() -> None:
    text = MINIMAL.replace("target: 2,", "target: 3614485445024787258671104,")
    [error] = build_errors(text)
    assert error["field"] == "tasks[0].kpis[0].target" and "above" in error["message"]


def test_group_task_needs_active_members() -> None:
    text = MINIMAL.replace(
        "    lead: Phường Pleiku\n", "    lead_group: district-culture-offices\n"
    )
    assert build_errors(text)[0]["field"] == "tasks[0].lead_group"


def test_group_task_expands_to_one_subtask_per_unit() -> None:
    units, groups = seed_units()
    text = MINIMAL.replace("    lead: Phường Pleiku\n", "    lead_group: grassroots-2025\n")
    imported = build_plan(parse_plan_document(text, "yaml"), units, groups)
    parent, *members = imported.tasks
    assert parent.id == "t1" and parent.lead_unit_id == "gl2-svhttdl" and parent.kpis == ()
    assert {m.parent_task_id for m in members} == {"t1"}
    assert "t1.gl2-phuong-pleiku" in {m.id for m in members}
    assert all(len(m.kpis) == 1 for m in members)


def test_units_file_checks() -> None:
    text = """\
format_version: 1
units:
  - {id: a, type: commune, name: Xã A, short_name: A, valid_from: 2025-07-01}
  - {id: b, type: commune, name: Xã B, short_name: a, valid_from: 2025-07-01, parent: zz}
"""
    with pytest.raises(ValidationFailed) as exc:
        build_units(parse_units_document(text, "yaml"))
    messages = {e["field"]: (e["line"], e["message"]) for e in errors_of(exc)}
    assert messages["units[1].parent"][0] == 4
    assert "short name" in messages["units[1].short_name"][1]
    bad_type = text.replace("type: commune", "type: village", 1)
    with pytest.raises(ValidationFailed) as exc:
        parse_units_document(bad_type, "yaml")
    assert errors_of(exc)[0]["field"] == "units[0].type"
