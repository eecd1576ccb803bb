"""HTTP bodies derived from the services' RPC request models (one schema per payload): the
same fields, minus those the gateway fills in itself (`actor` from the token, ids from the
path)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, create_model


def body_of(model: type[BaseModel], name: str, drop: tuple[str, ...] = ("actor",)) -> Any:
    fields: dict[str, Any] = {n: (f.annotation, f) for n, f in model.model_fields.items()
                              if n not in drop}
    return create_model(name, __config__=ConfigDict(extra="forbid", str_strip_whitespace=True),
                        __doc__=model.__doc__, **fields)


def rpc_kwargs(body: BaseModel | None, **extra: Any) -> dict[str, Any]:
    data = body.model_dump(mode="json", exclude_unset=True) if body is not None else {}
    return {**data, **extra}
