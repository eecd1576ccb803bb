"""The error responses of each operation, computed from the route itself so that a new route
is documented right without anyone listing its errors by hand.

What a route can answer follows from what it depends on (see `error_statuses`); a route adds
only what the machinery cannot see, with `responses=` on its decorator: a 404 for an id in
the body, a 409, or a body of its own (as /readyz does)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from fastapi.dependencies.models import Dependant
from fastapi.routing import RouteContext

from services.gateway.deps import authenticate, get_rpc, get_store, require
from services.gateway.errors import PROBLEM_JSON, RETRY_AFTER_SECONDS

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "title": "Problem",
    "description": "RFC 9457 problem details with a stable `code`.",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer", "description": "The HTTP status code."},
        "code": {"type": "string", "description": "Stable, for programs to branch on.",
                 "examples": ["not_found", "conflict"]},
        "detail": {"type": "string", "description": "What happened, for people."},
        "instance": {"type": "string", "description": "The path of the request."},
        "reason": {"type": "string", "description": "Why credentials were refused (401)."},
        "missing_scope": {"type": "string", "description": "The permission lacking (403)."},
        "service": {"type": "string", "description": "The service that is down (503)."},
        "errors": {"type": "array", "description": "Where the request is invalid (422).",
                   "items": {"type": "object", "properties": {
                       "loc": {"type": "array", "items": {"type": "string"}},
                       "msg": {"type": "string"}, "type": {"type": "string"}}}},
    },
}
# Response headers, by HTTP name: (component name, definition).
HEADERS: dict[str, tuple[str, dict[str, Any]]] = {
    "Retry-After": ("RetryAfter", {"description": "Seconds to wait before trying again.",
                   "schema": {"type": "integer", "minimum": 1},
                   "example": int(RETRY_AFTER_SECONDS)}),
    "WWW-Authenticate": ("WWWAuthenticate", {
        "description": "The scheme to authenticate with.", "schema": {"type": "string"},
        "example": 'Bearer realm="campaign"'}),
}


class ErrorDoc(NamedTuple):
    description: str
    code: str
    detail: str
    headers: tuple[str, ...] = ()
    extra: dict[str, Any] | None = None


ERRORS: dict[int, ErrorDoc] = {
    401: ErrorDoc("missing, expired or invalid credentials", "unauthenticated",
                  "authentication required or invalid", ("WWW-Authenticate",),
                  {"reason": "expired"}),
    403: ErrorDoc("the caller lacks the permission (scope)", "forbidden",
                  "requires the plans:write permission", (),
                  {"missing_scope": "plans:write"}),
    404: ErrorDoc("no such object (or not visible to the caller)", "not_found",
                  "no such object"),
    409: ErrorDoc("a conflict, or a transition the object's state does not allow",
                  "invalid_transition", "the object's state does not allow this"),
    413: ErrorDoc("the request body is larger than MAX_BODY_BYTES", "payload_too_large",
                  "request body too large"),
    422: ErrorDoc("the request does not match the schema (`errors` say where)",
                  "validation_failed", "the request does not match the schema", (),
                  {"errors": [{"loc": ["body", "title"], "msg": "Field required",
                               "type": "missing"}]}),
    429: ErrorDoc("too many requests; retry after Retry-After seconds", "rate_limited",
                  "too many requests", ("Retry-After",)),
    503: ErrorDoc("a service, the broker or the gateway's database is unavailable; retry "
                  "after Retry-After seconds", "service_unavailable",
                  "a service does not answer; retry later", ("Retry-After",)),
}
# Dependencies that reach a service or a database: their failure answers 503.
BACKEND_DEPENDENCIES: frozenset[Callable[..., Any]] = frozenset(
    {get_rpc, get_store, authenticate})
FASTAPI_VALIDATION_REF = "#/components/schemas/HTTPValidationError"


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from dependency_calls(sub)


def is_permission_check(call: Callable[..., Any]) -> bool:
    """A dependency made by `deps.require(permission)` (it answers 403)."""
    return getattr(call, "__qualname__", "").startswith(f"{require.__qualname__}.<locals>.")


def error_statuses(route: RouteContext, operation: dict[str, Any]) -> set[int]:
    """The error statuses `route` can answer: what it declares plus what follows from it:
    401 and 429 when it needs credentials, 403 when it checks a permission, 404 for an id in
    the path, 413 for a body, 422 for parameters or a body, 503 when it reaches a service or
    a database."""
    calls = set(dependency_calls(route.dependant))
    authenticated = bool(operation.get("security"))
    permission = any(is_permission_check(call) for call in calls)
    parameters = operation.get("parameters", [])
    statuses = {int(status) for status in operation.get("responses", {})
                if str(status)[0] in "45"}
    if authenticated:
        statuses |= {401, 429}
        if not permission:
            statuses.discard(403)  # no permission check: authenticated callers all pass
    if permission:
        statuses.add(403)
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.add(404)
    if "requestBody" in operation:
        statuses |= {413, 422}
    if parameters:
        statuses.add(422)
    if calls & BACKEND_DEPENDENCIES:
        statuses.add(503)
    return statuses


def problem_example(status: int, path: str) -> dict[str, Any]:
    doc = ERRORS[status]
    return {"type": f"https://campaign.example/problems/{doc.code}",
            "title": doc.code.replace("_", " "), "status": status, "code": doc.code,
            "detail": doc.detail, "instance": path, **(doc.extra or {})}


def own_body(response: dict[str, Any]) -> bool:
    """A response the route declared with a model of its own (not a problem)."""
    for media in response.get("content", {}).values():
        schema = media.get("schema") or {}
        if schema and schema.get("$ref") != FASTAPI_VALIDATION_REF:
            return True
    return False


def document_errors(route: RouteContext, path: str, operation: dict[str, Any]) -> None:
    """Replace the operation's error responses with the computed set, each a problem+json
    body with an example (a route's own error body is kept as declared)."""
    responses = operation.setdefault("responses", {})
    declared = {str(k): v for k, v in responses.items() if str(k)[0] in "45"}
    for key in declared:
        del responses[key]
    for status in sorted(error_statuses(route, operation | {"responses": declared})):
        given = declared.get(str(status), {})
        if own_body(given):
            responses[str(status)] = given
            continue
        doc = ERRORS.get(status)
        description = given.get("description", "")
        if not description or description == "Validation Error":
            description = doc.description if doc else f"HTTP {status}"
        response: dict[str, Any] = {"description": description}
        if doc is not None:
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF,
                                                  "example": problem_example(status, path)}}
            if doc.headers:
                response["headers"] = {
                    name: {"$ref": f"#/components/headers/{HEADERS[name][0]}"}
                    for name in doc.headers}
        else:
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
        responses[str(status)] = response
