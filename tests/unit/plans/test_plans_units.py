from datetime import date

import pytest
from plans_testkit import seed_units, unit

from services.plans.domain import (
    ALL_CULTURE_OFFICES,
    ALL_PRESS_OUTLETS,
    AreaCodes,
    OrgUnit,
    PressSubtype,
    UnitDirectory,
    UnitSelector,
    UnitType,
    ValidationFailed,
    resolve_group,
)


def test_unit_is_active_inclusive_of_both_ends() -> None:
    u = unit("x", valid_from=date(2021, 1, 1), valid_to=date(2025, 6, 30))
    assert not u.is_active(date(2020, 12, 31))
    assert u.is_active(date(2021, 1, 1))
    assert u.is_active(date(2025, 6, 30))
    assert not u.is_active(date(2025, 7, 1))
    assert unit("open-ended").is_active(date(2099, 1, 1))


def test_unit_rejects_inconsistent_data() -> None:
    with pytest.raises(ValidationFailed) as err:
        unit("x", valid_from=date(2025, 1, 1), valid_to=date(2024, 1, 1))
    assert err.value.code == "validation_failed"
    with pytest.raises(ValidationFailed):
        OrgUnit("c", UnitType.COMMUNE, "Xã", "Xã", date(2025, 7, 1), subtype=PressSubtype.LOCAL)


def test_selector_by_type_subtype_area_and_parent() -> None:
    units = [
        unit("bgl"),
        unit("nd", subtype=PressSubtype.CENTRAL),
        unit("office-a", UnitType.DISTRICT_CULTURE_OFFICE, area=AreaCodes("64", "622"),
             parent_id="ubnd-a"),
        unit("office-b", UnitType.DISTRICT_CULTURE_OFFICE, area=AreaCodes("64", "623"),
             parent_id="ubnd-b"),
    ]
    on = date(2021, 3, 1)
    assert resolve_group(ALL_PRESS_OUTLETS, units, on) == ["bgl", "nd"]
    central = UnitSelector(subtypes=frozenset({PressSubtype.CENTRAL}))
    assert resolve_group(central, units, on) == ["nd"]
    in_622 = UnitSelector(types=frozenset({UnitType.DISTRICT_CULTURE_OFFICE}),
                          area=AreaCodes(district="622"))
    assert resolve_group(in_622, units, on) == ["office-a"]
    assert resolve_group(UnitSelector(parent_id="ubnd-b"), units, on) == ["office-b"]
    explicit = UnitSelector(unit_ids=frozenset({"bgl", "office-b"}))
    assert resolve_group(explicit, units, on) == ["bgl", "office-b"]


def test_groups_resolve_differently_across_the_2025_reorganisation() -> None:
    units, groups = seed_units()
    before, after = date(2025, 6, 30), date(2025, 7, 1)
    offices_2021 = resolve_group(ALL_CULTURE_OFFICES, units, date(2021, 2, 25))
    assert len(offices_2021) == 17
    assert resolve_group(ALL_CULTURE_OFFICES, units, before) == offices_2021
    assert resolve_group(ALL_CULTURE_OFFICES, units, after) == []
    local_press = next(g for g in groups if g.id == "local-press")
    assert resolve_group(local_press, units, before) == ["bao-gia-lai", "dai-ptth-gia-lai"]
    assert resolve_group(local_press, units, after) == ["gl2-bao-ptth"]
    communes = next(g for g in groups if g.id == "grassroots-2025")
    assert resolve_group(communes, units, before) == []
    assert "gl2-phuong-pleiku" in resolve_group(communes, units, after)


def test_directory_looks_up_short_names_on_a_date() -> None:
    units, _ = seed_units()
    directory = UnitDirectory(units)
    found_2021 = directory.lookup("UBND tỉnh", date(2021, 2, 25))
    found_2026 = directory.lookup("ubnd TỈNH", date(2026, 1, 1))
    assert found_2021 is not None and found_2021.id == "gl-ubnd"
    assert found_2026 is not None and found_2026.id == "gl2-ubnd"
    assert directory.lookup("STTTT", date(2025, 3, 1)) is None  # merged on 2025-03-01
    assert directory.lookup("pvhtt-kbang", date(2021, 5, 1)) is not None
    assert directory.lookup("pvhtt-kbang", date(2025, 7, 1)) is None
    with pytest.raises(ValidationFailed):
        directory.require_active("pvhtt-kbang", date(2025, 7, 1))


def test_seed_units_carry_languages_and_contacts() -> None:
    units, _ = seed_units()
    by_id = {u.id: u for u in units}
    assert "jra" in by_id["pvhtt-ia-grai"].languages
    assert "bdq" in by_id["pvhtt-kbang"].languages
    assert all(c.address.count("example") for u in units for c in u.contacts)
    district_level = [u for u in units if u.area.district is not None]
    assert len(district_level) == 17 * 3
    assert {u.valid_to for u in district_level} == {date(2025, 6, 30)}
