"""Gateway settings (environment variables, validated at start)."""

from __future__ import annotations

from pydantic import Field

from services.runtime.settings import CommonSettings


class GatewaySettings(CommonSettings):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    rpc_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    readiness_timeout_seconds: float = Field(default=1.0, gt=0, le=30)
    max_body_bytes: int = Field(default=1_000_000, ge=1024, le=100_000_000)
    public_url: str = ""

    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"
