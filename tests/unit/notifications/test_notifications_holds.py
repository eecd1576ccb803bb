"""Translation policies, their deadline, held versions and their release, resend, masking."""

from datetime import timedelta

import pytest
from notifications_fixtures import T0, build_notice

from services.notifications.domain.delivery import message_key, new_delivery, release, resend
from services.notifications.domain.errors import InvalidTransitionError, ValidationFailedError
from services.notifications.domain.holds import version_steps
from services.notifications.domain.masking import mask_address
from services.notifications.domain.notices import default_translation_deadline
from services.notifications.domain.planning import DeliveryPlan, plan_delivery
from services.notifications.domain.preferences import Contact, RecipientUnit
from services.notifications.domain.vocabulary import (
    Channel,
    DeliveryStatus,
    HoldReason,
    Priority,
    ReleaseReason,
    Step,
    TranslationPolicy,
)

JRAI_UNIT = RecipientUnit("pvhtt-ia-grai", "Phòng Văn hóa và Thông tin huyện Ia Grai",
                          contacts=(Contact(Channel.EMAIL, "vhtt.ia-grai@gialai.example.org"),),
                          languages=("vi", "jra"))


def plan(notice, now=T0, approved=()) -> DeliveryPlan:
    result = plan_delivery(notice, JRAI_UNIT, now, approved)
    assert isinstance(result, DeliveryPlan)
    return result


def held(language: str, reason: HoldReason):
    return new_delivery("ntc-1", JRAI_UNIT.unit_id, Channel.EMAIL, language,
                        "vhtt.ia-grai@gialai.example.org", now=T0, hold=reason)


def test_the_former_policy_name_still_means_vi_first() -> None:
    assert TranslationPolicy("send_vi_now") is TranslationPolicy.VI_FIRST
    with pytest.raises(ValueError):
        TranslationPolicy("later")


def test_default_deadline_is_two_days_but_at_most_half_way_to_the_ack_deadline() -> None:
    assert default_translation_deadline(T0, None) == T0 + timedelta(hours=48)
    assert default_translation_deadline(T0, T0 + timedelta(days=7)) == T0 + timedelta(hours=48)
    assert default_translation_deadline(T0, T0 + timedelta(hours=24)) == T0 + timedelta(hours=12)


def test_wait_holds_the_vietnamese_copy_until_the_deadline_only() -> None:
    deadline = T0 + timedelta(hours=48)
    notice = build_notice(translation_policy=TranslationPolicy.WAIT,
                          translation_deadline=deadline)
    assert notice.holds_for_translation(T0) is True
    assert plan(notice).languages_to_send() == ()
    assert notice.holds_for_translation(deadline) is False
    assert plan(notice, now=deadline).languages_to_send() == ("vi",)
    assert plan(notice, now=deadline).pending_languages() == ("jra",)


def test_critical_and_vi_first_notices_never_hold_the_vietnamese_copy() -> None:
    critical = build_notice(translation_policy=TranslationPolicy.WAIT, priority=Priority.CRITICAL)
    assert critical.holds_for_translation(T0) is False
    assert build_notice().holds_for_translation(T0) is False


def test_a_translation_deadline_must_follow_creation() -> None:
    with pytest.raises(ValidationFailedError) as info:
        build_notice(translation_deadline=T0 - timedelta(minutes=1))
    assert "translation_deadline must be after created_at" in info.value.details["problems"]


def test_first_planning_holds_what_may_not_go_with_its_reason() -> None:
    wait = build_notice(translation_policy=TranslationPolicy.WAIT)
    steps = {s.language: s for s in version_steps(plan(wait), [])}
    assert steps["vi"].step is Step.HOLD
    assert steps["vi"].hold_reason is HoldReason.WAITING_FOR_TRANSLATIONS
    assert steps["jra"].hold_reason is HoldReason.AWAITING_TRANSLATION
    vi_first = {s.language: s.step for s in version_steps(plan(build_notice()), [])}
    assert vi_first == {"vi": Step.SEND, "jra": Step.HOLD}


def test_approval_releases_the_held_versions_once() -> None:
    wait = build_notice(translation_policy=TranslationPolicy.WAIT)
    existing = [held("vi", HoldReason.WAITING_FOR_TRANSLATIONS),
                held("jra", HoldReason.AWAITING_TRANSLATION)]
    steps = version_steps(plan(wait, approved={"jra"}), existing)
    assert [(s.language, s.step, s.release_reason) for s in steps] == [
        ("vi", Step.RELEASE, ReleaseReason.TRANSLATION_APPROVED),
        ("jra", Step.RELEASE, ReleaseReason.TRANSLATION_APPROVED)]
    released = [release(d, T0) for d in existing]
    assert version_steps(plan(wait, approved={"jra"}), released) == []


def test_the_deadline_releases_the_vietnamese_copy_and_says_so() -> None:
    deadline = T0 + timedelta(hours=1)
    wait = build_notice(translation_policy=TranslationPolicy.WAIT, translation_deadline=deadline)
    existing = [held("vi", HoldReason.WAITING_FOR_TRANSLATIONS),
                held("jra", HoldReason.AWAITING_TRANSLATION)]
    [step] = version_steps(plan(wait, now=deadline), existing)
    assert (step.language, step.step, step.release_reason) == (
        "vi", Step.RELEASE, ReleaseReason.TRANSLATION_DEADLINE)


def test_held_deliveries_are_never_attempted_and_release_makes_them_due() -> None:
    delivery = held("jra", HoldReason.AWAITING_TRANSLATION)
    assert delivery.status is DeliveryStatus.HELD and delivery.next_attempt_at is None
    later = T0 + timedelta(minutes=5)
    due = release(delivery, later)
    assert (due.status, due.next_attempt_at, due.hold_reason) == (
        DeliveryStatus.PENDING, later, None)
    with pytest.raises(InvalidTransitionError):
        release(due, later)


def test_resend_only_what_is_over_under_a_new_message_key() -> None:
    delivery = new_delivery("ntc-1", "bao-gia-lai", Channel.WEBHOOK, "vi",
                            "https://hooks.example.org/bao", now=T0,
                            expires_at=T0 + timedelta(hours=1))
    with pytest.raises(InvalidTransitionError, match="still being sent"):
        resend(delivery, T0)
    with pytest.raises(InvalidTransitionError, match="held for a translation"):
        resend(held("jra", HoldReason.AWAITING_TRANSLATION), T0)
    from dataclasses import replace

    failed = replace(delivery, status=DeliveryStatus.FAILED, failure_reason="HTTP 410")
    again = resend(failed, T0 + timedelta(hours=3))
    assert again.status is DeliveryStatus.PENDING and again.failure_reason is None
    assert again.expires_at is None  # an officer asked: the ack deadline no longer cuts it off
    assert again.message_key == f"{delivery.key}.r1" != delivery.message_key
    assert message_key(delivery.key, 0) == delivery.key


@pytest.mark.parametrize(("channel", "address", "masked"), [
    (Channel.EMAIL, "vhtt.ia-grai@gialai.example.org", "v***i@gialai.example.org"),
    (Channel.EMAIL, "ab@x.vn", "a***@x.vn"),
    (Channel.SMS, "+84912345678", "+84***678"),
    (Channel.WEBHOOK, "https://hooks.example.org/gl-bao?token=secret", "https://hooks.example.org/***"),
    (Channel.ZALO, "example-vhtt-ia-grai", "ex***ai"),
    (Channel.TELEGRAM, "@abc", "@***"),
    (Channel.INBOX, "pvhtt-ia-grai", "pvhtt-ia-grai"),
])
def test_addresses_are_masked_per_channel(channel: Channel, address: str, masked: str) -> None:
    assert mask_address(channel, address) == masked
