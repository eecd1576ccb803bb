"""The notifications domain answers a change with a new value (its objects are frozen); a use
case holds what it loaded in a `Changing`, replaces the value with the domain's answer and
adds the events the change records. The unit of work writes the value's document with those
events in the same write (it reads `events`, as it does on a mutable aggregate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class Changing(Generic[T]):
    value: T
    events: list[Any] = field(default_factory=list)

    def change(self, value: T, *events: Any) -> None:
        self.value = value
        self.events.extend(events)
