from datetime import date

import pytest
from plans_testkit import local, plan, task, unit

from services.plans.domain import (
    Conflict,
    DocumentNumber,
    DomainError,
    InvalidTransition,
    NotFound,
    PlanStatus,
    Recurrence,
    RecurrenceKind,
    Topic,
    UnitDirectory,
    UnitType,
    ValidationFailed,
    duplicate_number,
)

AT = local(date(2021, 2, 25))


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("25/KH-STTTT", "25/KH-STTTT"),
        (" 25 / kh-stttt ", "25/KH-STTTT"),
        ("07/KH-BCĐ", "7/KH-BCĐ"),
        ("123/QĐ-UBND", "123/QĐ-UBND"),
    ],
)
def test_document_number_is_parsed_and_normalised(text: str, normalised: str) -> None:
    assert DocumentNumber.parse(text).key == normalised


@pytest.mark.parametrize("text", ["KH-STTTT", "25/KHSTTTT", "0/KH-STTTT", "25-KH/STTTT", ""])
def test_malformed_document_number_is_rejected(text: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        DocumentNumber.parse(text)
    assert err.value.details["field"] == "number"


def test_uniqueness_key_names_issuer_year_and_number() -> None:
    assert plan(number=DocumentNumber.parse("25/kh-stttt")).uniqueness_key == (
        "gl-stttt|2021|25/KH-STTTT"
    )


def test_life_cycle_draft_issued_closed() -> None:
    p = plan()
    entry = p.issue("officer", AT)
    assert p.status is PlanStatus.ISSUED
    assert (entry.action, entry.entity_kind, entry.entity_id) == ("plan.issued", "plan", "p1")
    assert entry.changes[0].before == "draft" and entry.changes[0].after == "issued"
    p.close("officer", AT)
    assert p.status.value == "closed"


@pytest.mark.parametrize("issued", [False, True])
def test_cancel_from_draft_or_issued(issued: bool) -> None:
    p = plan()
    if issued:
        p.issue("officer", AT)
    entry = p.cancel("officer", AT, "superseded")
    assert p.status is PlanStatus.CANCELLED
    assert entry.note == "superseded"


def test_invalid_transitions_raise_a_typed_error() -> None:
    p = plan()
    with pytest.raises(InvalidTransition) as err:
        p.close("officer", AT)
    assert err.value.code == "invalid_transition"
    assert err.value.details == {"plan_id": "p1", "from": "draft", "to": "closed"}
    p.issue("officer", AT)
    with pytest.raises(InvalidTransition):
        p.issue("officer", AT)
    p.close("officer", AT)
    with pytest.raises(InvalidTransition):
        p.cancel("o", AT, "x")
    with pytest.raises(InvalidTransition):
        p.issue("o", AT)


def test_issue_needs_a_signer_and_cancel_a_reason() -> None:
    with pytest.raises(ValidationFailed):
        plan(signer=None).issue("officer", AT)
    with pytest.raises(ValidationFailed):
        plan().cancel("officer", AT, "  ")


def test_draft_edits_freely_but_issued_plan_needs_an_amendment() -> None:
    p = plan()
    entry = p.edit({"title": "Tiêu đề mới", "number": "26/KH-STTTT"}, "officer", AT)
    assert p.title == "Tiêu đề mới" and str(p.number) == "26/KH-STTTT"
    assert {c.field for c in entry.changes} == {"title", "number"}
    assert p.revision == 0
    p.issue("officer", AT)
    with pytest.raises(InvalidTransition):
        p.edit({"title": "x"}, "officer", AT)


def test_amendment_bumps_revision_and_records_before_after() -> None:
    p = plan(objectives=("Mục đích 1",))
    with pytest.raises(InvalidTransition):
        p.amend({"title": "x"}, "reason", "officer", AT)
    p.issue("officer", AT)
    amendment, entry = p.amend(
        {"objectives": ("Mục đích 1", "Mục đích 2"), "issued_on": date(2021, 2, 26)},
        "bổ sung mục đích", "deputy", AT,
    )
    assert p.revision == 1 and p.amendments == [amendment]
    assert amendment.changed_fields == ("objectives", "issued_on")
    change = amendment.changes[1]
    assert (change.before, change.after) == ("2021-02-25", "2021-02-26")
    assert entry.action == "plan.amended" and entry.extra == {"revision": 1}
    assert entry.to_dict()["changes"][0]["after"] == ["Mục đích 1", "Mục đích 2"]
    p.amend({"title": "Tiêu đề 2"}, "sửa tiêu đề", "deputy", AT)
    assert p.revision == 2


def test_amendment_rules() -> None:
    p = plan()
    p.issue("officer", AT)
    with pytest.raises(ValidationFailed):
        p.amend({"title": "x"}, "", "deputy", AT)  # no reason
    with pytest.raises(ValidationFailed):
        p.amend({"status": "draft"}, "sneaky", "deputy", AT)  # not a core field
    with pytest.raises(ValidationFailed):
        p.amend({"title": p.title}, "nothing", "deputy", AT)  # no change
    with pytest.raises(ValidationFailed):
        p.amend({"year": 1990}, "bad year", "deputy", AT)
    assert p.year == 2021 and p.revision == 0  # a failed amendment leaves the plan untouched


def test_duplicate_number_is_a_conflict_naming_the_key() -> None:
    err = duplicate_number(plan())
    assert err.code == "conflict" and err.details["key"] == "gl-stttt|2021|25/KH-STTTT"


def test_error_hierarchy_has_stable_codes() -> None:
    codes = {cls("m").code for cls in (NotFound, Conflict, InvalidTransition, ValidationFailed)}
    assert codes == {"not_found", "conflict", "invalid_transition", "validation_failed"}
    err = Conflict("duplicate plan number", {"key": "gl-stttt|2021|25/KH-STTTT"})
    assert isinstance(err, DomainError)
    assert err.to_dict() == {
        "code": "conflict",
        "message": "duplicate plan number",
        "details": {"key": "gl-stttt|2021|25/KH-STTTT"},
    }


def test_edit_coerces_plain_values_and_rejects_unknown_ones() -> None:
    p = plan()
    p.edit({"topics": ["drugs", "gambling"], "issued_on": "2021-02-26"}, "officer", AT)
    assert p.topics == (Topic.DRUGS, Topic.GAMBLING) and p.issued_on == date(2021, 2, 26)
    with pytest.raises(ValidationFailed) as err:
        p.edit({"channels": ["carrier_pigeon"]}, "officer", AT)
    assert err.value.details == {"field": "channels"}


def test_check_references_on_the_plan_date() -> None:
    units = UnitDirectory([
        unit("gl-stttt", UnitType.DEPARTMENT, valid_to=date(2025, 2, 28)),
        unit("bao-gia-lai"),
        unit("pvhtt-kbang", UnitType.DISTRICT_CULTURE_OFFICE, valid_to=date(2025, 6, 30)),
    ])
    plan().check_references(units, [task("t1"), task("t2", lead_unit_id="pvhtt-kbang")])
    with pytest.raises(ValidationFailed) as err:
        plan().check_references(units, [task("t1", lead_unit_id="nobody")])
    assert err.value.details["unit_id"] == "nobody"
    with pytest.raises(ValidationFailed) as err:
        plan().check_references(units, [task("t1", due_date=date(2021, 2, 1))])
    assert err.value.details == {"task_id": "t1", "field": "due_date"}
    later = plan(issued_on=date(2025, 7, 2), year=2025)
    with pytest.raises(ValidationFailed):  # the issuer no longer exists
        later.check_references(units)


def test_task_dates_stay_within_ten_years_of_the_plan_date() -> None:
    units = UnitDirectory([unit("gl-stttt", UnitType.DEPARTMENT), unit("bao-gia-lai")])
    plan().check_references(units, [task("t1", due_date=date(2031, 12, 31))])
    with pytest.raises(ValidationFailed) as err:
        plan().check_references(units, [task("t1", due_date=date(9999, 12, 31))])
    assert err.value.details == {"task_id": "t1", "field": "due_date"}
    assert "2031-12-31" in err.value.message
    forever = Recurrence(RecurrenceKind.QUARTERLY, date(2021, 3, 1), date(9999, 12, 31),
                         deadline_offset_days=5)
    with pytest.raises(ValidationFailed) as err:
        plan().check_references(units, [task("t1", recurrence=forever)])
    assert err.value.details["field"] == "recurrence.ends_on"
    ancient = Recurrence(RecurrenceKind.MONTHLY, date(1, 1, 1), date(2021, 12, 31))
    with pytest.raises(ValidationFailed) as err:
        plan().check_references(units, [task("t1", recurrence=ancient)])
    assert err.value.details["field"] == "recurrence.starts_on"
