"""`Workers` (services/runtime/concurrency.py) on eventlet's green threads, for use cases that
run inside a nameko service: the edge hands them in, the use cases never import eventlet."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

import eventlet
from eventlet.greenthread import GreenThread

T = TypeVar("T")
R = TypeVar("R")


class _Spawned(Generic[T]):
    def __init__(self, thread: GreenThread) -> None:
        self.thread = thread

    def result(self) -> T:
        result: T = self.thread.wait()
        return result


class GreenWorkers:
    def spawn(self, run: Callable[..., T], *args: Any) -> _Spawned[T]:
        return _Spawned(eventlet.spawn(run, *args))

    def map(self, run: Callable[[T], R], items: Iterable[T], concurrency: int) -> Iterator[R]:
        result: Iterator[R] = eventlet.GreenPool(concurrency).imap(run, items)
        return result

    def within(self, seconds: float, wait: Callable[[], T]) -> T:
        try:
            with eventlet.Timeout(seconds):
                return wait()
        except eventlet.Timeout:
            # eventlet's Timeout is no Exception: callers that treat a silent service as
            # "unknown" would not catch it, and the whole call would fail.
            raise TimeoutError(f"no answer in {seconds} s") from None
