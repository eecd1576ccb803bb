"""Log in with a password and receive a short-lived access token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.gateway import TokenRequest, TokenResponse
from services.gateway import security
from services.gateway.deps import StoreDep, unauthenticated
from services.gateway.metrics import RATE_LIMITED

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", response_model=TokenResponse, summary="Exchange a password for a JWT",
             responses={401: {"description": "wrong username or password"},
                        429: {"description": "too many attempts; see Retry-After"}})
async def token(body: TokenRequest, request: Request, store: StoreDep) -> TokenResponse:
    settings = request.app.state.settings
    wait = request.app.state.buckets.take(f"login:{body.username}",
                                          settings.login_attempts_per_minute)
    if wait > 0:
        RATE_LIMITED.inc()
        raise ServiceError(ErrorCode.RATE_LIMITED, "too many login attempts",
                           {"retry_after": max(1, int(wait + 0.999))})
    user = await store.user_by_name(body.username)
    # argon2 is CPU-bound: verify in a worker thread, never on the event loop.
    ok = await run_in_threadpool(security.verify_password,
                                 user.get("password_hash") if user else None, body.password)
    if not ok or user is None or not user.get("active", True):
        raise unauthenticated("bad_credentials")
    config = request.app.state.token_config
    jwt = security.issue_token(config, user["_id"],
                               {"role": user["role"], "unit": user.get("unit_id")})
    return TokenResponse(access_token=jwt, expires_in=config.ttl_seconds)
