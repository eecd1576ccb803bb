"""Timers whose interval is a setting: `@settings_timer("monitoring_poll_tick_seconds")`."""

from __future__ import annotations

from typing import Any

from nameko.timer import Timer

from services.runtime.nameko_ext.providers import settings_of


class SettingsTimer(Timer):
    """A nameko timer whose interval is a field of the service settings."""

    def __init__(self, setting: str, **kwargs: Any) -> None:
        super().__init__(interval=60.0, **kwargs)
        self.setting = setting

    def setup(self) -> None:
        self.interval = float(getattr(settings_of(self.container), self.setting))


settings_timer = SettingsTimer.decorator
