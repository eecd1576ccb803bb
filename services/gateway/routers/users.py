"""Users of the frontends (admins manage them; everyone reads themselves)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.gateway import (
    UNIT_SCOPED_ROLES,
    CurrentPrincipalView,
    PasswordChange,
    Role,
    TokenResponse,
    User,
    UserCreate,
    UserPage,
    UserUpdate,
)
from services.gateway import passwords, security
from services.gateway.access import permissions_of
from services.gateway.deps import CurrentPrincipal, StoreDep, found, not_found
from services.gateway.permissions import CanReadUsers, CanWriteUsers
from services.gateway.repositories import Taken, public
from services.gateway.routers.auth import (
    count_failure,
    current_user_view,
    issue_token,
    refuse_spent_client,
)
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND, Cursor, Limit, PathId
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/users", tags=["users"])
UserCreateBody = body_of(UserCreate, "UserCreate", (), strict=True)
UserUpdateBody = body_of(UserUpdate, "UserUpdate", (), strict=True)
PasswordChangeBody = body_of(PasswordChange, "PasswordChange", (), strict=True)
WEAK_PASSWORD: dict[int | str, dict[str, Any]] = {422: {
    "description": "the request does not match the schema, or the password is too easy to "
                   "guess (`weak_password`)"}}


def invalid(field: str, message: str, kind: str, detail: str | None = None) -> ServiceError:
    return ServiceError(ErrorCode.VALIDATION_FAILED, detail or message,
                        {"errors": [{"loc": ["body", field], "msg": message, "type": kind}]})


def refuse_weak(password: str, username: str, field: str = "password") -> None:
    try:
        passwords.check(password, username)
    except passwords.WeakPassword as weak:
        raise invalid(field, weak.reason, "weak_password", weak.advice) from None


def check_unit(role: Role, unit_id: str | None) -> None:
    if role in UNIT_SCOPED_ROLES and not unit_id:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, f"role {role} needs a unit_id",
                           {"errors": [{"loc": ["body", "unit_id"], "msg": "required",
                                        "type": "missing"}]})


@router.post("", status_code=status.HTTP_201_CREATED, response_model=User,
             summary="Create a user",
             responses={409: {"description": "username taken"}, **WEAK_PASSWORD})
async def create_user(body: UserCreateBody, store: StoreDep,  # type: ignore[valid-type]
                      _: CanWriteUsers) -> Any:
    """Creates a user with a role (and a unit for outlet editors and local officers). The
    password is stored as an argon2id hash; a common or guessable one answers 422
    (`weak_password`, saying why). Admins only (`users:write`); a taken username answers
    409."""
    req = UserCreate.model_validate(rpc_kwargs(body))
    check_unit(req.role, req.unit_id)
    refuse_weak(req.password, req.username)
    password_hash = await run_in_threadpool(security.hash_password, req.password)
    try:
        doc = await store.users.add({**req.model_dump(exclude={"password"}, mode="json"),
                                       "password_hash": password_hash})
    except Taken:
        raise ServiceError(ErrorCode.CONFLICT, f"user {req.username} exists") from None
    return public(doc)


@router.get("", response_model=UserPage, summary="List users")
async def list_users(store: StoreDep, _: CanReadUsers, cursor: Cursor = None, limit: Limit = 50,
                     role: Annotated[Role | None, Query()] = None,
                     unit_id: Annotated[str | None, Query(max_length=100)] = None) -> Any:
    """Pages through users by id, optionally filtered by role or unit. Admins only
    (`users:read`)."""
    rows, next_cursor = await store.users.listed(role.value if role is not None else None,
                                                 unit_id, cursor, limit)
    return {"items": [public(r) for r in rows], "next_cursor": next_cursor}


@router.get("/me", response_model=CurrentPrincipalView,
            summary="The caller and what it may do", responses=NOT_FOUND)
async def get_current_user(principal: CurrentPrincipal, store: StoreDep) -> Any:
    """The caller and the permissions it holds, so a frontend shows only the controls the
    caller may use. A user reads its record (`kind: user`: role, unit, display name); an API
    key reads its own description (`kind: api_key`: key id, name, scopes, unit, expiry,
    owner id), never its owner's record."""
    if principal.kind == "api_key":
        key = found(await store.api_keys.get(principal.id), "API key", principal.id)
        description = {**public(key), "kind": "api_key",
                       "permissions": sorted(permissions_of(principal))}
        description.pop("key_hash", None)
        return description
    doc = found(await store.users.get(principal.id), "user", principal.id)
    return current_user_view(doc)


@router.post("/me/password", response_model=TokenResponse,
             summary="Change one's own password",
             responses={**WEAK_PASSWORD, 403: {"description": "an API key has no password"}})
async def change_own_password(body: PasswordChangeBody,  # type: ignore[valid-type]
                              request: Request, response: Response,
                              principal: CurrentPrincipal, store: StoreDep) -> TokenResponse:
    """Any signed-in user, with the current password (a stolen token alone cannot change
    it). A wrong current password is 422 naming `current_password`, not 401: the session
    itself is valid; it also counts as a failed login of the caller's address. A common or
    guessable new password is 422 (`weak_password`, saying why). Every token issued before
    is revoked (on this replica at once, on the others within `AUTH_CACHE_SECONDS`); the
    answer is a new token, so this session goes on."""
    req = PasswordChange.model_validate(rpc_kwargs(body))
    if principal.kind != "user":
        raise ServiceError(ErrorCode.FORBIDDEN, "an API key has no password",
                           {"missing_scope": "users:write"})
    client = await refuse_spent_client(request)
    doc = found(await store.users.get(principal.id), "user", principal.id)
    if not await run_in_threadpool(security.verify_password, doc.get("password_hash"),
                                   req.current_password):
        await count_failure(request, client)
        raise invalid("current_password", "wrong password", "wrong_password",
                      "the current password is wrong")
    if req.new_password == req.current_password:
        raise invalid("new_password", "it is the current password", "same_password",
                      "choose a password different from the current one")
    refuse_weak(req.new_password, doc["username"], "new_password")
    password_hash = await run_in_threadpool(security.hash_password, req.new_password)
    updated = await store.users.update(principal.id, {"password_hash": password_hash},
                                      revoke_tokens=True)
    if updated is None:
        raise not_found("user", principal.id)
    return issue_token(request, response, updated)


@router.get("/{user_id}", response_model=User, summary="Read a user", responses=NOT_FOUND)
async def get_user(user_id: PathId, store: StoreDep, _: CanReadUsers) -> Any:
    """One user by id. Admins only (`users:read`)."""
    doc = found(await store.users.get(user_id), "user", user_id)
    return public(doc)


@router.patch("/{user_id}", response_model=User, summary="Change role, unit, password or "
              "deactivate",
              responses={**NOT_FOUND, **WEAK_PASSWORD,
                         409: {"description": "self-demotion, or one's own password (use "
                                              "POST /users/me/password)"}})
async def update_user(user_id: PathId, body: UserUpdateBody,  # type: ignore[valid-type]
                      store: StoreDep, principal: CanWriteUsers) -> Any:
    """Changes the role, unit, display name or password, or deactivates a user. A new password
    (a reset) or a deactivation revokes the user's tokens (at once on this replica, within
    `AUTH_CACHE_SECONDS` on the others; reactivating does not bring them back); a common or
    guessable password is 422 (`weak_password`). Admins cannot deactivate or demote
    themselves, nor set their own password here: that needs the current one
    (`POST /users/me/password`) (409)."""
    req = UserUpdate.model_validate(rpc_kwargs(body))
    current = found(await store.users.get(user_id), "user", user_id)
    changes = req.model_dump(exclude_unset=True, exclude={"password"}, mode="json")
    for key in ("role", "active"):  # null means "no change" for these
        if changes.get(key, "") is None:
            del changes[key]
    if user_id == principal.account_id and (changes.get("active") is False or changes.get(
            "role", current["role"]) != current["role"]):
        # No admin locks themselves out; another admin must do it.
        raise ServiceError(ErrorCode.CONFLICT, "you cannot deactivate or demote yourself")
    if user_id == principal.account_id and req.password:
        # A stolen token must not be enough to take the account: one's own password changes
        # only with the current one.
        raise ServiceError(ErrorCode.CONFLICT, "change your own password with POST "
                           "/api/v1/users/me/password (it asks for the current one)")
    check_unit(Role(str(changes.get("role", current["role"]))),
               changes.get("unit_id", current.get("unit_id")))
    if req.password:
        refuse_weak(req.password, current["username"])
        changes["password_hash"] = await run_in_threadpool(security.hash_password,
                                                           req.password)
    revoke = bool(req.password) or changes.get("active") is False
    doc = found(await store.users.update(user_id, changes, revoke) if changes else current,
                "user", user_id)
    return public(doc)
