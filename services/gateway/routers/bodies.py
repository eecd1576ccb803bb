"""HTTP bodies derived from the services' RPC request models (one schema per payload): the
same fields, minus those the gateway fills in itself (`actor` from the token, ids from the
path)."""

from __future__ import annotations

import copy
import re
import types
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, StrictBool
from pydantic import create_model as _create_model
from pydantic.fields import FieldInfo

from services.contracts.inbound import Inbound

create_model: Any = _create_model


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso(pattern: re.Pattern[str], what: str) -> BeforeValidator:
    """ISO 8601 strings only, as the schema says: pydantic would also take Unix timestamps
    (numbers or numeric strings) and, for a date, a midnight date-time."""

    def check(value: Any) -> Any:
        if isinstance(value, int | float) or (isinstance(value, str)
                                              and not pattern.fullmatch(value.strip()[:16])):
            raise ValueError(f"expected an ISO 8601 {what}")
        return value

    return BeforeValidator(check)


IsoDate = Annotated[date, _iso(_ISO_DATE, "date (2021-03-10)")]
IsoDateTime = Annotated[datetime, _iso(_ISO_DATETIME, "date-time (2021-03-10T08:30:00+07:00)")]


def _json_number(value: Any) -> Any:
    """A JSON number only: no "60" or true (677.0 stays an integer, as JSON Schema says)."""
    if isinstance(value, str | bool):
        raise ValueError("expected a number")
    return value


_STRICT: dict[Any, Any] = {bool: StrictBool, int: Annotated[int, BeforeValidator(_json_number)],
                           float: Annotated[float, BeforeValidator(_json_number)],
                           date: IsoDate, datetime: IsoDateTime}


def _strict(annotation: Any) -> Any:
    """The annotation with JSON's types kept apart (no "1" for 1, 0 for false, numbers for
    dates), as the OpenAPI schema says; nested models alike."""
    if annotation in _STRICT:
        return _STRICT[annotation]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _strict_model(annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is None or origin is Literal or not args:
        return annotation
    if origin is Annotated:
        # A FieldInfo inside Annotated is unpacked into its constraints (Ge, Le, ...), which
        # pydantic renders as JSON Schema keywords wherever the type is nested.
        metadata = [c for m in annotation.__metadata__
                    for c in (m.metadata if isinstance(m, FieldInfo) and m.metadata else [m])]
        inner = _strict(args[0])
        if get_origin(inner) is Annotated:
            # Constraints first, then the strict validator, so the constraints stay in the
            # core schema and reach the JSON Schema as minimum/maximum.
            base, *checks = get_args(inner)
            return Annotated[(base, *metadata, *checks)]
        return Annotated[(inner, *metadata)]
    if origin in (Union, types.UnionType):
        return Union[tuple(_strict(a) for a in args)]  # noqa: UP007
    if origin in (list, dict, tuple, set, frozenset):
        return origin[tuple(_strict(a) for a in args)]
    return annotation


@cache
def _strict_model(model: type[BaseModel]) -> Any:
    return body_of(model, f"{model.__name__}Input", (), strict=True)


def _constrained(annotation: Any, constraints: list[Any]) -> Any:
    """Field-level bounds (ge, le, ...) moved onto each non-null member of an optional type;
    on the union itself they would not reach the JSON Schema."""
    if get_origin(annotation) in (Union, types.UnionType):
        return Union[tuple(a if a is type(None) else _constrained(a, constraints)  # noqa: UP007
                           for a in get_args(annotation))]
    return Annotated[(annotation, *constraints)]


def _strict_field(field: FieldInfo) -> tuple[Any, FieldInfo]:
    if field.metadata and get_origin(field.annotation) in (Union, types.UnionType):
        moved = copy.copy(field)
        moved.metadata = []
        return _strict(_constrained(field.annotation, field.metadata)), moved
    return _strict(field.annotation), field


def body_of(model: type[BaseModel], name: str, drop: tuple[str, ...] = ("actor",),
            strict: bool = False) -> Any:
    """`strict`: reject values of another JSON type instead of converting them."""
    fields: dict[str, Any] = {n: (_strict_field(f) if strict else (f.annotation, f))
                              for n, f in model.model_fields.items() if n not in drop}
    return create_model(name, __base__=Inbound, __doc__=model.__doc__, **fields)


def rpc_kwargs(body: BaseModel | None, **extra: Any) -> dict[str, Any]:
    data = body.model_dump(mode="json", exclude_unset=True) if body is not None else {}
    return {**data, **extra}
