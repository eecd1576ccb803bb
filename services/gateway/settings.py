"""Gateway settings (environment variables, validated at start).

The JWT secret: required and at least 32 bytes in production (the process refuses to start
otherwise); in development and test an ephemeral one is generated with a warning, so tokens do
not survive a restart. There is no default password: the first admin comes from
BOOTSTRAP_ADMIN_USERNAME/BOOTSTRAP_ADMIN_PASSWORD (created once, if no such user exists) or
from `campaign create-admin`.
"""

from __future__ import annotations

import logging
import secrets
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from services.gateway import passwords
from services.gateway.rate_limits import MEMORY, SHARED_SCHEMES
from services.runtime.settings import CommonSettings, count, seconds

log = logging.getLogger(__name__)

MIN_SECRET_BYTES = 32


class GatewaySettings(CommonSettings):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    rpc_timeout_seconds: float = seconds(5.0, at_most=120)
    readiness_timeout_seconds: float = seconds(1.0, at_most=30)
    store_timeout_ms: int = Field(
        default=2000, ge=100, le=60_000,
        description="How long a request waits for the gateway's own database (users, API "
                    "keys, subscriptions, event log) before answering 503. With "
                    "RPC_TIMEOUT_SECONDS it bounds a request's answer while a dependency "
                    "is down.")
    max_body_bytes: int = Field(default=1_000_000, ge=1024, le=100_000_000)
    public_url: str = ""
    console_dist_dir: str = Field(
        default="", description="The built console (`console/dist`, served at /console/); "
                                "empty: the checkout's own console/dist.")

    # authentication
    auth_jwt_secret: SecretStr | None = None
    auth_jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    auth_jwt_issuer: str = "campaign-gateway"
    auth_jwt_audience: str = "campaign-api"
    auth_token_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    auth_clock_skew_seconds: int = Field(default=10, ge=0, le=300)
    auth_cache_seconds: float = Field(
        default=2.0, ge=0, le=5,
        description="How long a replica may use a user or API key record it read (0: "
                    "never): the longest a deactivation or revocation made through another "
                    "replica takes to apply here. Capped at 5 s.")
    bootstrap_admin_username: str | None = None
    bootstrap_admin_password: SecretStr | None = None

    # limits
    rate_limit_per_minute: int = count(
        6000, at_most=100_000_000,
        description="Per user or API key, over a sliding minute, for all replicas together "
                    "when RATE_LIMIT_STORAGE_URI is shared.")
    rate_limit_storage_uri: str = Field(
        default="memory://",
        description="Where rate limits count: memory:// (this process: a single instance) "
                    "or redis://[:password@]host:port/db (shared by every replica). If Redis "
                    "does not answer, each replica limits on its own until it does.")
    rate_limit_storage_timeout_ms: int = Field(
        default=250, ge=10, le=5000,
        description="How long a request waits for the rate limit storage before this "
                    "replica falls back to its own counters (for 5 s).")
    login_attempts_per_minute: int = count(
        20, at_most=100_000, description="Login attempts per user name.")
    login_failures_per_client_per_minute: int = count(
        10, at_most=100_000,
        description="Failed logins per client address; past it every login from that "
                    "address answers 429 until the minute has slid by.")
    max_page_size: int = count(200, at_most=1000)

    # events
    event_consumer_enabled: bool = Field(
        default=True, description="Consume the event log queue (off: an API-only replica).")
    event_retention_days: float = Field(default=30, gt=0, le=3650)
    event_consumer_prefetch: int = count(100, at_most=10_000)
    sse_heartbeat_seconds: float = seconds(15, at_most=300)
    sse_queue_size: int = Field(default=1000, ge=10, le=100_000)

    # webhooks
    webhook_timeout_seconds: float = seconds(5, at_most=60)
    webhook_max_attempts: int = count(8, at_most=50)
    webhook_retry_base_seconds: float = seconds(2, at_most=3600)
    webhook_retry_max_seconds: float = seconds(600, at_most=86_400)
    webhook_disable_after_failures: int = count(100, at_most=100_000)
    webhook_secret_grace_seconds: int = Field(default=86_400, ge=0, le=30 * 86_400)

    @field_validator("rate_limit_storage_uri")
    @classmethod
    def _storage_scheme(cls, value: str) -> str:
        if value != MEMORY and not value.startswith(SHARED_SCHEMES):
            raise ValueError("must be memory:// or start with redis:// or rediss://")
        return value

    @model_validator(mode="after")
    def _bootstrap_password_strength(self) -> GatewaySettings:
        if self.bootstrap_admin_username and self.bootstrap_admin_password:
            try:
                passwords.check(self.bootstrap_admin_password.get_secret_value(),
                                self.bootstrap_admin_username)
            except passwords.WeakPassword as weak:
                raise ValueError(f"BOOTSTRAP_ADMIN_PASSWORD: {weak.advice}") from None
        return self

    @model_validator(mode="after")
    def _secret_strength(self) -> GatewaySettings:
        secret = self.auth_jwt_secret.get_secret_value() if self.auth_jwt_secret else ""
        if len(secret.encode()) >= MIN_SECRET_BYTES:
            return self
        if self.environment == "production":
            raise ValueError(f"AUTH_JWT_SECRET must be set to at least {MIN_SECRET_BYTES} "
                             "random bytes in production")
        if secret:
            raise ValueError(f"AUTH_JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes")
        log.warning("AUTH_JWT_SECRET is not set: using an ephemeral secret (tokens do not "
                    "survive a restart); set it outside development")
        self.auth_jwt_secret = SecretStr(secrets.token_urlsafe(48))
        return self

    def jwt_secret(self) -> str:
        assert self.auth_jwt_secret is not None
        return self.auth_jwt_secret.get_secret_value()

    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"
