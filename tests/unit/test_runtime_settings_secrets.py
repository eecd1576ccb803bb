"""Production refuses the placeholder secrets the example files publish, and a refused setting
is reported by name and reason only: crash-loop logs end up in log stores."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest
from pydantic import SecretStr

from services.gateway.settings import GatewaySettings
from services.notifications.settings import NotificationsSettings
from services.runtime.settings import CommonSettings, is_placeholder, load_settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [ROOT / ".env.example", ROOT / "deploy/k8s/secrets.env.example"]
STRONG = "9f1c2b7e4d6a8c0e1f3b5d7a9c2e4f6a8b0d1c3e5f7a9b2c4d6e8f0a1b3c5d7e"
BROKER_PASSWORD = "broker-pw-4e51eab97c1d"
MONGO_PASSWORD = "mongo-pw-e78f7414aa02"
PRODUCTION = {"ENVIRONMENT": "production",
              "AMQP_URI": f"amqp://campaign:{BROKER_PASSWORD}@127.0.0.1:5672//",
              "MONGODB_URI": f"mongodb://campaign:{MONGO_PASSWORD}@127.0.0.1:27027/"}
GATEWAY = {**PRODUCTION, "AUTH_JWT_SECRET": STRONG, "BOOTSTRAP_ADMIN_USERNAME": "quantri",
           "BOOTSTRAP_ADMIN_PASSWORD": "Pleiku-mưa-bụi-chiều-thu"}
NOTIFICATIONS = {**PRODUCTION, "ACK_LINK_SECRET": STRONG}


def published_values() -> set[str]:
    values = set()
    for path in EXAMPLES:
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                values.add(line.split("=", 1)[1].strip())
    return values


def refusal(cls: type[CommonSettings], env: dict[str, str], capsys: pytest.CaptureFixture[str]
            ) -> str:
    with mock.patch.dict(os.environ, env, clear=True), pytest.raises(SystemExit) as stopped:
        load_settings(cls)
    assert stopped.value.code == 2
    return capsys.readouterr().err


def test_every_secret_the_examples_publish_carries_the_placeholder_marker():
    # So the generic marker check refuses each of them, not only the ones named in a test.
    secrets_published = {value for value in published_values()
                         if value and not value.startswith(("http", "$")) and len(value) > 6
                         and not value.isdigit()}
    placeholders = {value for value in secrets_published if "change-me" in value}
    assert placeholders and all(is_placeholder(value) for value in placeholders)


@pytest.mark.parametrize(("cls", "env", "variable"), [
    (GatewaySettings, {"AUTH_JWT_SECRET": "change-me-to-64-hex-characters-"
                       "0123456789abcdef0123456789abcdef"}, "AUTH_JWT_SECRET"),
    (GatewaySettings, {"BOOTSTRAP_ADMIN_PASSWORD": "change-me-Pleiku-mưa-bụi-chiều"},
     "BOOTSTRAP_ADMIN_PASSWORD"),
    (GatewaySettings, {"RATE_LIMIT_STORAGE_URI": "redis://:change-me-redis@redis:6379/0"},
     "RATE_LIMIT_STORAGE_URI"),
    (GatewaySettings, {"AMQP_URI": "amqp://campaign:change-me-rabbitmq@rabbitmq:5672//"},
     "AMQP_URI"),
    (NotificationsSettings, {"ACK_LINK_SECRET": "change-me-ack-link-secret"},
     "ACK_LINK_SECRET"),
    (NotificationsSettings, {"ACK_LINK_SECRET": ""}, "ACK_LINK_SECRET"),
    (NotificationsSettings, {"MONGODB_URI": "mongodb://root:change-me-mongo@mongo:27017/"},
     "MONGODB_URI"),
])
def test_production_refuses_a_published_placeholder_secret(cls, env, variable, capsys):
    base = GATEWAY if cls is GatewaySettings else NOTIFICATIONS
    if env.get("ACK_LINK_SECRET") == "":
        base = {k: v for k, v in base.items() if k != "ACK_LINK_SECRET"}
        env = {}
    err = refusal(cls, {**base, **env}, capsys)
    assert variable in err


def test_the_same_placeholders_are_accepted_outside_production():
    settings = NotificationsSettings(ack_link_secret="change-me-ack-link-secret")
    assert settings.ack_link_secret.get_secret_value() == "change-me-ack-link-secret"


def test_a_new_secret_setting_is_covered_without_its_own_check():
    class WithApiKey(CommonSettings):
        partner_api_key: SecretStr = SecretStr("")

    with mock.patch.dict(os.environ, {**PRODUCTION, "PARTNER_API_KEY": "change-me-key"},
                         clear=True), pytest.raises(ValueError, match="PARTNER_API_KEY"):
        WithApiKey()


@pytest.mark.parametrize(("cls", "env"), [
    (GatewaySettings, {**GATEWAY, "AUTH_JWT_SECRET": ""}),
    (GatewaySettings, {**GATEWAY, "AUTH_JWT_SECRET": "short-jwt-secret-xyz"}),
    (GatewaySettings, {**GATEWAY, "BOOTSTRAP_ADMIN_PASSWORD": "quantri123"}),
    (GatewaySettings, {**GATEWAY, "AUTH_JWT_SECRET": "change-me-to-64-hex-characters-"
                       "0123456789abcdef0123456789abcdef"}),
    (GatewaySettings, {**GATEWAY, "RATE_LIMIT_PER_MINUTE": "abc"}),
    (NotificationsSettings, {k: v for k, v in NOTIFICATIONS.items() if k != "ACK_LINK_SECRET"}),
    (NotificationsSettings, {**NOTIFICATIONS, "ACK_LINK_SECRET": "short-ack"}),
])
def test_a_refused_setting_never_prints_a_secret_or_a_uri_password(cls, env, capsys):
    err = refusal(cls, env, capsys)
    assert err.startswith(f"invalid settings for {cls.__name__}:")
    for secret in (BROKER_PASSWORD, MONGO_PASSWORD, STRONG, "Pleiku-mưa-bụi-chiều-thu",
                   "short-jwt-secret-xyz", "quantri123", "change-me-to-64", "short-ack",
                   "amqp://", "mongodb://"):
        assert secret not in err
