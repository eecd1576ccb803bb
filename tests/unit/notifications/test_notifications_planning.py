from datetime import UTC, datetime, time, timedelta

import pytest
from notifications_fixtures import T0, build_notice

from services.notifications.domain.errors import UnknownRecipientError
from services.notifications.domain.planning import (
    DeliveryPlan,
    NoUsableContact,
    next_channel,
    plan_delivery,
    plan_notice,
)
from services.notifications.domain.preferences import (
    LOCAL_TZ,
    Contact,
    DigestSettings,
    QuietHours,
    RecipientPreferences,
    RecipientUnit,
)
from services.notifications.domain.vocabulary import (
    Channel,
    LanguageState,
    Priority,
    SendMode,
    TranslationPolicy,
)

NIGHT = QuietHours(start=time(21, 0), end=time(6, 30))


def unit(**overrides: object) -> RecipientUnit:
    fields: dict[str, object] = {
        "unit_id": "unit-chupah",
        "name": "Phòng Văn hóa và Thông tin huyện Chư Păh",
        "contacts": (
            Contact(Channel.EMAIL, "vhtt.chupah@gialai.gov.vn"),
            Contact(Channel.SMS, "+84912345678"),
            Contact(Channel.ZALO, "", active=True),
            Contact(Channel.TELEGRAM, "@chupah", active=False),
        ),
        "preferences": RecipientPreferences(
            channel_order=(Channel.ZALO, Channel.EMAIL, Channel.TELEGRAM, Channel.SMS)
        ),
    }
    fields.update(overrides)
    return RecipientUnit(**fields)  # type: ignore[arg-type]


def local(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2021, 2, day, hour, minute, tzinfo=LOCAL_TZ)


def plan(result: DeliveryPlan | NoUsableContact) -> DeliveryPlan:
    assert isinstance(result, DeliveryPlan)
    return result


def test_channels_follow_preference_skipping_unusable_contacts() -> None:
    result = plan(plan_delivery(build_notice(), unit(), T0))
    assert result.channels == (Channel.EMAIL, Channel.SMS)
    assert result.first_channel is Channel.EMAIL
    assert result.fallbacks == (Channel.SMS,)
    assert next_channel(result.channels, Channel.EMAIL) is Channel.SMS
    assert next_channel(result.channels, Channel.SMS) is None


def test_no_usable_contact_is_a_typed_result_and_reported_by_plan_notice() -> None:
    lonely = unit(unit_id="unit-lonely", contacts=(Contact(Channel.EMAIL, "x", active=False),))
    directory = {"unit-chupah": unit(), "unit-lonely": lonely}
    notice = build_notice(recipients=("unit-chupah", "unit-lonely"))
    planning = plan_notice(notice, directory, T0)
    assert [p.unit_id for p in planning.plans] == ["unit-chupah"]
    assert [u.unit_id for u in planning.unreachable] == ["unit-lonely"]
    error = planning.unreachable[0].to_error()
    assert error.code == "no_usable_contact"
    assert error.details["unit_id"] == "unit-lonely"


def test_unknown_recipients_raise_one_error_naming_them_all() -> None:
    notice = build_notice(recipients=("unit-chupah", "ghost-1", "ghost-2"))
    with pytest.raises(UnknownRecipientError) as info:
        plan_notice(notice, {"unit-chupah": unit()}, T0)
    assert info.value.details["unit_ids"] == ["ghost-1", "ghost-2"]


@pytest.mark.parametrize(
    ("now", "inside"),
    [
        (local(22), True),
        (local(2, day=26), True),
        (local(6, 29), True),
        (local(6, 30), False),
        (local(12), False),
        (local(20, 59), False),
    ],
)
def test_quiet_hours_wrap_midnight(now: datetime, inside: bool) -> None:
    assert NIGHT.contains(now.time()) is inside


def test_high_priority_inside_quiet_hours_waits_until_they_end() -> None:
    u = unit(preferences=RecipientPreferences(quiet_hours=NIGHT))
    result = plan(plan_delivery(build_notice(priority=Priority.HIGH), u, local(23, 15)))
    assert result.timing.mode is SendMode.AFTER_QUIET_HOURS
    assert result.timing.send_at == local(6, 30, day=26)


def test_quiet_hours_after_midnight_end_the_same_morning() -> None:
    u = unit(preferences=RecipientPreferences(quiet_hours=NIGHT))
    now_utc = local(1, 0, day=26).astimezone(UTC)
    result = plan(plan_delivery(build_notice(priority=Priority.HIGH), u, now_utc))
    assert result.timing.send_at == local(6, 30, day=26)


def test_normal_priority_without_digest_also_respects_quiet_hours() -> None:
    u = unit(preferences=RecipientPreferences(quiet_hours=NIGHT))
    result = plan(plan_delivery(build_notice(), u, local(21, 0)))
    assert result.timing.mode is SendMode.AFTER_QUIET_HOURS
    assert plan(plan_delivery(build_notice(), u, local(20, 59))).timing.mode is SendMode.NOW


def test_critical_bypasses_quiet_hours_and_digest() -> None:
    prefs = RecipientPreferences(quiet_hours=NIGHT, digest=DigestSettings(time(16, 30)))
    result = plan(
        plan_delivery(build_notice(priority=Priority.CRITICAL), unit(preferences=prefs), local(23))
    )
    assert result.timing.mode is SendMode.NOW


def test_normal_priority_goes_to_next_digest_but_high_does_not() -> None:
    prefs = RecipientPreferences(digest=DigestSettings(time(16, 30)))
    u = unit(preferences=prefs)
    normal = plan(plan_delivery(build_notice(), u, local(17)))
    assert normal.timing.mode is SendMode.DIGEST
    assert normal.timing.send_at == local(16, 30, day=26)
    same_day = plan(plan_delivery(build_notice(), u, local(9)))
    assert same_day.timing.send_at == local(16, 30)
    high = plan(plan_delivery(build_notice(priority=Priority.HIGH), u, local(17)))
    assert high.timing.mode is SendMode.NOW


def test_digest_inside_quiet_hours_moves_to_their_end() -> None:
    prefs = RecipientPreferences(quiet_hours=NIGHT, digest=DigestSettings(time(22, 0)))
    result = plan(plan_delivery(build_notice(), unit(preferences=prefs), local(12)))
    assert result.timing.send_at == local(6, 30, day=26)


def _states(result: DeliveryPlan) -> dict[str, LanguageState]:
    return {v.language: v.state for v in result.languages}


def test_send_vi_now_sends_vietnamese_and_waits_for_translation() -> None:
    u = unit(languages=("vi", "jra"))
    notice = build_notice(translation_policy=TranslationPolicy.VI_FIRST)
    result = plan(plan_delivery(notice, u, T0))
    assert _states(result) == {
        "vi": LanguageState.READY,
        "jra": LanguageState.AWAITING_TRANSLATION,
    }
    assert result.languages_to_send() == ("vi",)
    assert result.pending_languages() == ("jra",)


def test_wait_policy_holds_everything_until_translations_are_approved() -> None:
    u = unit(languages=("jra", "bdq"))
    notice = build_notice(translation_policy=TranslationPolicy.WAIT)
    waiting = plan(plan_delivery(notice, u, T0, approved_languages={"jra"}))
    assert _states(waiting) == {
        "vi": LanguageState.HELD,
        "jra": LanguageState.HELD,
        "bdq": LanguageState.AWAITING_TRANSLATION,
    }
    assert waiting.languages_to_send() == ()
    ready = plan(plan_delivery(notice, u, T0, approved_languages={"jra", "bdq"}))
    assert ready.languages_to_send() == ("vi", "jra", "bdq")


def test_languages_without_workflow_are_reported_not_dropped() -> None:
    result = plan(plan_delivery(build_notice(), unit(languages=("vi", "en")), T0))
    assert result.unsupported_languages == ("en",)
    assert result.languages_to_send() == ("vi",)


def test_plan_is_deterministic() -> None:
    now = T0 + timedelta(minutes=5)
    assert plan_delivery(build_notice(), unit(), now) == plan_delivery(build_notice(), unit(), now)
