"""Work a use case runs side by side (a batch's sends, the previous batch's settling), without
naming the runner: under nameko the edge hands in green threads
(services/runtime/nameko_ext/green.py); elsewhere, and in tests, these are threads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")
T_co = TypeVar("T_co", covariant=True)


class Pending(Protocol[T_co]):
    def result(self) -> T_co:
        """Wait for the work; its result, or its exception raised again."""


class Workers(Protocol):
    def spawn(self, run: Callable[..., T], *args: Any) -> Pending[T]:
        """Start `run(*args)` beside the caller."""

    def map(self, run: Callable[[T], R], items: Iterable[T], concurrency: int) -> Iterator[R]:
        """`run` over `items`, at most `concurrency` at a time, results in the items' order."""

    def within(self, seconds: float, wait: Callable[[], T]) -> T:
        """`wait()`'s result if it comes within `seconds`; else `TimeoutError` (the wait is
        abandoned)."""


class _Thread(Generic[T]):
    def __init__(self, run: Callable[..., T], args: tuple[Any, ...]) -> None:
        self._result: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(run, args), daemon=True)
        self._thread.start()

    def _run(self, run: Callable[..., T], args: tuple[Any, ...]) -> None:
        try:
            self._result = run(*args)
        except BaseException as exc:  # handed to whoever waits for the result
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]


class Threads:
    """`Workers` on plain `threading` threads: green ones in a process eventlet has patched
    (concurrent.futures is avoided: its C queue blocks eventlet's hub)."""

    def spawn(self, run: Callable[..., T], *args: Any) -> Pending[T]:
        return _Thread(run, args)

    def map(self, run: Callable[[T], R], items: Iterable[T], concurrency: int) -> Iterator[R]:
        gate = threading.BoundedSemaphore(concurrency)

        def gated(item: T) -> R:
            with gate:
                return run(item)

        started = [_Thread(gated, (item,)) for item in items]
        return iter([thread.result() for thread in started])

    def within(self, seconds: float, wait: Callable[[], T]) -> T:
        waiting = _Thread(wait, ())
        waiting._thread.join(seconds)
        if waiting._thread.is_alive():
            raise TimeoutError(f"no answer in {seconds} s")
        return waiting.result()
