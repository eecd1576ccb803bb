"""API keys of other systems: shown once, stored hashed, scoped, revocable."""

from __future__ import annotations

from typing import Any

from fastapi import Response, status

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.gateway import ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyPage
from services.gateway import security
from services.gateway.access import invalid_scopes
from services.gateway.deps import StoreDep, found
from services.gateway.permissions import CanReadApiKeys, CanWriteApiKeys
from services.gateway.repositories import public
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND, Cursor, Limit, PathId, no_store
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/api-keys", tags=["api keys"])
ApiKeyCreateBody = body_of(ApiKeyCreate, "ApiKeyCreate", (), strict=True)


def view(doc: dict[str, Any]) -> dict[str, Any]:
    out = public(doc)
    out["prefix"] = f"{security.API_KEY_PREFIX}{out['id']}"
    out.pop("key_hash", None)
    return out


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated,
             summary="Create an API key (the key is shown once)")
async def create_api_key(body: ApiKeyCreateBody, store: StoreDep,  # type: ignore[valid-type]
                         principal: CanWriteApiKeys, response: Response) -> Any:
    """Creates a key for another system with the scopes it may use (at most the `system`
    role's), an optional unit, rate limit and expiry. The key is in the answer only (never
    cached: `Cache-Control: no-store`); it is stored hashed."""
    req = ApiKeyCreate.model_validate(rpc_kwargs(body))
    bad = invalid_scopes(req.scopes)
    if bad:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, f"unknown or ungrantable scopes: {bad}",
                           {"errors": [{"loc": ["body", "scopes"], "msg": f"not grantable: {bad}",
                                        "type": "value_error"}]})
    key_id, key = security.new_api_key()
    doc = await store.api_keys.add({
        "_id": key_id, "key_hash": security.hash_api_key(key), "name": req.name,
        "scopes": sorted(set(req.scopes)), "unit_id": req.unit_id,
        "rate_limit_per_minute": req.rate_limit_per_minute, "expires_at": req.expires_at,
        "owner_id": principal.account_id})
    no_store(response)
    return {**view(doc), "key": key}


@router.get("", response_model=ApiKeyPage, summary="List API keys")
async def list_api_keys(store: StoreDep, _: CanReadApiKeys, cursor: Cursor = None,
                        limit: Limit = 50) -> Any:
    """Pages through API keys (never the keys themselves: their prefix, scopes, owner and
    state)."""
    rows, next_cursor = await store.api_keys.page({}, cursor, limit)
    return {"items": [view(r) for r in rows], "next_cursor": next_cursor}


@router.get("/{key_id}", response_model=ApiKey, summary="Read an API key", responses=NOT_FOUND)
async def get_api_key(key_id: PathId, store: StoreDep, _: CanReadApiKeys) -> Any:
    """One API key by id (its prefix, scopes, owner, expiry and revocation)."""
    doc = found(await store.api_keys.get(key_id), "API key", key_id)
    return view(doc)


@router.delete("/{key_id}", response_model=ApiKey, summary="Revoke an API key",
               responses=NOT_FOUND)
async def revoke_api_key(key_id: PathId, store: StoreDep, _: CanWriteApiKeys) -> Any:
    """Revokes a key: requests with it answer 401 (`revoked_api_key`) from then on. Revoking
    twice is harmless."""
    doc = found(await store.api_keys.revoke(key_id) or await store.api_keys.get(key_id),
                "API key", key_id)
    return view(doc)
