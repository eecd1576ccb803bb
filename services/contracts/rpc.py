"""A typed RPC method: what the catalogue (`services.contracts.rpc_catalogue`) declares.

An entry names the service and method, the request model the service validates its keyword
arguments into, and the response type the caller gets back. Services register their entrypoints
from it (`@rpc_method(entry)`), the gateway calls through it (`await rpc.call(entry, ...)`), and a
contract test checks that every declared method is served, every served method is declared, and
every method is either reachable through the gateway or marked internal with a reason.

`response=None` marks a method whose reply is not typed yet: the caller gets the JSON as sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic

from pydantic import BaseModel, TypeAdapter
from typing_extensions import TypeVar

# The defaults type the entries whose reply is not declared yet (`response=None`).
RequestT = TypeVar("RequestT", bound=BaseModel, default=BaseModel)
ResponseT = TypeVar("ResponseT", default=Any)

CATALOGUE: dict[tuple[str, str], RpcMethod[Any, Any]] = {}


@dataclass(frozen=True, eq=False)
class RpcMethod(Generic[RequestT, ResponseT]):
    """One RPC method: `service.name(request) -> response`."""

    service: str
    name: str
    request: type[RequestT] | None
    response: type[ResponseT] | None = None
    internal: str | None = None
    """Why the gateway does not route it (called by services, timers or operators' tools)."""
    _adapter: list[TypeAdapter[Any]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        key = (self.service, self.name)
        if key in CATALOGUE:
            raise ValueError(f"RPC method {self.service}.{self.name} is declared twice")
        CATALOGUE[key] = self

    @property
    def routing_key(self) -> str:
        return f"{self.service}.{self.name}"

    def parse_reply(self, reply: Any) -> ResponseT:
        """The reply as the declared response type (untyped methods: the JSON as sent)."""
        if self.response is None:
            return reply  # type: ignore[no-any-return]
        if not self._adapter:
            self._adapter.append(TypeAdapter(self.response))
        return self._adapter[0].validate_python(reply)  # type: ignore[no-any-return]

    def request_kwargs(self, request: BaseModel | None, fields: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments sent: a request model's fields as JSON, or the fields given,
        checked against the request model first so a caller's mistake fails before the wire."""
        if request is not None:
            if fields:
                raise TypeError("pass either a request model or fields, not both")
            return request.model_dump(mode="json", exclude_unset=True)
        if self.request is not None:
            validated = self.request.model_validate(fields)
            return validated.model_dump(mode="json", exclude_unset=True)
        return fields


@dataclass(frozen=True)
class ServiceMethods:
    """Declares one service's methods without repeating its name at every entry:
    `method = ServiceMethods("plans")`, then `GET_TASK = method("get_task", TaskRef, TaskDetail)`.
    """

    service: str

    def __call__(self, name: str, request: type[RequestT] | None,
                 response: type[ResponseT] | None = None, *,
                 internal: str | None = None) -> RpcMethod[RequestT, ResponseT]:
        return RpcMethod(self.service, name, request, response, internal)
