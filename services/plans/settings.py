"""Settings of the plans service (environment variables, validated at start)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from services.runtime.settings import ServiceSettings, seconds


class PlansSettings(ServiceSettings):
    plans_deadline_scan_seconds: float = seconds(
        60.0, at_most=86_400,
        description="PLANS_DEADLINE_SCAN_SECONDS: interval of the due-soon/overdue scan.")
    plans_gauge_refresh_seconds: float = seconds(
        300.0, at_most=86_400,
        description="PLANS_GAUGE_REFRESH_SECONDS: interval of the task bucket gauges, which "
                    "read every task of every issued plan (kept off the deadline scan).")
    plans_due_soon_days: int = Field(
        default=3, ge=0, le=60,
        description="PLANS_DUE_SOON_DAYS: a deadline this many days away is 'due soon'.")
    plans_clock_now: datetime | None = Field(
        default=None,
        description="PLANS_CLOCK_NOW: a fixed 'now' for the scheduled scan (tests, replays); "
                    "unset = the system clock. ISO 8601 with an offset.")
