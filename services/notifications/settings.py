"""Settings of the notifications service (environment, validated at start)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from services.runtime.settings import ServiceSettings, count, seconds

DEV_ACK_SECRET = "development-only-ack-link-secret"


class NotificationsSettings(ServiceSettings):
    ack_link_secret: SecretStr = Field(
        default=SecretStr(DEV_ACK_SECRET), min_length=16,
        description="HMAC key of signed acknowledgement links (the development default is "
                    "refused in production, as every placeholder secret is).")
    ack_base_url: str = Field(default="http://127.0.0.1:8000/api/v1/acks",
                              description="Public URL the ack token is appended to.")
    ack_link_ttl_days: int = Field(default=30, ge=1, le=365)
    default_ack_hours: float = Field(default=72, gt=0, le=24 * 60,
                                     description="Ack deadline of directives from events.")
    sender_name: str = "Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai"
    department_unit_id: str = "gl-svhttdl"
    alert_recipients: str = Field(
        default="", description="Comma-separated unit ids or group:<name> for alerts; "
                                "empty = the Department.")
    annual_report_day: str = Field(default="15/12", pattern=r"^\d{2}/\d{2}$")
    # Channel defaults (overridden at run time by configure_channel).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_sender: str = "thongbao@svhttdl.gialai.example.org"
    provider_base_url: str = ""
    provider_token: SecretStr = SecretStr("")
    webhook_timeout_seconds: float = seconds(5.0, at_most=120)
    # Loops.
    dispatch_concurrency: int = count(16, at_most=200)
    dispatch_batch_size: int = count(100, at_most=1000)
    lease_seconds: float = Field(default=120, ge=5, le=3600)
    plans_rpc_timeout_seconds: float = seconds(3.0, at_most=60)

    def alert_recipient_list(self) -> list[str]:
        parts = [p.strip() for p in self.alert_recipients.split(",") if p.strip()]
        return parts or [self.department_unit_id]
