"""Settings from the environment, validated once at start-up; a bad value stops the process
with a message naming the variable, instead of failing later in the middle of work."""

from __future__ import annotations

import re
import sys
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672//"
# SecantusDB started by the project's scripts listens here, away from MongoDB's 27017.
SECANTUS_PORT = 27027
# retryWrites=false: SecantusDB keeps a record of every retryable write and scans them all
# (up to 10,000, then sorts them) on each write, so with retryable writes its write rate falls
# about sixfold within minutes (806 -> 134 updates/s after 16,000 writes; flat ~1,000/s
# without). Our writes are idempotent by design (deterministic ids, guards, inbox, outbox);
# against real MongoDB leave the driver's default (retryable writes on).
SECANTUS_CLIENT_OPTIONS = "retryWrites=false"


def secantus_uri(port: int = SECANTUS_PORT) -> str:
    """The URI of a SecantusDB the project's scripts started on this machine."""
    return f"mongodb://127.0.0.1:{port}/?{SECANTUS_CLIENT_OPTIONS}"


DEFAULT_MONGODB_URI = secantus_uri()


# The example env files (.env.example, deploy/k8s/secrets.env.example) publish placeholder
# secrets marked like this, and the development defaults too: anyone can read them, so a
# production process holding one would accept tokens and links forged by anyone.
# What each URI setting must start with.
URI_SCHEMES = {"amqp_uri": ("amqp://", "amqps://"), "mongodb_uri": ("mongodb://", "mongodb+srv://")}
PLACEHOLDER_MARKERS = ("change-me", "development-only")


def is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def uri_password(uri: str) -> str:
    """The password of a URI such as amqp://user:pw@host/ ("" if none or unparsable)."""
    try:
        return urlsplit(uri).password or ""
    except ValueError:
        return ""


def comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def seconds(default: float, *, at_most: float, description: str | None = None) -> Any:
    """A duration setting in seconds (a timeout, an interval, a lease): more than zero, since
    zero would spin or time out at once, and at most ``at_most``."""
    return Field(default=default, gt=0, le=at_most, description=description)


def count(default: int, *, at_most: int, description: str | None = None) -> Any:
    """A setting that counts (workers, attempts, a page or batch size, a rate): at least one,
    since zero would stop the work it sizes, and at most ``at_most``."""
    return Field(default=default, ge=1, le=at_most, description=description)


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    environment: Literal["development", "test", "production"] = "development"
    amqp_uri: str = DEFAULT_AMQP_URI
    amqp_heartbeat_seconds: int = Field(default=15, ge=0, le=600)
    mongodb_uri: str = DEFAULT_MONGODB_URI
    mongodb_timeout_ms: int = Field(default=5000, ge=100, le=120_000)
    mongodb_slow_ms: int = Field(
        default=1000, ge=0, le=600_000,
        description="Log a warning for every database command slower than this (command, "
                    "collection, duration; never its arguments). 0: off.")
    db_prefix: str = Field(default="", description="Prefix of database names (test isolation).")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    rpc_timeout_seconds: float = seconds(10.0, at_most=300)
    outbound_allowlist: str = Field(
        default="", description="OUTBOUND_ALLOWLIST: comma-separated CIDRs/hosts that outbound "
                                "HTTP (feeds, webhooks, providers) may reach although private "
                                "or loopback.")

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> CommonSettings:
        """Every secret setting (a SecretStr field, or the password of a *_uri field) of every
        process, so a secret added later is covered without another check."""
        if self.environment != "production":
            return self
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                secret = value.get_secret_value()
            elif name.endswith("_uri") and isinstance(value, str):
                secret = uri_password(value)
            else:
                continue
            if is_placeholder(secret):
                raise ValueError(f"{name.upper()} holds the placeholder of the example files "
                                 "(it contains 'change-me'): set a random secret in production")
        return self

    def allowlist(self) -> list[str]:
        return comma_list(self.outbound_allowlist)

    @field_validator("amqp_uri", "mongodb_uri")
    @classmethod
    def _uri_scheme(cls, value: str, info: ValidationInfo) -> str:
        schemes = URI_SCHEMES[info.field_name or ""]
        if not value.startswith(schemes):
            raise ValueError(f"must start with {' or '.join(schemes)}")
        return value

    @field_validator("db_prefix")
    @classmethod
    def _prefix_chars(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9_]{0,40}", value):
            raise ValueError("only lower-case letters, digits and _ (at most 40)")
        return value

    def database_name(self, service: str) -> str:
        return f"{self.db_prefix}{service}"


class ServiceSettings(CommonSettings):
    """Settings of a nameko service process."""

    metrics_host: str = Field(
        default="127.0.0.1", min_length=1,
        description="Address /metrics, /healthz and /readyz listen on: loopback unless a "
                    "deployment opens it (0.0.0.0 in compose and Kubernetes, for Prometheus "
                    "and the probes).")
    metrics_port: int = Field(default=9100, ge=0, le=65535,
                              description="Port of /metrics, /healthz and /readyz; 0 = any.")
    max_workers: int = count(20, at_most=1000)
    outbox_poll_seconds: float = seconds(1.0, at_most=60)
    outbox_lease_seconds: float = seconds(30.0, at_most=3600)
    failpoints: str = Field(default="", description="Fault tests only: comma-separated names "
                            "of points where the process exits as if killed.")

    @model_validator(mode="after")
    def _no_failpoints_in_production(self) -> ServiceSettings:
        if self.environment == "production" and self.failpoints:
            raise ValueError("FAILPOINTS must be empty in production")
        return self

    def failpoint_names(self) -> list[str]:
        return comma_list(self.failpoints)


S = TypeVar("S", bound=BaseSettings)


def settings_error_lines(cls: type[BaseSettings], exc: ValidationError) -> list[str]:
    """The variable and the reason of each error, never the value: the input of a cross-field
    check is the whole environment (URIs with passwords, secrets), and these lines go to
    crash-loop logs that are shipped to log stores."""
    lines = [f"invalid settings for {cls.__name__}:"]
    for err in exc.errors(include_input=False, include_url=False, include_context=False):
        name = "_".join(str(part) for part in err["loc"]).upper()
        lines.append(f"  {name}: {err['msg']}" if name else f"  {err['msg']}")
    return lines


def load_settings(cls: type[S]) -> S:
    """Read settings or exit with status 2 and one line per bad variable."""
    try:
        return cls()
    except ValidationError as exc:
        print("\n".join(settings_error_lines(cls, exc)), file=sys.stderr)
        raise SystemExit(2) from None
