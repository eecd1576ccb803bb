"""The thread-backed `Workers` use cases get outside nameko: results in order, never more than
`concurrency` at once, and a failure raised to whoever waits."""

from __future__ import annotations

import threading
import time

import pytest

from services.runtime.concurrency import Threads

pytestmark = pytest.mark.unit


def test_map_keeps_the_order_and_the_bound() -> None:
    running, most = 0, 0
    lock = threading.Lock()

    def square(value: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.01)
        with lock:
            running -= 1
        return value * value

    assert list(Threads().map(square, range(8), concurrency=3)) == [v * v for v in range(8)]
    assert 1 <= most <= 3


def test_a_spawned_failure_is_raised_on_waiting() -> None:
    def fail() -> int:
        raise ValueError("boom")

    pending = Threads().spawn(fail)
    with pytest.raises(ValueError, match="boom"):
        pending.result()
    assert Threads().spawn(lambda a, b: a + b, 2, 3).result() == 5


def test_within_answers_in_time_or_gives_up_with_a_timeout_error() -> None:
    assert Threads().within(1.0, lambda: "answer") == "answer"
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        Threads().within(0.05, lambda: time.sleep(1))
    assert time.monotonic() - started < 0.5
