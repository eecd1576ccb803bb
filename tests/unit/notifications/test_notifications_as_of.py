"""The date a notice resolves on: a plan's period, units valid and named as then."""

from datetime import date

from services.notifications.domain.as_of import plan_as_of
from services.notifications.domain.preferences import FormerName, RecipientUnit

TODAY = date(2026, 12, 7)


def test_a_plan_of_a_past_year_resolves_on_its_issue_date() -> None:
    assert plan_as_of(2021, date(2021, 2, 25), TODAY) == date(2021, 2, 25)


def test_a_plan_not_issued_yet_resolves_on_the_first_day_of_its_year() -> None:
    assert plan_as_of(2027, None, TODAY) == date(2027, 1, 1)
    # An issue date outside the plan's year (a data slip) does not move the year.
    assert plan_as_of(2021, date(2020, 12, 30), TODAY) == date(2021, 1, 1)


def test_a_plan_of_this_year_resolves_today() -> None:
    assert plan_as_of(2026, date(2026, 2, 20), TODAY) == TODAY
    assert plan_as_of(None, None, TODAY) == TODAY


def test_a_unit_bears_the_name_of_the_day_and_exists_within_its_validity() -> None:
    department = RecipientUnit(
        "gl-svhttdl", "Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai (mới)",
        valid_from=date(2021, 1, 1),
        former_names=(FormerName("Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai",
                                 date(2025, 6, 30)),))
    assert department.name_on(date(2021, 2, 25)) == "Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai"
    assert department.name_on(date(2025, 6, 30)) == "Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai"
    assert department.name_on(TODAY).endswith("(mới)")
    assert department.name_on(None).endswith("(mới)")
    office = RecipientUnit("pvhtt-ia-grai", "Phòng VH&TT Ia Grai", valid_from=date(2021, 1, 1),
                           valid_to=date(2025, 6, 30))
    assert office.exists_on(date(2021, 2, 25)) and office.exists_on(date(2025, 6, 30))
    assert not office.exists_on(TODAY) and not office.exists_on(date(2020, 12, 31))
    assert RecipientUnit("gl-local", "Đơn vị cục bộ").exists_on(TODAY)  # no dates: it exists
