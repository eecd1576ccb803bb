"""Delivery planning: notice + recipient unit + now -> what to send, where, in which languages
and when. Pure and deterministic; the service persists the plan and schedules the sends."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .errors import NoUsableContactError, UnknownRecipientError
from .notices import DEFAULT_LANGUAGE, Notice
from .preferences import Directory, RecipientUnit, to_local
from .translations import TRANSLATION_LANGUAGES
from .vocabulary import Channel, LanguageState, Priority, SendMode


@dataclass(frozen=True)
class LanguageVersion:
    language: str
    state: LanguageState


@dataclass(frozen=True)
class SendTiming:
    mode: SendMode
    send_at: datetime  # UTC-comparable aware datetime (local zone)


@dataclass(frozen=True)
class DeliveryPlan:
    notice_id: str
    unit_id: str
    channels: tuple[Channel, ...]  # first channel, then the fallback order
    languages: tuple[LanguageVersion, ...]
    timing: SendTiming
    unsupported_languages: tuple[str, ...] = ()  # audience languages with no workflow: report

    @property
    def first_channel(self) -> Channel:
        return self.channels[0]

    @property
    def fallbacks(self) -> tuple[Channel, ...]:
        return self.channels[1:]

    def languages_to_send(self) -> tuple[str, ...]:
        return tuple(v.language for v in self.languages if v.state is LanguageState.READY)

    def pending_languages(self) -> tuple[str, ...]:
        return tuple(v.language for v in self.languages if v.state is not LanguageState.READY)

    def held_versions(self) -> tuple[LanguageVersion, ...]:
        return tuple(v for v in self.languages if v.state is not LanguageState.READY)


@dataclass(frozen=True)
class NoUsableContact:
    """The unit cannot be reached on any preferred channel. Must be reported, never dropped."""

    notice_id: str
    unit_id: str
    channels_considered: tuple[Channel, ...]

    def to_error(self) -> NoUsableContactError:
        return NoUsableContactError(
            "recipient unit has no usable contact on its preferred channels",
            {
                "notice_id": self.notice_id,
                "unit_id": self.unit_id,
                "channels_considered": [c.value for c in self.channels_considered],
            },
        )


PlanResult = DeliveryPlan | NoUsableContact


@dataclass(frozen=True)
class NoticePlanning:
    plans: tuple[DeliveryPlan, ...]
    unreachable: tuple[NoUsableContact, ...]


def resolve_recipients(unit_ids: Iterable[str], directory: Directory) -> tuple[RecipientUnit, ...]:
    """Look up every unit id; raise one error naming all unknown ids."""
    ids = tuple(dict.fromkeys(unit_ids))
    unknown = [uid for uid in ids if uid not in directory]
    if unknown:
        raise UnknownRecipientError(
            f"unknown recipient units: {', '.join(unknown)}", {"unit_ids": unknown}
        )
    return tuple(directory[uid] for uid in ids)


def plan_delivery(
    notice: Notice,
    unit: RecipientUnit,
    now: datetime,
    approved_languages: Iterable[str] = (),
) -> PlanResult:
    channels = usable_channels(unit)
    if not channels:
        return NoUsableContact(notice.id, unit.unit_id, unit.preferences.channel_order)
    languages, unsupported = _language_versions(notice, unit, frozenset(approved_languages),
                                                now)
    return DeliveryPlan(
        notice_id=notice.id,
        unit_id=unit.unit_id,
        channels=channels,
        languages=languages,
        timing=send_timing(notice.priority, unit, now),
        unsupported_languages=unsupported,
    )


def plan_notice(
    notice: Notice,
    directory: Directory,
    now: datetime,
    approved_languages: Iterable[str] = (),
) -> NoticePlanning:
    """Plan every recipient of ``notice``; unknown recipients raise ``UnknownRecipientError``."""
    approved = frozenset(approved_languages)
    plans: list[DeliveryPlan] = []
    unreachable: list[NoUsableContact] = []
    for unit in resolve_recipients(notice.recipients, directory):
        result = plan_delivery(notice, unit, now, approved)
        if isinstance(result, NoUsableContact):
            unreachable.append(result)
        else:
            plans.append(result)
    return NoticePlanning(tuple(plans), tuple(unreachable))


def usable_channels(unit: RecipientUnit) -> tuple[Channel, ...]:
    return tuple(ch for ch in unit.preferences.channel_order if unit.usable_contacts(ch))


def send_timing(priority: Priority, unit: RecipientUnit, now: datetime) -> SendTiming:
    """Critical: now. Normal with a digest: next digest. Otherwise after quiet hours if inside."""
    local_now = to_local(now)
    if priority is Priority.CRITICAL:
        return SendTiming(SendMode.NOW, local_now)
    prefs = unit.preferences
    if priority is Priority.NORMAL and prefs.digest is not None:
        digest_at = prefs.digest.next_after(local_now)
        if prefs.quiet_hours is not None and prefs.quiet_hours.contains(digest_at.time()):
            digest_at = prefs.quiet_hours.end_after(digest_at)
        return SendTiming(SendMode.DIGEST, digest_at)
    if prefs.quiet_hours is not None and prefs.quiet_hours.contains(local_now.time()):
        return SendTiming(SendMode.AFTER_QUIET_HOURS, prefs.quiet_hours.end_after(local_now))
    return SendTiming(SendMode.NOW, local_now)


def _language_versions(
    notice: Notice, unit: RecipientUnit, approved: frozenset[str], now: datetime
) -> tuple[tuple[LanguageVersion, ...], tuple[str, ...]]:
    wanted = unit.audience_languages
    unsupported = tuple(
        lang for lang in wanted if lang != DEFAULT_LANGUAGE and lang not in TRANSLATION_LANGUAGES
    )
    translated = [lang for lang in wanted if lang in TRANSLATION_LANGUAGES]
    missing = [lang for lang in translated if lang not in approved]
    hold_all = bool(missing) and notice.holds_for_translation(now)
    versions: list[LanguageVersion] = []
    for lang in (DEFAULT_LANGUAGE, *translated):
        if lang in missing:
            state = LanguageState.AWAITING_TRANSLATION
        elif hold_all:
            state = LanguageState.HELD
        else:
            state = LanguageState.READY
        versions.append(LanguageVersion(lang, state))
    return tuple(versions), unsupported


def next_channel(channels: Sequence[Channel], failed: Channel) -> Channel | None:
    """The fallback after ``failed`` in the plan's channel order, or None when exhausted."""
    try:
        index = list(channels).index(failed)
    except ValueError:
        return channels[0] if channels else None
    return channels[index + 1] if index + 1 < len(channels) else None
