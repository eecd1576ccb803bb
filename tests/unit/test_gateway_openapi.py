"""The gateway's OpenAPI document is one that generated clients, linters and /docs accept:
camelCase operation ids, a summary, description and examples everywhere, only the errors each
operation can answer, the OAuth2 password flow, servers, licence, contact and tag
descriptions. These checks run on every route, so a route added later must comply too; each
failure says what to add and where."""

from __future__ import annotations

import re
from typing import Annotated, Any

import jsonschema
import pytest
from fastapi import APIRouter, Depends
from pydantic import SecretStr

from services.gateway.app import create_app
from services.gateway.deps import RpcDep, require
from services.gateway.openapi.document import TAGS, TOKEN_URL
from services.gateway.openapi.examples import EXAMPLES_FILE, load_examples, schema_name
from services.gateway.routers.common import PathId
from services.gateway.settings import GatewaySettings

CAMEL_CASE = re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$")
ROUTERS = "services/gateway/routers/"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    settings = GatewaySettings(auth_jwt_secret=SecretStr("x" * 48))
    return create_app(settings).openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, operation)
            for path, by_method in document["paths"].items()
            for method, operation in by_method.items()]


def where(method: str, path: str, operation: dict[str, Any]) -> str:
    return f"{method} {path} ({operation.get('operationId', 'no operationId')})"


def test_operation_ids_are_unique_camel_case_names_of_the_endpoints(document):
    ids = [op.get("operationId") for _, _, op in operations(document)]
    bad = [f"{where(m, p, op)}" for m, p, op in operations(document)
           if not CAMEL_CASE.fullmatch(op.get("operationId") or "")]
    assert not bad, (
        "operationId must be camelCase, made from the endpoint function's name "
        "(`async def list_plans` -> listPlans): rename the function in "
        f"{ROUTERS}<router>.py (or pass `name=` to the decorator): {bad}")
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, (
        f"operationIds must be unique: give these endpoint functions distinct names "
        f"(e.g. get_plan_progress rather than progress): {duplicates}")
    names = {op["operationId"] for _, _, op in operations(document)}
    assert {"createToken", "listPlans", "getPlan", "createPlan"} <= names


def test_every_operation_has_a_summary_and_a_description(document):
    missing = [f"{where(m, p, op)}: " + " and ".join(
        what for what, ok in (("summary= in the route decorator", op.get("summary")),
                              ("a docstring on the endpoint function (it becomes the "
                               "description)", op.get("description"))) if not ok)
        for m, p, op in operations(document)
        if not (op.get("summary") and op.get("description"))]
    assert not missing, f"add in {ROUTERS}<router>.py: {missing}"


def test_every_request_body_has_a_valid_example(document):
    examples = load_examples()["request_bodies"]
    missing = []
    for method, path, operation in operations(document):
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if "example" in media or "examples" in media:
                continue
            name = schema_name(media.get("schema", {})) or "<name of the body model>"
            missing.append(f"{where(method, path, operation)} {media_type}: add `{name}:` "
                           f"under request_bodies")
    assert not missing, (
        f"request bodies without an example; write a realistic Vietnamese one (Gia Lai "
        f"units, plan 25/KH-STTTT) in {EXAMPLES_FILE}: {missing}")
    assert set(examples) >= {"TokenRequest", "TokenForm", "CreatePlanBody"}


def test_every_example_matches_its_schema(document):
    """What a client is shown is what the server accepts or answers (Redocly checks the
    same in `make lint`)."""
    checked = 0
    for method, path, operation in operations(document):
        media_objects = list(operation.get("requestBody", {}).get("content", {}).items())
        for status, response in operation["responses"].items():
            media_objects += [(f"{status} {media_type}", media)
                              for media_type, media in response.get("content", {}).items()]
        for label, media in media_objects:
            if "example" not in media:
                continue
            # "#/components/..." references resolve against the schema's root: lend it them.
            validator = jsonschema.Draft202012Validator(
                {**media["schema"], "components": document["components"]})
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                      for e in validator.iter_errors(media["example"])]
            assert not errors, (f"the example of {where(method, path, operation)} {label} "
                                f"does not match its schema ({EXAMPLES_FILE}): {errors[:5]}")
            checked += 1
    assert checked > 100


def test_realistic_responses_have_examples(document):
    plan = document["paths"]["/api/v1/plans/{plan_id}"]["get"]["responses"]["200"]
    assert plan["content"]["application/json"]["example"]["number"] == "25/KH-STTTT"
    page = document["paths"]["/api/v1/plans"]["get"]["responses"]["200"]
    assert page["content"]["application/json"]["example"]["items"][0]["id"] == \
        "plan-25-kh-stttt-2021"
    unit = document["paths"]["/api/v1/units/{unit_id}"]["put"]["requestBody"]
    assert unit["content"]["application/json"]["example"]["id"] == "pvhtt-ia-grai"


def error_codes(operation: dict[str, Any]) -> set[int]:
    return {int(s) for s in operation["responses"] if s[0] in "45"}


def test_each_operation_lists_only_the_errors_it_can_answer(document):
    paths = document["paths"]
    assert error_codes(paths["/api/v1/plans"]["get"]) == {401, 403, 422, 429, 503}
    assert error_codes(paths["/api/v1/plans/{plan_id}"]["get"]) == {401, 403, 404, 422, 429,
                                                                    503}
    # 409 only where declared; 413 only with a body.
    assert error_codes(paths["/api/v1/plans/{plan_id}/issue"]["post"]) == {
        401, 403, 404, 409, 413, 422, 429, 503}
    # No permission check and no parameter: no 403, no 422.
    assert error_codes(paths["/api/v1/users/me"]["get"]) == {401, 404, 429, 503}
    # Public: no 401/403; login attempts are limited (429).
    assert error_codes(paths["/api/v1/auth/token"]["post"]) == {401, 413, 422, 429, 503}
    assert error_codes(paths["/healthz"]["get"]) == set()
    for method, path, operation in operations(document):
        codes = error_codes(operation)
        if path.startswith("/api/"):
            assert codes & {400, 401, 403, 404, 409, 413, 422, 429}, where(method, path,
                                                                          operation)
        assert 409 not in codes or method != "GET", where(method, path, operation)
        assert 413 not in codes or "requestBody" in operation, where(method, path, operation)


def test_error_responses_are_problem_details_with_headers(document):
    operation = document["paths"]["/api/v1/plans/{plan_id}"]["get"]
    not_found = operation["responses"]["404"]["content"]["application/problem+json"]
    assert not_found["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert not_found["example"]["code"] == "not_found"
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert "Retry-After" in operation["responses"]["503"]["headers"]
    assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
    # A route's own error body stays (readiness names what is down).
    ready = document["paths"]["/readyz"]["get"]["responses"]["503"]
    assert "application/json" in ready["content"]


def test_security_public_routes_say_so_and_the_password_flow_is_offered(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["OAuth2Password"]["flows"]["password"]["tokenUrl"] == TOKEN_URL
    assert {"HTTPBearer", "APIKeyHeader"} <= set(schemes)
    for method, path, operation in operations(document):
        assert "security" in operation, where(method, path, operation)
        if path.startswith("/api/") and path != TOKEN_URL:
            offered = {name for requirement in operation["security"] for name in requirement}
            assert offered == {"OAuth2Password", "HTTPBearer", "APIKeyHeader"}, path
        else:
            assert operation["security"] == [], path
    token = document["paths"][TOKEN_URL]["post"]["requestBody"]["content"]
    assert set(token) == {"application/json", "application/x-www-form-urlencoded"}


def test_document_metadata_servers_license_contact_and_tags(document):
    info = document["info"]
    assert info["license"]["identifier"] == "Apache-2.0"
    assert info["contact"]["name"] and info["contact"]["email"]
    assert document["servers"][0]["url"] == "/"
    undescribed = [tag["name"] for tag in document["tags"] if not tag.get("description")]
    assert not undescribed, (
        f"add a description of these tags to TAGS in services/gateway/openapi/document.py: "
        f"{undescribed}")
    used = {t for _, _, op in operations(document) for t in op.get("tags", ())}
    assert used == {tag["name"] for tag in document["tags"]} and used <= set(TAGS)
    assert all(len(op.get("tags", ())) == 1 for _, _, op in operations(document))


def test_the_events_type_filter_example_is_an_array(document):
    parameter = next(p for p in document["paths"]["/api/v1/events"]["get"]["parameters"]
                     if p["name"] == "type")
    assert parameter["schema"]["examples"] == [["plan.issued", "task.assigned"]]


def test_routes_the_machinery_has_never_seen_are_documented_alike():
    """A route added later (here, a new router) gets its id, errors and security with no
    change to the OpenAPI machinery."""
    settings = GatewaySettings(auth_jwt_secret=SecretStr("x" * 48))
    app = create_app(settings)
    extra = APIRouter(prefix="/api/v1/roll-overs", tags=["plans"])

    @extra.post("/{plan_id}", summary="Roll a plan over to next year")
    async def roll_over_plan(plan_id: PathId, rpc: RpcDep,
                             _: Annotated[Any, Depends(require("plans:write"))]
                             ) -> dict[str, str]:
        """Copies the plan as next year's draft."""
        return {}

    app.include_router(extra)
    app.openapi_schema = None
    operation = app.openapi()["paths"]["/api/v1/roll-overs/{plan_id}"]["post"]
    assert operation["operationId"] == "rollOverPlan"
    assert error_codes(operation) == {401, 403, 404, 422, 429, 503}
    assert any("OAuth2Password" in r for r in operation["security"])


def test_component_names_are_clean_and_unique_so_generators_keep_every_route(document):
    """openapi-python-client names a model after its title: two components titled alike make
    it drop one (it lost GET /notices/{id}/deliveries), and pydantic spells module paths
    (`services__contracts__...`) into names when two models share a class name."""
    schemas = document["components"]["schemas"]
    leaked = [name for name in schemas if "__" in name]
    assert not leaked, f"module paths in component names, give the models distinct names: {leaked}"
    titles: dict[str, list[str]] = {}
    for name, schema in schemas.items():
        titles.setdefault(schema.get("title", name), []).append(name)
    shared = {title: names for title, names in titles.items() if len(names) > 1}
    assert not shared, f"components sharing a title, rename one model: {shared}"


def test_ids_in_paths_are_as_long_as_the_services_accept(document):
    """A path id the schema allows but the service's contract refuses was a 422 to a valid
    request (schemathesis): plans and tasks take 200 characters, other ids 100."""
    def longest(path: str, method: str, name: str) -> int:
        parameters = document["paths"][path][method]["parameters"]
        schema = next(p["schema"] for p in parameters if p["name"] == name)
        return int(schema["maxLength"])

    assert longest("/api/v1/recipients/{unit_id}/preferences", "put", "unit_id") == 100
    assert longest("/api/v1/notices/{notice_id}", "get", "notice_id") == 100
    assert longest("/api/v1/plans/{plan_id}/tasks/{task_id}", "get", "plan_id") == 200
    assert longest("/api/v1/plans/{plan_id}/tasks/{task_id}", "get", "task_id") == 200
