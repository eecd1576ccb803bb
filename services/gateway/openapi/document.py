"""The OpenAPI document as generated clients and linters want it, assembled from the routes:
camelCase operation ids from the endpoints' names, descriptions from their docstrings, the
errors each operation can answer, examples, security (with the OAuth2 password flow so that a
person signs in from /docs), servers, licence, contact and tag descriptions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel
from starlette.routing import BaseRoute

from services.gateway.openapi.examples import REF_PREFIX, apply_examples
from services.gateway.openapi.responses import HEADERS, PROBLEM_SCHEMA, document_errors

TOKEN_URL = "/api/v1/auth/token"
OAUTH2_SCHEME = "OAuth2Password"
OAUTH2: dict[str, Any] = {
    "type": "oauth2",
    "description": "Sign in with a username and password (the Authorize button of /docs); "
                   "the token is sent as `Authorization: Bearer`.",
    "flows": {"password": {"tokenUrl": TOKEN_URL, "scopes": {}}},
}
LICENSE = {"name": "Apache 2.0", "identifier": "Apache-2.0"}
CONTACT = {"name": "Campaign platform team",
           "email": "campaign-platform@svhttdl.gialai.example.org"}
# The description of every tag, in the order of the documentation. A router with a new tag
# adds it here (tests/unit/test_gateway_openapi.py says so when one is missing).
TAGS: dict[str, str] = {
    "operations": "Liveness, readiness, metrics and the AsyncAPI document (public).",
    "auth": "Sign in with a password to receive a short-lived JWT.",
    "users": "People who use the frontends, with a role and, for some roles, a unit.",
    "api keys": "Keys of other systems: shown once, stored hashed, scoped, revocable.",
    "subscriptions": "Signed webhook deliveries of platform events to other systems.",
    "events": "The event log: list, read, replay to a webhook, follow live (SSE).",
    "units": "Organisation units (Department, press outlets, district offices) with "
             "validity dates, and groups of units.",
    "plans": "Campaign plans such as 25/KH-STTTT: draft, issue, amend, close; progress "
             "and exports.",
    "tasks": "Tasks of a plan, assigned to a lead unit and coordinating units.",
    "reports": "Progress reports of units on their tasks, their review and corrections.",
    "audit": "The audit journal of a plan and its tasks: who changed what, when.",
    "notices": "Directives, reminders and alerts sent to units, and acknowledgements.",
    "translations": "Translations of notices into Jrai, Bahnar and other languages.",
    "recipients": "Units as notifications reaches them: contacts, languages, groups, and "
                  "each unit's own delivery preferences (channels, quiet hours, digest).",
    "notification settings": "Channel providers, escalation of unacknowledged notices, "
                             "message templates.",
    "sources": "Watched feeds, pages and social connectors.",
    "items": "Collected news items and posts, classified by topic and harm.",
    "alerts": "Alerts raised by rules, spikes and silent sources.",
    "coverage": "Coverage statistics per outlet, topic and period.",
    "alert rules": "Rules that raise alerts.",
    "topics": "Topics of the taxonomy the classifier matches.",
    "dead letters": "Events a service could not apply, to read and replay (administrators).",
}


# Models that routes document through `request_body` rather than a parameter.
_BODY_MODELS: dict[str, type[BaseModel]] = {}


def request_body(content: dict[str, type[BaseModel]]) -> dict[str, Any]:
    """`openapi_extra` of a route that reads its body itself, in several media types (JSON
    and a form, say): each schema becomes a component like any parameter's model."""
    for model in content.values():
        _BODY_MODELS[model.__name__] = model
    return {"requestBody": {"required": True, "content": {
        media: {"schema": {"$ref": f"{REF_PREFIX}{model.__name__}"}}
        for media, model in content.items()}}}


def _add_body_models(schemas: dict[str, Any]) -> None:
    for name, model in _BODY_MODELS.items():
        schema = model.model_json_schema(ref_template=REF_PREFIX + "{model}")
        for def_name, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(def_name, definition)
        schemas.setdefault(name, schema)


def operation_id(route: APIRoute) -> str:
    """camelCase of the route's name (its endpoint function's, unless `name=` is given):
    `create_plan` -> `createPlan`. Used as FastAPI's generate_unique_id_function."""
    head, *rest = route.name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _routes_by_operation(routes: Sequence[BaseRoute]) -> dict[tuple[str, str], RouteContext]:
    """Each operation's route as included (its path with the router's prefix, its
    dependencies with the router's)."""
    return {(str(context.path_format), method.lower()): context
            for context in iter_route_contexts(routes)
            if isinstance(context.original_route, APIRoute)
            for method in context.methods or ()}


def _security(operation: dict[str, Any]) -> None:
    """Public operations say so (`security: []`); authenticated ones also take a token
    obtained through the OAuth2 password flow."""
    requirements = operation.get("security")
    if not requirements:
        operation["security"] = []
    elif not any(OAUTH2_SCHEME in r for r in requirements):
        operation["security"] = [{OAUTH2_SCHEME: []}, *requirements]


def _one_tag(operation: dict[str, Any]) -> None:
    """One tag per operation, as generated clients group operations by it: the route's own
    tag wins over its router's (FastAPI lists the router's first)."""
    if len(operation.get("tags", ())) > 1:
        operation["tags"] = operation["tags"][-1:]


def _tags(document: dict[str, Any]) -> list[dict[str, str]]:
    used = {tag for operations in document["paths"].values()
            for operation in operations.values() for tag in operation.get("tags", ())}
    ordered = [t for t in TAGS if t in used] + sorted(used - set(TAGS))
    return [{"name": t, "description": TAGS[t]} if t in TAGS else {"name": t}
            for t in ordered]


def build_document(app: FastAPI, routes: Sequence[BaseRoute]) -> dict[str, Any]:
    settings = app.state.settings
    document = get_openapi(title=app.title, version=app.version, description=app.description,
                           routes=routes, license_info=LICENSE,
                           servers=[{"url": settings.public_url or "/",
                                     "description": "This gateway (PUBLIC_URL)."}])
    # Set after FastAPI's models, which warn on import-less email validation.
    document["info"]["contact"] = CONTACT
    by_operation = _routes_by_operation(routes)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            route = by_operation.get((path, method))
            _security(operation)
            _one_tag(operation)
            if route is not None:
                document_errors(route, path, operation)
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    _add_body_models(components["schemas"])
    components["schemas"].pop("HTTPValidationError", None)
    components["schemas"].pop("ValidationError", None)
    components.setdefault("securitySchemes", {})[OAUTH2_SCHEME] = OAUTH2
    components["headers"] = {name: definition for name, definition in HEADERS.values()}
    document["tags"] = _tags(document)
    apply_examples(document)
    return document
