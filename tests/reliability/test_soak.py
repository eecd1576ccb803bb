"""The short soak (2 minutes of the mixed flow at half capacity); `make soak` runs 30."""

import pytest

from stack.soak import soak

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]


def test_two_minute_soak_has_no_errors_bounded_queues_and_flat_memory(infra):
    figures = soak(infra.env() | {"DB_PREFIX": f"{infra.db_prefix}soak_"}, minutes=2)
    assert figures["operations"] > 100, figures
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["max_queue_depth"] < 1000, figures["queue_depths"]
    for name, growth in figures["memory_growth_percent"].items():
        assert growth < 10, (name, figures["memory_start_kib"], figures["memory_end_kib"])
