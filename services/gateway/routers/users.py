"""Users of the frontends (admins manage them; everyone reads themselves)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pymongo.errors import DuplicateKeyError
from starlette.concurrency import run_in_threadpool

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.gateway import (
    UNIT_SCOPED_ROLES,
    CurrentUser,
    PasswordChange,
    Role,
    User,
    UserCreate,
    UserPage,
    UserUpdate,
)
from services.gateway import security
from services.gateway.access import Principal, permissions_of
from services.gateway.deps import CurrentPrincipal, StoreDep, not_found, require
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND, Cursor, Limit, PathId
from services.gateway.store import USERS, public

router = APIRouter(prefix="/api/v1/users", tags=["users"])
Reader = Annotated[Principal, Depends(require("users:read"))]
Writer = Annotated[Principal, Depends(require("users:write"))]
UserCreateBody = body_of(UserCreate, "UserCreate", (), strict=True)
UserUpdateBody = body_of(UserUpdate, "UserUpdate", (), strict=True)


def check_unit(role: Role, unit_id: str | None) -> None:
    if role in UNIT_SCOPED_ROLES and not unit_id:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, f"role {role} needs a unit_id",
                           {"errors": [{"loc": ["body", "unit_id"], "msg": "required",
                                        "type": "missing"}]})


@router.post("", status_code=status.HTTP_201_CREATED, response_model=User,
             summary="Create a user", responses={409: {"description": "username taken"}})
async def create_user(body: UserCreateBody, store: StoreDep,  # type: ignore[valid-type]
                      _: Writer) -> Any:
    """Creates a user with a role (and a unit for outlet editors and local officers). The
    password is stored as an argon2id hash. Admins only (`users:write`); a taken username
    answers 409."""
    req = UserCreate.model_validate(rpc_kwargs(body))
    check_unit(req.role, req.unit_id)
    password_hash = await run_in_threadpool(security.hash_password, req.password)
    try:
        doc = await store.insert_user({**req.model_dump(exclude={"password"}, mode="json"),
                                       "password_hash": password_hash})
    except DuplicateKeyError:
        raise ServiceError(ErrorCode.CONFLICT, f"user {req.username} exists") from None
    return public(doc)


@router.get("", response_model=UserPage, summary="List users")
async def list_users(store: StoreDep, _: Reader, cursor: Cursor = None, limit: Limit = 50,
                     role: Annotated[Role | None, Query()] = None,
                     unit_id: Annotated[str | None, Query(max_length=100)] = None) -> Any:
    """Pages through users by id, optionally filtered by role or unit. Admins only
    (`users:read`)."""
    query: dict[str, Any] = {}
    if role is not None:
        query["role"] = role.value
    if unit_id is not None:
        query["unit_id"] = unit_id
    rows, next_cursor = await store.page(USERS, query, cursor, limit)
    return {"items": [public(r) for r in rows], "next_cursor": next_cursor}


@router.get("/me", response_model=CurrentUser, summary="The calling user and what it may do",
            responses=NOT_FOUND)
async def get_current_user(principal: CurrentPrincipal, store: StoreDep) -> Any:
    """The calling user: role, unit, display name and the permissions its role grants, so a
    frontend shows only the controls the caller may use. Any signed-in user; an API key
    answers its owner."""
    doc = await store.user(principal.account_id)
    if doc is None:
        raise not_found("user", principal.account_id)
    return {**public(doc), "permissions": sorted(permissions_of(principal))}


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT,
             summary="Change one's own password",
             responses={422: {"description": "wrong current password, or a new one too "
                                               "short"}})
async def change_own_password(body: PasswordChange, principal: CurrentPrincipal,
                              store: StoreDep) -> None:
    """Any signed-in user, with the current password (a stolen token alone cannot change
    it). A wrong current password is 422 naming `current_password`, not 401: the session
    itself is valid."""
    if principal.kind != "user":
        raise ServiceError(ErrorCode.FORBIDDEN, "an API key has no password",
                           {"missing_scope": "users:write"})
    doc = await store.user(principal.id)
    if doc is None:
        raise not_found("user", principal.id)
    ok = await run_in_threadpool(security.verify_password, doc.get("password_hash"),
                                 body.current_password)
    if not ok:
        # 422, not 401: the session itself is valid, only this field is wrong.
        raise ServiceError(ErrorCode.VALIDATION_FAILED, "the current password is wrong",
                           {"errors": [{"loc": ["body", "current_password"],
                                        "msg": "wrong password", "type": "wrong_password"}]})
    password_hash = await run_in_threadpool(security.hash_password, body.new_password)
    await store.update_user(principal.id, {"password_hash": password_hash})


@router.get("/{user_id}", response_model=User, summary="Read a user", responses=NOT_FOUND)
async def get_user(user_id: PathId, store: StoreDep, _: Reader) -> Any:
    """One user by id. Admins only (`users:read`)."""
    doc = await store.user(user_id)
    if doc is None:
        raise not_found("user", user_id)
    return public(doc)


@router.patch("/{user_id}", response_model=User, summary="Change role, unit, password or "
              "deactivate", responses={**NOT_FOUND, 409: {"description": "self-demotion"}})
async def update_user(user_id: PathId, body: UserUpdateBody,  # type: ignore[valid-type]
                      store: StoreDep, principal: Writer) -> Any:
    """Changes the role, unit, display name or password, or deactivates a user (their tokens
    stop working within `AUTH_CACHE_SECONDS`). Admins cannot deactivate or demote themselves
    (409)."""
    req = UserUpdate.model_validate(rpc_kwargs(body))
    current = await store.user(user_id)
    if current is None:
        raise not_found("user", user_id)
    changes = req.model_dump(exclude_unset=True, exclude={"password"}, mode="json")
    for key in ("role", "active"):  # null means "no change" for these
        if changes.get(key, "") is None:
            del changes[key]
    if user_id == principal.account_id and (changes.get("active") is False or changes.get(
            "role", current["role"]) != current["role"]):
        # No admin locks themselves out; another admin must do it.
        raise ServiceError(ErrorCode.CONFLICT, "you cannot deactivate or demote yourself")
    check_unit(Role(str(changes.get("role", current["role"]))),
               changes.get("unit_id", current.get("unit_id")))
    if req.password:
        changes["password_hash"] = await run_in_threadpool(security.hash_password,
                                                           req.password)
    doc = await store.update_user(user_id, changes) if changes else current
    if doc is None:
        raise not_found("user", user_id)
    return public(doc)
