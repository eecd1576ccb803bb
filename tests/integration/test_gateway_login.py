"""Signing in from /docs: the gateway (against the real broker and database) takes the OAuth2
password form that the Authorize button sends as well as JSON, and its OpenAPI document
offers that flow."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings

FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def client(infra: Any) -> Iterator[TestClient]:
    env = {**infra.env(), "DB_PREFIX": f"{infra.db_prefix}login_",
           "EVENT_CONSUMER_ENABLED": "false"}
    settings = GatewaySettings(**{k.lower(): v for k, v in env.items()})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def me(client: TestClient, token: str) -> Any:
    return client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})


def test_a_json_login_gives_a_token_that_works(client, infra):
    reply = client.post("/api/v1/auth/token", json={"username": infra.admin_username,
                                                    "password": infra.admin_password})
    assert reply.status_code == 200, reply.text
    assert reply.json()["token_type"] == "bearer"
    assert me(client, reply.json()["access_token"]).json()["username"] == infra.admin_username


def test_the_token_answers_the_user_as_users_me_does(client, infra):
    """A frontend signs in with one request: the token's answer carries /users/me's user."""
    reply = client.post("/api/v1/auth/token", json={"username": infra.admin_username,
                                                    "password": infra.admin_password})
    assert reply.status_code == 200, reply.text
    user = reply.json()["user"]
    assert user == me(client, reply.json()["access_token"]).json()
    assert user["kind"] == "user" and "users:write" in user["permissions"]
    assert "password_hash" not in user


def test_the_oauth2_password_form_of_the_docs_page_gives_a_token_that_works(client, infra):
    # What Swagger UI's Authorize dialog sends (unknown OAuth2 parameters are ignored).
    reply = client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": infra.admin_username,
        "password": infra.admin_password, "scope": "", "client_id": "swagger-ui"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["expires_in"] > 0
    assert me(client, reply.json()["access_token"]).status_code == 200


def test_a_form_with_a_wrong_password_is_refused_as_json_would_be(client, infra):
    reply = client.post("/api/v1/auth/token", data={"username": infra.admin_username,
                                                    "password": "không-đúng-mật-khẩu"})
    assert reply.status_code == 401
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert reply.json()["reason"] == "bad_credentials"


@pytest.mark.parametrize(("body", "field"), [
    ({"username": "admin"}, "password"),
    ({"username": "admin", "password": "x", "grant_type": "client_credentials"},
     "grant_type"),
    ({"username": "   ", "password": "x"}, "username"),
])
def test_an_invalid_form_names_the_field(client, body, field):
    reply = client.post("/api/v1/auth/token", data=body)
    assert reply.status_code == 422, reply.text
    assert ["body", field] in [e["loc"] for e in reply.json()["errors"]]


def test_a_body_that_is_neither_json_nor_a_form_is_a_clear_422(client):
    reply = client.post("/api/v1/auth/token", content=b"username=admin",
                        headers={"Content-Type": "text/plain"})
    assert reply.status_code == 422
    assert reply.json()["code"] == "validation_failed"
    form = client.post("/api/v1/auth/token", content=b"\xff\xfe",
                       headers={"Content-Type": FORM})
    assert form.status_code == 422


def test_the_served_document_offers_the_password_flow_and_both_bodies(client):
    document = client.get("/openapi.json").json()
    flow = document["components"]["securitySchemes"]["OAuth2Password"]["flows"]["password"]
    assert flow["tokenUrl"] == "/api/v1/auth/token"
    content = document["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]
    assert set(content) == {"application/json", FORM}
    assert "oauth2-redirect" in client.get("/docs").text
