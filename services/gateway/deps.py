"""Request dependencies: the RPC client bound to the caller's correlation id, the database,
the authenticated principal (JWT or API key), permission checks and the rate limit."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.gateway import Role
from services.contracts.rpc import ResponseT, RpcMethod
from services.gateway import security
from services.gateway.access import Principal, is_allowed
from services.gateway.metrics import AUTH_FAILURES, RATE_LIMITED
from services.gateway.repositories import Store
from services.runtime.rpc_client import RpcClient


class Rpc:
    """RPC bound to the request's correlation id."""

    def __init__(self, client: RpcClient, correlation_id: str) -> None:
        self.client = client
        self.correlation_id = correlation_id

    async def call(self, method: RpcMethod[Any, ResponseT], request: BaseModel | None = None,
                   /, *, rpc_timeout: float | None = None, **fields: Any) -> ResponseT:
        """Call a catalogue method with a request model (or its fields, checked against the
        model before they leave) and get the declared response type back."""
        try:
            kwargs = method.request_kwargs(request, fields)
        except ValidationError as exc:
            # The caller's input (an id in the path, say) breaks the service's contract
            # where the route's own schema was looser: the caller's mistake, a 422, not a 500.
            raise ServiceError(ErrorCode.VALIDATION_FAILED,
                               "the request does not match the service's contract",
                               {"errors": [{"loc": [str(p) for p in error["loc"]],
                                            "msg": error["msg"], "type": error["type"]}
                                           for error in exc.errors()[:50]]}) from None
        reply = await self.client.call(method.service, method.name, timeout=rpc_timeout,
                                       correlation_id=self.correlation_id, **kwargs)
        return method.parse_reply(reply)


# Dependencies are `async def` on purpose: FastAPI runs a plain `def` dependency in a worker
# thread, a hand-off that costs more than the whole function.
async def get_rpc(request: Request) -> Rpc:
    cid = request.headers.get("x-correlation-id") or uuid.uuid4().hex
    return Rpc(request.app.state.rpc, cid[:100])


RpcDep = Annotated[Rpc, Depends(get_rpc)]


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]

bearer = HTTPBearer(auto_error=False, description="A JWT from /api/v1/auth/token, or an API key.")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="An API key (`cpk_...`) of a system.")


def unauthenticated(reason: str) -> ServiceError:
    AUTH_FAILURES.labels(reason).inc()
    return ServiceError(ErrorCode.UNAUTHENTICATED, "authentication required or invalid",
                        {"reason": reason})


async def authenticate(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
        key_header: Annotated[str | None, Security(api_key_header)]) -> Principal:
    app = request.app
    token = credentials.credentials if credentials is not None else None
    if key_header or (token and token.startswith(security.API_KEY_PREFIX)):
        principal = await _from_api_key(app.state.store, key_header or token or "")
    elif token:
        principal = await _from_jwt(app, token)
    else:
        raise unauthenticated("missing_credentials")
    principal = await app.state.units.scope(principal)
    limit = principal.rate_limit_per_minute or app.state.settings.rate_limit_per_minute
    wait = await app.state.rate_limiter.hit(f"{principal.kind}:{principal.id}", limit)
    if wait > 0:
        raise rate_limited("too many requests", wait)
    request.state.principal = principal
    return principal


def rate_limited(message: str, wait: float) -> ServiceError:
    RATE_LIMITED.inc()
    return ServiceError(ErrorCode.RATE_LIMITED, message,
                        {"retry_after": max(1, int(wait + 0.999))})


async def _from_jwt(app: Any, token: str) -> Principal:
    try:
        claims = app.state.tokens.decode(token)
    except security.InvalidToken as exc:
        raise unauthenticated(exc.reason) from None
    user = await app.state.store.users.for_auth(str(claims["sub"]))
    if user is None or not user.get("active", True):
        raise unauthenticated("user_inactive")
    if claims.get(security.CREDENTIAL_VERSION, 0) != user.get(security.CREDENTIAL_VERSION, 0):
        # Issued before a password change, a reset or a deactivation.
        raise unauthenticated("revoked_token")
    return Principal(id=user["_id"], role=Role(user["role"]), kind="user",
                     unit_id=user.get("unit_id"))


async def _from_api_key(store: Store, key: str) -> Principal:
    key_id = security.api_key_id(key)
    doc = await store.api_keys.for_auth(key_id) if key_id else None
    if doc is None or not security.api_key_matches(doc["key_hash"], key):
        raise unauthenticated("unknown_api_key")
    if doc.get("revoked_at") is not None:
        raise unauthenticated("revoked_api_key")
    expires = doc.get("expires_at")
    if expires is not None and expires <= datetime.now(UTC):
        raise unauthenticated("expired_api_key")
    return Principal(id=doc["_id"], role=Role.SYSTEM, kind="api_key",
                     unit_id=doc.get("unit_id"), scopes=frozenset(doc["scopes"]),
                     owner_id=doc.get("owner_id"),
                     rate_limit_per_minute=doc.get("rate_limit_per_minute"))


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require(permission: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: the caller, if it holds `permission` (else 403 naming the scope)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not is_allowed(principal, permission):
            raise ServiceError(ErrorCode.FORBIDDEN, f"requires the {permission} permission",
                               {"missing_scope": permission})
        return principal

    check.__name__ = f"require_{permission.replace(':', '_')}"
    return check


Found = TypeVar("Found")


def not_found(kind: str, object_id: str) -> ServiceError:
    return ServiceError(ErrorCode.NOT_FOUND, f"{kind} {object_id} not found")


def found(thing: Found | None, kind: str, object_id: str) -> Found:
    """What a lookup found, or the 404 of a `kind` with that id when it found nothing."""
    if thing is None:
        raise not_found(kind, object_id)
    return thing
