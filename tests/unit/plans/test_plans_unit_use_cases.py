"""The unit directory's use cases on an in-memory unit of work: what creating, changing,
retiring a unit, saving a group and importing the directory write (the document, its journal
entry, the directory's progress stamp), what they refuse, and what a retried import answers."""

from __future__ import annotations

from datetime import date

import pytest
from fake_unit_of_work import InMemoryDocuments
from plans_testkit import SEED_DIR

from services.contracts.plans_units import (
    GetUnitRequest,
    GroupModel,
    ImportUnitsRequest,
    ResolveGroupRequest,
    RetireUnitRequest,
    UnitModel,
    UpsertGroupRequest,
    UpsertUnitRequest,
)
from services.plans.domain import Conflict, NotFound, ValidationFailed
from services.plans.use_cases.context import Context
from services.plans.use_cases.units import (
    import_units,
    list_groups,
    retire_unit,
    upsert_group,
    upsert_unit,
)
from services.plans.use_cases.units_as_of import get_unit, resolve

UNITS_TEXT = (SEED_DIR / "units-gia-lai.yaml").read_text(encoding="utf-8")


def outlet(unit_id: str = "bao-gia-lai", **fields: object) -> UpsertUnitRequest:
    unit = {"id": unit_id, "type": "press_outlet", "subtype": "local", "name": "Báo Gia Lai",
            "short_name": unit_id.upper(), "valid_from": "2021-01-01", **fields}
    return UpsertUnitRequest(unit=UnitModel.model_validate(unit), actor="officer-1")


def journal(documents: InMemoryDocuments) -> list[tuple[str, str, list[str]]]:
    return [(entry["action"], entry["entity_id"], [c["field"] for c in entry["changes"]])
            for entry in documents["audit"].values()]


def test_a_new_unit_is_stored_journaled_and_counted_once(
        ctx: Context, documents: InMemoryDocuments) -> None:
    reply = upsert_unit(outlet(), ctx)
    again = upsert_unit(outlet(), ctx)

    assert reply == again and reply["id"] == "bao-gia-lai" and reply["valid_to"] is None
    stored = documents["units"]["bao-gia-lai"]
    assert stored["name"] == "Báo Gia Lai" and stored["updated_at"]
    assert [(action, unit_id) for action, unit_id, _ in journal(documents)] == [
        ("unit.created", "bao-gia-lai")]  # the unchanged second upsert wrote nothing
    assert documents["progress_stamps"]["units"]["seq"] == 1
    assert documents["audit"] and all(e["plan_id"] is None for e in documents["audit"].values())


def test_a_changed_unit_writes_only_what_changed_with_its_journal_entry(
        ctx: Context, documents: InMemoryDocuments) -> None:
    upsert_unit(outlet(), ctx)

    upsert_unit(outlet(name="Báo Gia Lai điện tử", languages=["vi", "jra"]), ctx)

    stored = documents["units"]["bao-gia-lai"]
    assert (stored["name"], stored["languages"]) == ("Báo Gia Lai điện tử", ["vi", "jra"])
    assert journal(documents)[-1] == ("unit.updated", "bao-gia-lai", ["name", "languages"])
    assert documents["progress_stamps"]["units"]["changes"] == [
        {"unit": "bao-gia-lai"}, {"unit": "bao-gia-lai"}]


def test_a_unit_the_directory_cannot_take_is_refused_and_nothing_is_written(
        ctx: Context, documents: InMemoryDocuments) -> None:
    upsert_unit(outlet(), ctx)
    written = len(documents["audit"])

    with pytest.raises(NotFound):
        upsert_unit(outlet("dai", parent_id="nowhere"), ctx)
    with pytest.raises(Conflict) as same_name:
        upsert_unit(outlet("dai", short_name="bao-gia-lai"), ctx)
    with pytest.raises(ValidationFailed) as successor:
        upsert_unit(outlet("dai", successor_ids=["nowhere"]), ctx)

    assert same_name.value.details == {"field": "short_name"}
    assert successor.value.details["unit_ids"] == ["nowhere"]
    assert list(documents["units"]) == ["bao-gia-lai"] and len(documents["audit"]) == written


def test_retiring_a_unit_ends_its_validity_and_an_end_before_its_start_is_refused(
        ctx: Context, documents: InMemoryDocuments) -> None:
    upsert_unit(outlet(), ctx)

    retired = retire_unit(RetireUnitRequest(unit_id="bao-gia-lai", valid_to=date(2025, 6, 30),
                                            actor="officer-1"), ctx)

    assert retired["valid_to"] == documents["units"]["bao-gia-lai"]["valid_to"] == "2025-06-30"
    assert journal(documents)[-1] == ("unit.updated", "bao-gia-lai", ["valid_to"])
    with pytest.raises(ValidationFailed):
        retire_unit(RetireUnitRequest(unit_id="bao-gia-lai", valid_to=date(2020, 1, 1),
                                      actor="officer-1"), ctx)
    with pytest.raises(NotFound):
        retire_unit(RetireUnitRequest(unit_id="nowhere", valid_to=date(2025, 6, 30),
                                      actor="officer-1"), ctx)


def test_a_group_is_saved_when_it_changes_and_names_only_known_units(
        ctx: Context, documents: InMemoryDocuments) -> None:
    upsert_unit(outlet(), ctx)
    group = {"id": "local-press", "name": "Báo chí địa phương", "types": ["press_outlet"],
             "unit_ids": ["bao-gia-lai"]}

    saved = upsert_group(UpsertGroupRequest(group=GroupModel.model_validate(group)), ctx)
    upsert_group(UpsertGroupRequest(group=GroupModel.model_validate(group)), ctx)
    with pytest.raises(ValidationFailed) as unknown:
        upsert_group(UpsertGroupRequest(group=GroupModel.model_validate(
            {**group, "unit_ids": ["nowhere"]})), ctx)

    assert saved == {"id": "local-press", "name": "Báo chí địa phương",
                     "types": ["press_outlet"], "subtypes": [], "area": None,
                     "parent_id": None, "unit_ids": ["bao-gia-lai"]}
    assert unknown.value.details["unit_ids"] == ["nowhere"]
    assert [action for action, _, _ in journal(documents)].count("group.saved") == 1
    assert list_groups(ctx) == [saved]
    assert documents["progress_stamps"]["units"]["seq"] == 1  # the unit; groups not counted


def test_an_import_creates_then_finds_the_directory_unchanged_and_a_retry_answers_first(
        ctx: Context, documents: InMemoryDocuments) -> None:
    request = ImportUnitsRequest(content=UNITS_TEXT, actor="officer-1", idempotency_key="k1")

    first = import_units(request, ctx)
    retried = import_units(request, ctx)
    again = import_units(ImportUnitsRequest(content=UNITS_TEXT, actor="officer-1"), ctx)

    assert first["created"] == len(documents["units"]) > 0 and first["updated"] == 0
    assert retried == first
    assert again == {"created": 0, "updated": 0, "unchanged": first["created"],
                     "groups": first["groups"]}
    entries = list(documents["audit"].values())
    assert len(entries) == first["created"] + first["groups"]
    assert {entry["extra"]["source"] for entry in entries} == {"import"}
    assert documents["idempotency"]["import_units:k1"]["result"] == first


def test_the_organisation_on_a_date_names_units_as_then_and_says_where_work_went(
        ctx: Context) -> None:
    import_units(ImportUnitsRequest(content=UNITS_TEXT, actor="officer-1"), ctx)

    press_2021 = resolve(ResolveGroupRequest(group_id="all-press-outlets", on=date(2021, 3, 1)),
                         ctx)
    press_2026 = resolve(ResolveGroupRequest(group_id="all-press-outlets", on=date(2026, 3, 1)),
                         ctx)
    with pytest.raises(NotFound) as gone:
        get_unit(GetUnitRequest(unit_id="bao-gia-lai", as_of=date(2026, 3, 1)), ctx)
    with pytest.raises(NotFound):
        resolve(ResolveGroupRequest(group_id="nope"), ctx)

    assert "bao-gia-lai" in press_2021["unit_ids"] and "bao-gia-lai" not in press_2026["unit_ids"]
    assert [item["id"] for item in press_2021["items"]] == press_2021["unit_ids"]
    assert gone.value.details["successor_ids"] == ["gl2-bao-ptth"]
    assert get_unit(GetUnitRequest(unit_id="bao-gia-lai", as_of=date(2021, 3, 1)), ctx)[
        "valid_to"] == "2025-06-30"
