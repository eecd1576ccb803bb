"""docker-compose.yml is checked here because no Docker engine runs on CI."""

import json
import re
from pathlib import Path

import compose_spec
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = {"plans", "notifications", "monitoring", "gateway"}


def interpolate(text: str, env: dict[str, str]) -> str:
    """${VAR} and ${VAR:-default}, as docker compose substitutes them before validating."""
    def value(match: re.Match[str]) -> str:
        return env.get(match.group(1)) or match.group(3) or ""
    return re.sub(r"\$\{([A-Z0-9_]+)(:-([^}]*))?\}", value, text)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def compose_as_run() -> dict:
    example = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    return yaml.safe_load(interpolate((ROOT / "docker-compose.yml").read_text(), example))


def test_compose_file_parses_against_the_compose_specification(compose_as_run):
    # Merge keys (<<) and ${VARS} are resolved first, as docker compose does.
    parsed = compose_spec.PyCompose.from_json(json.dumps(compose_as_run))
    assert set(parsed.service_names()) >= PLATFORM | {"rabbitmq", "mongo", "prometheus"}


def test_every_service_builds_or_has_an_image_and_a_healthcheck(compose):
    for name, service in compose["services"].items():
        assert "build" in service or "image" in service, name
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert service.get("restart") == "unless-stopped", name


def test_platform_services_take_settings_from_the_environment(compose):
    for name in PLATFORM:
        service = compose["services"][name]
        env = service["environment"]
        assert {"AMQP_URI", "MONGODB_URI", "ENVIRONMENT"} <= set(env), name
        assert "${RABBITMQ_DEFAULT_PASS}" in env["AMQP_URI"]  # no password in the file
        assert service["env_file"] == ".env"


def test_secrets_live_in_an_uncommitted_env_file():
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    example = (ROOT / ".env.example").read_text()
    assert "RABBITMQ_DEFAULT_PASS=" in example and "MONGO_INITDB_ROOT_PASSWORD=" in example


def test_rabbitmq_loads_the_generated_definitions(compose):
    mounts = " ".join(compose["services"]["rabbitmq"]["volumes"])
    assert "definitions.json" in mounts
    assert "load_definitions" in (ROOT / "deploy/rabbitmq/rabbitmq.conf").read_text()


def test_the_image_runs_every_service_command(compose):
    entry = (ROOT / "deploy/docker-entrypoint.sh").read_text()
    assert "services.gateway" in entry and "nameko_ext.launcher" in entry
    for name in PLATFORM - {"gateway"}:
        module, _, cls = compose["services"][name]["command"][0].partition(":")
        imported = __import__(module, fromlist=[cls])
        assert getattr(imported, cls).name == name
