"""Settings of the monitoring service (environment variables, validated at start)."""

from __future__ import annotations

from pydantic import Field

from services.runtime.settings import ServiceSettings, count, seconds


class MonitoringSettings(ServiceSettings):
    monitoring_poll_tick_seconds: float = seconds(
        5.0, at_most=3600,
        description="MONITORING_POLL_TICK_SECONDS: how often the timer looks for due sources.")
    monitoring_fetch_concurrency: int = count(
        8, at_most=100,
        description="MONITORING_FETCH_CONCURRENCY: sources fetched at once per process.")
    monitoring_fetch_timeout_seconds: float = seconds(
        10.0, at_most=120,
        description="MONITORING_FETCH_TIMEOUT_SECONDS: total time allowed for one fetch.")
    monitoring_fetch_max_bytes: int = Field(
        default=5_000_000, ge=10_000, le=100_000_000,
        description="MONITORING_FETCH_MAX_BYTES: larger responses are refused.")
    monitoring_politeness_seconds: float = Field(
        default=1.0, ge=0, le=600,
        description="MONITORING_POLITENESS_SECONDS: minimum gap between requests to one host.")
    monitoring_user_agent: str = Field(
        default="CampaignMonitor/0.1 (+https://example.org/campaign-platform)",
        description="MONITORING_USER_AGENT: sent with every request and matched in robots.txt.")
    monitoring_dedup_window_days: float = Field(
        default=14.0, gt=0, le=365,
        description="MONITORING_DEDUP_WINDOW_DAYS: near-duplicates are looked for this far back "
                    "(the index is rebuilt from stored items of the window at start).")
    monitoring_health_scan_seconds: float = seconds(
        60.0, at_most=86_400,
        description="MONITORING_HEALTH_SCAN_SECONDS: interval of the source-silence check.")
    monitoring_max_failures: int = count(
        5, at_most=100,
        description="MONITORING_MAX_FAILURES: failed polls in a row before a source is unhealthy.")

