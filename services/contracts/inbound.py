"""The base of every payload a service or the gateway accepts: unknown fields are an error,
and text is checked as sent, then trimmed.

Why not pydantic's `str_strip_whitespace`: it trims *before* the length and pattern checks,
so the published JSON Schema would lie. `" "` meets `minLength: 1` yet was refused, and
301 characters ending in a space met `maxLength: 300` after trimming yet break it as sent;
schemathesis finds both. Here the checks see the value as sent, exactly as the schema says,
then the surrounding whitespace is removed. A field that needs text (a minimum length) also
refuses a blank value, and its schema says so with the `NOT_BLANK` pattern.

Scalars are taken as the schema types them: pydantic's lax mode would read `false` as the
number 0 and `0` as the date 1970-01-01, values the published schema calls invalid (and a
person sending them made a mistake), so a boolean where a number is due, and a number where
a date is due, are refused.
"""

from __future__ import annotations

import types
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic.fields import FieldInfo

# Unicode White_Space, the set pydantic trimmed. The pattern spells it out instead of `\s`
# because `\s` differs between ECMAScript (the schema's dialect), Python `re` (schemathesis)
# and str.isspace.
WHITESPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
              + "\u2028\u2029\u202f\u205f\u3000")
NOT_BLANK = r"[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def _min_length(annotation: Any, metadata: list[Any]) -> int:
    """The least length a string value of this field must have (0: none)."""
    found = [m.min_length for m in metadata if isinstance(m, annotated_types.MinLen)]
    origin = get_origin(annotation)
    if origin is Annotated:
        found.append(_min_length(get_args(annotation)[0], list(annotation.__metadata__)))
    elif origin in (Union, types.UnionType):
        found.extend(_min_length(a, []) for a in get_args(annotation))
    return max(found, default=0)


def _needs_text(field: FieldInfo) -> bool:
    return _min_length(field.annotation, list(field.metadata)) > 0


def _declare_not_blank(schema: dict[str, Any], model: type[BaseModel]) -> None:
    for prop in schema.get("properties", {}).values():
        for branch in (prop, *prop.get("anyOf", ())):
            if (branch.get("type") == "string" and branch.get("minLength", 0) > 0
                    and "pattern" not in branch and "enum" not in branch):
                branch["pattern"] = NOT_BLANK


def _scalar_types(annotation: Any) -> set[Any]:
    """The plain types a field accepts at its top level (through Annotated and unions)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _scalar_types(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return set().union(*(_scalar_types(a) for a in get_args(annotation)))
    return {origin or annotation}


@cache
def _refused_scalars(model: type[BaseModel], name: str) -> frozenset[type]:
    """JSON scalar types pydantic would coerce into this field against its schema."""
    accepted = _scalar_types(model.model_fields[name].annotation)
    if accepted & {Any, object}:
        return frozenset()
    if accepted & {date, datetime} and not accepted & {bool, int, float, str}:
        return frozenset({bool, int, float})
    if accepted & {int, float} and bool not in accepted:
        return frozenset({bool})
    if bool in accepted and not accepted & {int, float}:
        return frozenset({int, float})
    return frozenset()


class Inbound(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_declare_not_blank)

    @field_validator("*", mode="before")
    @classmethod
    def _as_typed(cls, value: Any, info: ValidationInfo) -> Any:
        kind = type(value)
        if kind in (bool, int, float) and kind in (
                refused := _refused_scalars(cls, info.field_name or "")):
            if refused == {bool}:
                raise ValueError(f"a number is expected here, not {str(value).lower()}")
            if bool in refused:
                raise ValueError(f"a date is expected here as text (YYYY-MM-DD), not {value!r}")
            raise ValueError(f"true or false is expected here, not {value!r}")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _trim(cls, value: Any, info: ValidationInfo) -> Any:
        if type(value) is str:  # not a StrEnum member, which must keep its type
            trimmed = value.strip(WHITESPACE)
            if not trimmed and value and _needs_text(cls.model_fields[info.field_name or ""]):
                raise ValueError("must not be blank")
            return trimmed
        if type(value) is list and any(type(v) is str for v in value):
            return [v.strip(WHITESPACE) if type(v) is str else v for v in value]
        return value
