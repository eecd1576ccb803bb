"""Waiting helpers shared by the tests, the fault tests and the soak, and a clock tests set."""

from __future__ import annotations

import importlib.util
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Generic, TypeVar

T = TypeVar("T")


def eventually(check: Callable[[], T], seconds: float = 15.0, interval: float = 0.2, *,
               explain: Callable[[], str] | None = None) -> T:
    """`check()`'s value once it stops raising; its last error after `seconds`, with what
    `explain()` says then (a peer's log, say) when given."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except Exception as error:
            if time.monotonic() > deadline:
                if explain is None:
                    raise
                raise AssertionError(f"{explain()}\nlast error: {error!r}") from error
            time.sleep(interval)


def wait_until(check: Callable[[], T], seconds: float, interval: float = 0.5) -> T | None:
    """`check()`'s first truthy value within `seconds` (errors count as false), else its
    last value."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            result: T | None = check()
        except Exception:
            result = None
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


class ManualClock(Generic[T]):
    """A clock that says what a test sets (`clock.now = ...`), for code that takes `now()`."""

    def __init__(self, now: T) -> None:
        self.now = now

    def __call__(self) -> T:
        return self.now


def load_script(path: Path) -> ModuleType:
    """A Python file that is no package module (a deployment script), loaded to test it."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unique_number() -> int:
    """A document number for a test's plan (1 to 999,999, the most a number may have): the
    suite's plans share one database, where numbers drawn from 10,000 met each other's."""
    return uuid.uuid4().int % 999_999 + 1
