"""Units over time: successors followed to the units valid on a later date (the 2025
mergers, seed data), names as of a date, and refused successor data."""

from dataclasses import replace
from datetime import date

import pytest
from plans_testkit import seed_units, unit

from services.plans.domain import FormerName, UnitDirectory, UnitType, ValidationFailed
from services.plans.domain.succession import succession_on
from services.plans.domain.vocabulary import SuccessionOutcome

ROLLED = date(2026, 2, 25)


def seed_directory() -> UnitDirectory:
    return UnitDirectory(seed_units()[0])


@pytest.mark.parametrize("unit_id,outcome,candidates", [
    ("nhandan-tt-gl", SuccessionOutcome.SAME, ("nhandan-tt-gl",)),
    # Two steps: the Department's press management went to Culture (March 2025), then to
    # the merged province's department (July 2025).
    ("gl-stttt", SuccessionOutcome.SUCCEEDED, ("gl2-svhttdl",)),
    ("bao-gia-lai", SuccessionOutcome.SUCCEEDED, ("gl2-bao-ptth",)),
    ("dai-ptth-gia-lai", SuccessionOutcome.SUCCEEDED, ("gl2-bao-ptth",)),
    ("pvhtt-an-khe", SuccessionOutcome.SUCCEEDED, ("gl2-phuong-an-khe",)),
    ("pvhtt-pleiku", SuccessionOutcome.AMBIGUOUS, ("gl2-phuong-hoi-phu", "gl2-phuong-pleiku")),
    ("pvhtt-kbang", SuccessionOutcome.NO_SUCCESSOR, ()),
    ("gl-vp-ubnd", SuccessionOutcome.NO_SUCCESSOR, ()),
    ("nowhere", SuccessionOutcome.UNKNOWN, ()),
])
def test_successors_are_followed_to_the_units_valid_on_the_date(unit_id, outcome, candidates):
    found = succession_on(unit_id, seed_directory(), ROLLED)
    assert (found.outcome, found.candidates) == (outcome, candidates)
    assert found.unit == (candidates[0] if len(candidates) == 1 else None)
    assert unit_id in found.reason


def test_between_an_end_and_the_successors_start_there_is_no_successor_yet():
    # gl-svhttdl ends 2025-06-30, gl2-svhttdl starts 2025-07-01: on 2025-04-01 Culture itself.
    assert succession_on("gl-stttt", seed_directory(), date(2025, 4, 1)).unit == "gl-svhttdl"
    assert succession_on("gl-btg-tu", seed_directory(), date(2025, 4, 1)).outcome is (
        SuccessionOutcome.NO_SUCCESSOR)


def test_successor_cycles_end_and_a_unit_never_succeeds_itself():
    a = unit("a", valid_to=date(2022, 12, 31), successor_ids=("b",))
    b = unit("b", valid_to=date(2022, 12, 31), successor_ids=("a",))
    assert succession_on("a", UnitDirectory([a, b]), date(2024, 1, 1)).outcome is (
        SuccessionOutcome.NO_SUCCESSOR)
    with pytest.raises(ValidationFailed):
        unit("c", successor_ids=("c",))


def test_a_renamed_unit_answers_with_the_name_it_bore_on_a_date():
    office = replace(unit("pvhtt-kbang", UnitType.DISTRICT_CULTURE_OFFICE),
                     name="Phòng Văn hóa và Thông tin huyện Kbang",
                     short_name="Phòng VH&TT Kbang",
                     former_names=(FormerName("Phòng Văn hóa - Thông tin Kbang",
                                              "Phòng VHTT Kbang", date(2022, 12, 31)),))
    assert office.named_on(date(2021, 5, 1)).short_name == "Phòng VHTT Kbang"
    assert office.named_on(date(2023, 1, 1)).name == "Phòng Văn hóa và Thông tin huyện Kbang"
    with pytest.raises(ValidationFailed) as refused:
        unit("x", former_names=(FormerName("Old", "Old", date(2020, 1, 1)),))
    assert "outside the unit's validity" in refused.value.details["problems"][0]
