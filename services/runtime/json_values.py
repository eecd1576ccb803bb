"""Values made JSON-ready: lists, tuples and dicts rebuilt, every other value rendered by the
caller's rule. The RPC layer renders pydantic models with it (`to_wire`), the plans codec the
dates of a plan's amendments: one walk, no framework (the domain's mappers may use it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JSON_SCALARS = (str, int, float, bool, type(None))


def rebuilt(value: Any, render: Callable[[Any], Any]) -> Any:
    """`value` with its lists and tuples as lists and its dicts' values rebuilt, JSON's own
    scalars kept (most of a reply: no call each), and every other value through `render`."""
    if isinstance(value, list | tuple):
        return [item if type(item) in JSON_SCALARS else rebuilt(item, render) for item in value]
    if isinstance(value, dict):
        return {key: item if type(item) in JSON_SCALARS else rebuilt(item, render)
                for key, item in value.items()}
    return value if type(value) in JSON_SCALARS else render(value)
