"""The short soak (2 minutes of the mixed flow at half capacity); `make soak` runs 30."""

import pytest

from bench.common import write_results
from stack.faults import PrivateDatabase
from stack.soak import soak

pytestmark = [pytest.mark.timeout(900)]


def test_two_minute_soak_has_no_errors_bounded_queues_and_flat_memory(infra):
    # A database of its own: the soak's thousands of writes neither slow the suite's shared
    # database nor are slowed by it, and its data folder goes away with it.
    database = PrivateDatabase()
    try:
        env = infra.env() | {"MONGODB_URI": database.start(),
                             "DB_PREFIX": f"{infra.db_prefix}soak_", "LOG_LEVEL": "WARNING"}
        figures = soak(env, minutes=2)
    finally:
        database.destroy()
    write_results("soak-2min", figures)
    assert figures["operations"] > 100, figures
    assert figures["errors"] == 0, figures["error_samples"]
    assert max(figures["total_depth_every_30s"]) < 1000, figures["total_depth_every_30s"]
    assert figures["max_queue_depth"] < 1000, figures["queue_depths"]
    assert figures["drained_after_load_s"] < 60, figures
    for name, growth in figures["memory_growth_percent"].items():
        assert growth < 10, (name, figures["memory_start_kib"], figures["memory_end_kib"])
