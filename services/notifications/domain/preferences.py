"""Recipient units, their contacts and delivery preferences."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from .errors import ValidationFailedError
from .notices import DEFAULT_LANGUAGE
from .vocabulary import Channel


def _local_zone() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except Exception:  # pragma: no cover - tzdata missing: Vietnam has no DST
        return timezone(timedelta(hours=7), "ICT")


LOCAL_TZ: tzinfo = _local_zone()


DEFAULT_CHANNEL_ORDER: tuple[Channel, ...] = (
    Channel.INBOX,
    Channel.EMAIL,
    Channel.ZALO,
    Channel.TELEGRAM,
    Channel.WEBHOOK,
    Channel.SMS,
)


@dataclass(frozen=True)
class Contact:
    channel: Channel
    address: str
    active: bool = True

    @property
    def usable(self) -> bool:
        return self.active and bool(self.address.strip())


@dataclass(frozen=True)
class QuietHours:
    """Local-time window [start, end); wraps midnight when start > end (e.g. 21:00-06:30)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValidationFailedError("quiet hours start and end are equal", {})

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def end_after(self, local_now: datetime) -> datetime:
        """The first end of quiet hours strictly after ``local_now`` (local aware datetime)."""
        candidate = _at(local_now.date(), self.end, local_now.tzinfo)
        if candidate <= local_now:
            candidate = _at(local_now.date() + timedelta(days=1), self.end, local_now.tzinfo)
        return candidate


@dataclass(frozen=True)
class DigestSettings:
    """Normal-priority notices are batched and sent once a day at ``send_at`` local time."""

    send_at: time = time(16, 30)

    def next_after(self, local_now: datetime) -> datetime:
        candidate = _at(local_now.date(), self.send_at, local_now.tzinfo)
        if candidate < local_now:
            candidate = _at(local_now.date() + timedelta(days=1), self.send_at, local_now.tzinfo)
        return candidate


@dataclass(frozen=True)
class RecipientPreferences:
    channel_order: tuple[Channel, ...] = DEFAULT_CHANNEL_ORDER
    quiet_hours: QuietHours | None = None
    digest: DigestSettings | None = None

    def __post_init__(self) -> None:
        if len(set(self.channel_order)) != len(self.channel_order):
            raise ValidationFailedError("channel order has duplicates", {})


@dataclass(frozen=True)
class FormerName:
    """A name the unit bore until ``until`` (inclusive), before a renaming."""

    name: str
    until: date


@dataclass(frozen=True)
class RecipientUnit:
    """An organisation unit as the notifications service sees it."""

    unit_id: str
    name: str
    contacts: tuple[Contact, ...] = ()
    preferences: RecipientPreferences = field(default_factory=RecipientPreferences)
    languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)
    parent_id: str | None = None
    # The organisation as data (from plans): when the unit existed, what it was called.
    valid_from: date | None = None
    valid_to: date | None = None  # inclusive
    former_names: tuple[FormerName, ...] = ()

    def name_on(self, day: date | None) -> str:
        """The name the unit bore on ``day`` (its current name when ``day`` is None)."""
        if day is not None:
            for former in sorted(self.former_names, key=lambda f: f.until):
                if day <= former.until:
                    return former.name
        return self.name

    def exists_on(self, day: date) -> bool:
        """Whether the unit existed on ``day`` (unknown validity: it did)."""
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))

    def usable_contacts(self, channel: Channel) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.channel is channel and c.usable)

    @property
    def audience_languages(self) -> tuple[str, ...]:
        """Vietnamese first (always sent), then the audience's other languages, deduplicated."""
        ordered = [DEFAULT_LANGUAGE, *self.languages]
        return tuple(dict.fromkeys(ordered))


Directory = Mapping[str, RecipientUnit]


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValidationFailedError("datetime must be timezone-aware", {"value": str(moment)})
    return moment.astimezone(LOCAL_TZ)


def _at(day: date, at: time, tz: tzinfo | None) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)
