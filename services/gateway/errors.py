"""Errors as RFC 9457 problem details, with a stable `code` taken from the services' typed
errors. The one mapping from error code to HTTP status lives here."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.contracts.errors import DomainError, ErrorCode

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"

STATUS_BY_CODE: dict[str, int] = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.INVALID_TRANSITION: 409,
    ErrorCode.VALIDATION_FAILED: 422,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.TIMEOUT: 503,
    ErrorCode.INTERNAL: 500,
    # A notice template that does not compile (notifications: `details.errors` part/line).
    "invalid_template": 422,
}
RETRY_AFTER_SECONDS = "5"
# Details of a DomainError that are safe to show to the caller.
PUBLIC_DETAILS = ("errors", "reason", "missing_scope", "service")


def problem(status: int, code: str, title: str, detail: str = "", instance: str = "",
            retry_after: int | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": f"https://campaign.example/problems/{code}",
                            "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    # Also set by the SecurityHeaders middleware; repeated here for the 500 answers, which
    # Starlette sends from outside every middleware.
    headers: dict[str, str] = {"X-Content-Type-Options": "nosniff"}
    if status in (429, 503):
        headers["Retry-After"] = str(retry_after) if retry_after else RETRY_AFTER_SECONDS
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="campaign"'
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        status = STATUS_BY_CODE.get(exc.code, 400 if exc.code else 500)
        extra = {k: exc.details[k] for k in PUBLIC_DETAILS if k in exc.details}
        retry = exc.details.get("retry_after")
        return problem(status, exc.code, exc.code.replace("_", " "), exc.message,
                       request.url.path, retry_after=retry if isinstance(retry, int) else None,
                       **extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
                  for e in exc.errors()[:50]]
        return problem(422, ErrorCode.VALIDATION_FAILED, "validation failed",
                       "the request does not match the schema", request.url.path,
                       errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # A body that is not even text: the same answer as any invalid JSON.
            return problem(422, ErrorCode.VALIDATION_FAILED, "validation failed",
                           "the request body could not be parsed", request.url.path,
                           errors=[{"loc": ["body"], "msg": str(exc.detail),
                                    "type": "json_invalid"}])
        code = {404: ErrorCode.NOT_FOUND, 405: "method_not_allowed",
                413: ErrorCode.PAYLOAD_TOO_LARGE}.get(exc.status_code, f"http_{exc.status_code}")
        response = problem(exc.status_code, str(code), str(exc.detail), "", request.url.path)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    @app.exception_handler(UnicodeEncodeError)
    async def unencodable(request: Request, exc: UnicodeEncodeError) -> JSONResponse:
        # JSON may carry lone surrogates (\ud800); no database or service can store them.
        return problem(422, ErrorCode.VALIDATION_FAILED, "validation failed",
                       "text contains characters that are not valid Unicode (lone surrogates)",
                       request.url.path, errors=[{"loc": ["body"], "msg": "invalid unicode",
                                                  "type": "string_unicode"}])

    @app.exception_handler(ConnectionFailure)
    async def database_unavailable(request: Request, exc: ConnectionFailure) -> JSONResponse:
        # The gateway's own database (users, API keys, subscriptions, event log) is down or
        # does not answer within STORE_TIMEOUT_MS: the caller retries, as for a service.
        log.warning("gateway database unavailable", extra={"path": request.url.path,
                                                           "error": type(exc).__name__})
        return problem(503, ErrorCode.SERVICE_UNAVAILABLE, "service unavailable",
                       "the gateway's database does not answer; retry later",
                       request.url.path, service="gateway")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(500, ErrorCode.INTERNAL, "internal error", "", request.url.path)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route offers at this path (Starlette names only the first route's)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)
