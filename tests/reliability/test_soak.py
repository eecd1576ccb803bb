"""The short soak (2 minutes of the mixed flow at half capacity); `make soak` runs 30."""

import uuid

import pytest

from bench.common import write_results
from stack.faults import PrivateDatabase
from stack.infra import create_vhost, delete_vhost
from stack.soak import soak

pytestmark = [pytest.mark.timeout(900)]


def test_two_minute_soak_has_no_errors_bounded_queues_and_flat_memory(infra):
    # A database and a vhost of its own: the soak's thousands of writes neither slow the
    # suite's shared database nor are slowed by it, and the session platform's services
    # (same service names, other databases) never take the soak's RPC requests or events.
    database = PrivateDatabase()
    vhost = f"campaign-test-soak-{uuid.uuid4().hex[:6]}"
    amqp_uri = create_vhost(infra.broker, vhost)
    try:
        env = infra.env() | {"MONGODB_URI": database.start(), "AMQP_URI": amqp_uri,
                             "DB_PREFIX": f"{infra.db_prefix}soak_", "LOG_LEVEL": "WARNING"}
        figures = soak(env, minutes=2)
    finally:
        database.destroy()
        if amqp_uri != infra.broker.uri:
            delete_vhost(infra.broker, vhost)
    write_results("soak-2min", figures)
    assert figures["operations"] > 100, figures
    assert figures["errors"] == 0, figures["error_samples"]
    # the aimed rate is half of the capacity measured in the same run, so it must be held
    assert figures["rate_held"] >= 0.8, figures
    assert max(figures["total_depth_every_30s"]) < 1000, figures["total_depth_every_30s"]
    assert figures["max_queue_depth"] < 1000, figures["queue_depths"]
    assert figures["drained_after_load_s"] < 60, figures
    for name, growth in figures["memory_growth_percent"].items():
        assert growth < 10, (name, figures["memory_start_kib"], figures["memory_end_kib"])
