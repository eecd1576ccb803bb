"""docker-compose.yml is checked here because no Docker engine runs on CI: it parses, every
process it runs starts in production from `.env.example` filled in, images are pinned."""

import json
import os
import re
import subprocess
from pathlib import Path

import compose_spec
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = {"plans", "notifications", "monitoring", "gateway"}


def interpolate(text: str, env: dict[str, str]) -> str:
    """${VAR}, ${VAR:-default} and $$ (a literal $), as docker compose substitutes them."""
    def value(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return env.get(match.group(1)) or match.group(3) or ""
    return re.sub(r"\$\$|\$\{([A-Z0-9_]+)(:-([^}]*))?\}", value, text)


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
    assert set(parsed.service_names()) >= PLATFORM | {"rabbitmq", "mongo", "prometheus",
                                                       "grafana"}


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


def run_rabbitmq_entrypoint(compose: dict, dotenv: dict[str, str], env: dict[str, str],
                            tmp_path: Path) -> Path:
    """Runs the broker's entrypoint as compose writes it, on the mounted files, with a stand-in
    for the image's docker-entrypoint.sh; returns the directory standing for /etc/rabbitmq."""
    rabbitmq = compose["services"]["rabbitmq"]
    etc = tmp_path / "etc-rabbitmq"
    (etc / "conf.d").mkdir(parents=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker-entrypoint.sh").write_text('#!/bin/sh\nexec "$@"\n')
    (bin_dir / "docker-entrypoint.sh").chmod(0o755)
    for volume in rabbitmq["volumes"]:
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            local = etc / Path(target).relative_to("/etc/rabbitmq")
            local.write_text((ROOT / source).read_text())
    shell, flag, script, name = rabbitmq["entrypoint"]
    script = interpolate(script, dotenv).replace("/etc/rabbitmq/", f"{etc}/")
    subprocess.run([shell, flag, script, name, "true"],    # `true` instead of the broker
                   env={"PATH": f"{bin_dir}:{os.environ['PATH']}", **env}, check=True,
                   timeout=30)
    return etc


def test_rabbitmq_imports_the_topology_and_the_users_from_the_env_file(
        compose, filled_in_env, tmp_path):
    # A blank node that imports definitions creates no default user: the platform's user and
    # the subscribing systems' come from .env, rendered in front of the topology at each start.
    rabbitmq = compose["services"]["rabbitmq"]
    assert rabbitmq["command"] == ["rabbitmq-server"]
    dotenv = {**filled_in_env(ROOT / ".env.example"),
              "EVENT_SUBSCRIBERS": "one-stop-office:a-long-enough-secret-1"}
    env = compose_env(rabbitmq, dotenv, lambda path: dotenv)
    etc = run_rabbitmq_entrypoint(compose, dotenv, env, tmp_path)
    conf = (etc / "conf.d/20-campaign.conf").read_text()
    loaded = conf.split("load_definitions = ")[1].split()[0]
    definitions = json.loads((etc / Path(loaded).relative_to("/etc/rabbitmq")).read_text())
    assert [(u["name"], u["password"]) for u in definitions["users"]] == [
        (dotenv["RABBITMQ_DEFAULT_USER"], dotenv["RABBITMQ_DEFAULT_PASS"]),
        ("ext-one-stop-office", "a-long-enough-secret-1")]
    assert definitions["permissions"][0] == {
        "user": dotenv["RABBITMQ_DEFAULT_USER"], "vhost": "/", "configure": ".*",
        "write": ".*", "read": ".*"}
    topology = json.loads((ROOT / "deploy/rabbitmq/definitions.json").read_text())
    assert {key: definitions[key] for key in topology} == topology


def test_rabbitmq_exposes_prometheus_metrics(compose):
    mounts = compose["services"]["rabbitmq"]["volumes"]
    assert "./deploy/rabbitmq/enabled_plugins:/etc/rabbitmq/enabled_plugins:ro" in mounts
    plugins = (ROOT / "deploy/rabbitmq/enabled_plugins").read_text()
    assert re.fullmatch(r"\[([a-z_]+,)*[a-z_]+\]\.\n", plugins)  # an Erlang list term
    assert {"rabbitmq_management", "rabbitmq_prometheus"} <= set(plugins[1:-3].split(","))
    assert "prometheus.tcp.port = 15692" in (ROOT / "deploy/rabbitmq/rabbitmq.conf").read_text()


def test_brokers_and_databases_keep_their_data_in_named_volumes(compose):
    for name, path in (("rabbitmq", "/var/lib/rabbitmq"), ("mongo", "/data/db"),
                       ("prometheus", "/prometheus"), ("grafana", "/var/lib/grafana")):
        volume = next(v.split(":")[0] for v in compose["services"][name]["volumes"]
                      if v.split(":")[1] == path)
        assert volume in compose["volumes"], name


def test_prometheus_and_grafana_are_provisioned_from_deploy(compose):
    prometheus = compose["services"]["prometheus"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    grafana = compose["services"]["grafana"]
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == "${GRAFANA_ADMIN_PASSWORD}"
    assert grafana["depends_on"]["prometheus"]["condition"] == "service_healthy"


def test_every_variable_without_a_default_is_in_the_example_env_file():
    used = set(re.findall(r"\$\{([A-Z0-9_]+)\}", (ROOT / "docker-compose.yml").read_text()))
    example = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    assert used <= example, used - example
    assert {"AUTH_JWT_SECRET", "BOOTSTRAP_ADMIN_PASSWORD", "GRAFANA_ADMIN_PASSWORD"} <= example


def test_the_image_runs_every_service_command(compose):
    from services.cli.main import MODULE_PROCESSES, PROCESSES

    entry = (ROOT / "deploy/docker-entrypoint.sh").read_text()
    assert 'exec campaign serve "$1"' in entry  # the image runs the same command as people
    assert set(PROCESSES) >= PLATFORM and set(MODULE_PROCESSES) <= set(PROCESSES)
    for name in PLATFORM - {"gateway"}:
        module, _, cls = compose["services"][name]["command"][0].partition(":")
        imported = __import__(module, fromlist=[cls])
        assert getattr(imported, cls).name == name


def project_services(compose: dict) -> dict[str, dict]:
    """The compose services that run the platform's own image (built from this repository)."""
    return {name: service for name, service in compose["services"].items()
            if service.get("build") in (".", {"context": "."})}


def compose_env(service: dict, interpolated: dict[str, str], filled_in_env) -> dict[str, str]:
    """What docker compose puts in a container's environment: its env files (here the
    operator's copy of `<file>.example`), then `environment`, interpolated."""
    env: dict[str, str] = {}
    files = service.get("env_file", [])
    for env_file in [files] if isinstance(files, str) else files:
        env.update(filled_in_env(ROOT / f"{env_file}.example"))
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    env.update({key: interpolate(str(value), interpolated)
                for key, value in environment.items() if value is not None})
    return env


def test_every_process_starts_in_production_from_the_filled_in_env_file(
        compose, process_settings, filled_in_env, processes):
    # A setting a process requires in production but compose does not provide (ACK_LINK_SECRET
    # once) is a crash loop at `docker compose up`: load each one's settings as it would.
    dotenv = filled_in_env(ROOT / ".env.example")
    started = {}
    for name, service in project_services(compose).items():
        env = compose_env(service, dotenv, filled_in_env)
        process, settings = process_settings(service["command"], env,
                                             f"docker-compose.yml service {name!r}")
        started[process] = settings
    assert set(started) == processes
    for process, settings in started.items():
        if hasattr(settings, "metrics_host"):   # Prometheus scrapes over the compose network
            assert settings.metrics_host == "0.0.0.0", process


def test_every_image_is_pinned_to_a_version(compose_as_run, pinned_version, release):
    for name, service in compose_as_run["services"].items():
        image = service.get("image")
        assert image, f"{name}: no image name (a build would be tagged latest)"
        assert pinned_version(image), f"{name}: {image} is not pinned to a version"
        if name in project_services(compose_as_run):
            assert pinned_version(image) == release, f"{name}: tag the image {release}"


def test_every_base_image_of_the_dockerfile_is_pinned_to_a_version(pinned_version):
    # python:3.11-slim floated: each rebuild could bring another patch release and Debian base.
    bases = [line.split()[1] for line in (ROOT / "Dockerfile").read_text().splitlines()
             if line.upper().startswith("FROM ")]
    assert bases, "the Dockerfile names no base image"
    stages = {line.split()[-1] for line in (ROOT / "Dockerfile").read_text().splitlines()
              if line.upper().startswith("FROM ") and " AS " in line.upper()}
    for image in bases:
        if image in stages:
            continue  # a stage of this build, pinned where it is defined
        assert pinned_version(image), f"Dockerfile: FROM {image} is not pinned to a version"
