"""Errors as RFC 9457 problem details, with a stable `code` taken from the services' typed
errors. The one mapping from error code to HTTP status lives here."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.contracts.errors import ErrorCode, ServiceError

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
}
RETRY_AFTER_SECONDS = "5"


def problem(status: int, code: str, title: str, detail: str = "", instance: str = "",
            **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": f"https://campaign.example/problems/{code}",
                            "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if status in (429, 503) else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> JSONResponse:
        status = STATUS_BY_CODE.get(exc.code, 400 if exc.code else 500)
        return problem(status, exc.code, exc.code.replace("_", " "), exc.message,
                       request.url.path, **({"errors": exc.details.get("errors")}
                                            if "errors" in exc.details else {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
                  for e in exc.errors()[:50]]
        return problem(422, ErrorCode.VALIDATION_FAILED, "validation failed",
                       "the request does not match the schema", request.url.path,
                       errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: ErrorCode.NOT_FOUND, 405: "method_not_allowed",
                413: ErrorCode.PAYLOAD_TOO_LARGE}.get(exc.status_code, f"http_{exc.status_code}")
        return problem(exc.status_code, str(code), str(exc.detail), "", request.url.path)
