from datetime import date

from services.monitoring.domain.coverage import Assignment, coverage_keys, match_coverage
from services.monitoring.domain.polling import next_poll_interval, source_health


def test_coverage_facts_for_active_assignments() -> None:
    assignments = [
        Assignment("t1", "bao_gia_lai", frozenset({"drugs", "gambling"}),
                   date(2021, 3, 1), date(2021, 12, 31)),
        Assignment("t2", "bao_gia_lai", frozenset({"drugs"}), date(2022, 1, 1), date(2022, 12, 31)),
        Assignment("t3", "dai_ptth", frozenset({"drugs"}), date(2021, 1, 1), date(2021, 12, 31)),
    ]
    facts = match_coverage(assignments, item_id="i1", outlet_unit_id="bao_gia_lai",
                           topics=["drugs", "murder"], published=date(2021, 6, 1))
    assert [(f.task_id, f.topic) for f in facts] == [("t1", "drugs")]


def test_coverage_keys() -> None:
    assert coverage_keys("o1", "drugs", date(2021, 1, 3)) == [
        "o1|drugs|day|2021-01-03",
        "o1|drugs|week|2020-W53",
        "o1|drugs|month|2021-01",
    ]


def test_polling_interval_adapts_and_is_clamped() -> None:
    assert next_poll_interval([5, 6, 8], 600.0) < 600.0
    assert next_poll_interval([0, 0, 0], 600.0) > 600.0
    assert next_poll_interval([100], 130.0, minimum=120.0) == 120.0
    assert next_poll_interval([0], 3500.0, maximum=3600.0) == 3600.0


def test_source_health() -> None:
    assert source_health(consecutive_failures=0, seconds_since_last_item=600,
                         typical_gap_seconds=900).healthy
    sick = source_health(consecutive_failures=5, seconds_since_last_item=None,
                         typical_gap_seconds=None)
    assert not sick.healthy and "failures" in (sick.reason or "")
    silent = source_health(consecutive_failures=0, seconds_since_last_item=86400,
                           typical_gap_seconds=3600)
    assert not silent.healthy and "silent" in (silent.reason or "")
