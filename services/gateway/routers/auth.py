"""Log in with a password and receive a short-lived access token."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from services.contracts.gateway import CurrentUser, Role, TokenForm, TokenRequest, TokenResponse
from services.gateway import security
from services.gateway.access import Principal, permissions_of
from services.gateway.deps import StoreDep, rate_limited, unauthenticated
from services.gateway.openapi.document import request_body
from services.gateway.repositories import public
from services.gateway.routers.common import no_store
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/auth", tags=["auth"])
FORM = "application/x-www-form-urlencoded"
# JSON for programs, the OAuth2 password form for /docs' Authorize button and OAuth2 clients.
TOKEN_BODY = request_body({"application/json": TokenRequest, FORM: TokenForm})


async def credentials(request: Request) -> TokenRequest | TokenForm:
    """The body as JSON or as an OAuth2 password form, by its Content-Type; invalid input is
    a 422 naming the field, like any other body."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    model: type[BaseModel] = TokenForm if content_type == FORM else TokenRequest
    try:
        if model is TokenForm:
            try:
                fields = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                raise RequestValidationError([{"loc": ("body",), "msg": "not UTF-8",
                                               "type": "form_invalid"}]) from None
            return TokenForm.model_validate(fields)
        return TokenRequest.model_validate_json(raw or b"null")
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]) from None


def client_address(request: Request) -> str:
    """The socket peer, or the address a trusted proxy forwarded: uvicorn rewrites the peer
    from X-Forwarded-For only when the peer is in FORWARDED_ALLOW_IPS (default: loopback)."""
    return request.client.host if request.client else "unknown"


async def refuse_spent_client(request: Request) -> str:
    """429 while the caller's address has spent its failed-login budget; else the address."""
    client = client_address(request)
    per_minute = request.app.state.settings.login_failures_per_client_per_minute
    wait = await request.app.state.rate_limiter.blocked(f"login-failures:{client}", per_minute)
    if wait > 0:
        raise rate_limited("too many failed logins from this address; wait before trying "
                           "again", wait)
    return client


async def count_failure(request: Request, client: str) -> None:
    per_minute = request.app.state.settings.login_failures_per_client_per_minute
    await request.app.state.rate_limiter.hit(f"login-failures:{client}", per_minute)


def issue_token(request: Request, response: Response, user: dict[str, Any]) -> TokenResponse:
    config = request.app.state.token_config
    jwt = security.issue_token(config, user["_id"], {
        "role": user["role"], "unit": user.get("unit_id"),
        security.CREDENTIAL_VERSION: user.get(security.CREDENTIAL_VERSION, 0)})
    no_store(response)
    return TokenResponse(access_token=jwt, expires_in=config.ttl_seconds,
                         user=current_user_view(user))


def current_user_view(user: dict[str, Any]) -> CurrentUser:
    """A user's record with the permissions of its role (`GET /users/me`, and the token)."""
    principal = Principal(id=user["_id"], role=Role(user["role"]))
    return CurrentUser.model_validate(
        {**public(user), "kind": "user", "permissions": sorted(permissions_of(principal))})


@router.post("/token", response_model=TokenResponse, summary="Exchange a password for a JWT",
             openapi_extra=TOKEN_BODY,
             responses={401: {"description": "wrong username or password"},
                        429: {"description": "too many attempts; see Retry-After"}})
async def create_token(request: Request, response: Response, store: StoreDep) -> TokenResponse:
    """Sign in with a username and password. The body is JSON
    (`{"username", "password"}`) or, as OAuth2 clients and the Authorize button of /docs
    send it, an `application/x-www-form-urlencoded` password grant. Send the token as
    `Authorization: Bearer <access_token>` until it expires (`expires_in` seconds); then sign
    in again. Attempts are limited per username (`LOGIN_ATTEMPTS_PER_MINUTE`), and failed
    ones per caller address (`LOGIN_FAILURES_PER_CLIENT_PER_MINUTE`), for all replicas
    together. The answer is never cached (`Cache-Control: no-store`)."""
    body = await credentials(request)
    settings = request.app.state.settings
    client = await refuse_spent_client(request)
    wait = await request.app.state.rate_limiter.hit(f"login:{body.username}",
                                                    settings.login_attempts_per_minute)
    if wait > 0:
        raise rate_limited("too many login attempts", wait)
    user = await store.users.by_name(body.username)
    # argon2 is CPU-bound: verify in a worker thread, never on the event loop.
    ok = await run_in_threadpool(security.verify_password,
                                 user.get("password_hash") if user else None, body.password)
    if not ok or user is None or not user.get("active", True):
        await count_failure(request, client)
        raise unauthenticated("bad_credentials")
    return issue_token(request, response, user)
