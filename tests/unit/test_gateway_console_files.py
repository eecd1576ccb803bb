"""The gateway serves the built console at /console/: files with cache headers that fit
them, the app's page for any other path (the browser router decides), never a file outside."""

import gzip
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings


@pytest.fixture()
def client(tmp_path: Path) -> TestClient:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>console</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "assets" / "index-abc123.js.gz").write_bytes(gzip.compress(b"console.log(1)"))
    (tmp_path.parent / "secret.txt").write_text("not for the web")
    settings = GatewaySettings(auth_jwt_secret=SecretStr("s" * 40),
                               console_dist_dir=str(tmp_path))
    return TestClient(create_app(settings))  # no lifespan: these routes need no service


def test_hashed_assets_are_cached_for_a_year(client: TestClient) -> None:
    reply = client.get("/console/assets/index-abc123.js")
    assert reply.status_code == 200
    assert "immutable" in reply.headers["cache-control"]
    assert "max-age=31536000" in reply.headers["cache-control"]


def test_any_app_path_answers_the_page_revalidated(client: TestClient) -> None:
    for path in ("/console/", "/console/plans/25-KH-STTTT-2021", "/console/sign-in"):
        reply = client.get(path)
        assert reply.status_code == 200, path
        assert reply.headers["content-type"].startswith("text/html")
        assert reply.headers["cache-control"] == "no-cache"
        assert "<title>console</title>" in reply.text


def test_a_missing_asset_is_404_not_the_page(client: TestClient) -> None:
    reply = client.get("/console/assets/gone-000.js")
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/problem+json"


def test_nothing_outside_the_build_is_served(client: TestClient) -> None:
    for path in ("/console/../secret.txt", "/console/%2e%2e/secret.txt",
                 "/console/..%2Fsecret.txt"):
        reply = client.get(path)
        assert "not for the web" not in reply.text, path


def test_bare_console_redirects_to_the_slash(client: TestClient) -> None:
    reply = client.get("/console", follow_redirects=False)
    assert reply.status_code == 308
    assert reply.headers["location"] == "/console/"


def test_an_unbuilt_console_says_how_to_build_it(tmp_path: Path) -> None:
    settings = GatewaySettings(auth_jwt_secret=SecretStr("s" * 40),
                               console_dist_dir=str(tmp_path / "none"))
    reply = TestClient(create_app(settings)).get("/console/")
    assert reply.status_code == 404
    assert "npm run build" in reply.json()["detail"]


def test_a_browser_that_accepts_gzip_gets_the_build_time_copy(client: TestClient) -> None:
    packed = client.get("/console/assets/index-abc123.js",
                        headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["content-type"].startswith("text/javascript")
    assert packed.text == "console.log(1)"  # httpx decodes it as a browser would
    plain = client.get("/console/assets/index-abc123.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.text == "console.log(1)"
