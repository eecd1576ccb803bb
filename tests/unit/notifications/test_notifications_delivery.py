import random
from dataclasses import replace
from datetime import timedelta

import pytest
from notifications_fixtures import T0

from services.notifications.domain.delivery import (
    Delivery,
    RetryPolicy,
    apply_report,
    classify_http_status,
    expire_if_due,
    idempotency_key,
    is_due,
    new_delivery,
    record_attempt,
)
from services.notifications.domain.errors import InvalidTransitionError
from services.notifications.domain.vocabulary import (
    AttemptOutcome,
    Channel,
    DeliveryStatus,
    ReportStatus,
)

POLICY = RetryPolicy(max_attempts=3, base_delay=timedelta(seconds=30))
PLAN_CHANNELS = (Channel.EMAIL, Channel.ZALO, Channel.SMS)


class MaxRng:
    """Deterministic RNG returning the upper bound, to observe the backoff ceiling."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.calls.append((a, b))
        return b


def email_delivery(**overrides: object) -> Delivery:
    delivery = new_delivery(
        "ntc-1",
        "unit-chupah",
        Channel.EMAIL,
        "vi",
        "vhtt.chupah@gialai.gov.vn",
        now=T0,
        plan_channels=PLAN_CHANNELS,
    )
    return replace(delivery, **overrides)  # type: ignore[arg-type]


def test_idempotency_key_is_deterministic_and_distinct() -> None:
    key = idempotency_key("ntc-1", "unit-a", Channel.SMS, "vi")
    assert key == idempotency_key("ntc-1", "unit-a", "sms", "vi")
    assert key.startswith("dlv_")
    others = {
        idempotency_key("ntc-1", "unit-a", Channel.SMS, "jra"),
        idempotency_key("ntc-1", "unit-a", Channel.EMAIL, "vi"),
        idempotency_key("ntc-1", "unit-b", Channel.SMS, "vi"),
        idempotency_key("ntc-2", "unit-a", Channel.SMS, "vi"),
        idempotency_key("ntc-1|unit", "a", Channel.SMS, "vi"),
    }
    assert key not in others and len(others) == 5
    assert email_delivery().key == idempotency_key("ntc-1", "unit-chupah", Channel.EMAIL, "vi")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, AttemptOutcome.OK),
        (202, AttemptOutcome.OK),
        (429, AttemptOutcome.TRANSIENT),
        (503, AttemptOutcome.TRANSIENT),
        (408, AttemptOutcome.TRANSIENT),
        (400, AttemptOutcome.PERMANENT),
        (404, AttemptOutcome.PERMANENT),
    ],
)
def test_http_status_classification(status: int, outcome: AttemptOutcome) -> None:
    assert classify_http_status(status) is outcome


def test_ok_without_reports_is_delivered() -> None:
    delivered = record_attempt(email_delivery(), AttemptOutcome.OK, T0, policy=POLICY, rng=MaxRng())
    assert delivered.status is DeliveryStatus.DELIVERED
    assert len(delivered.attempts) == 1


def test_transient_errors_back_off_exponentially_with_full_jitter_then_fall_back() -> None:
    rng = MaxRng()
    d = email_delivery()
    d = record_attempt(d, AttemptOutcome.TRANSIENT, T0, policy=POLICY, rng=rng, reason="503")
    assert d.status is DeliveryStatus.RETRYING
    assert d.next_attempt_at == T0 + timedelta(seconds=30)
    assert not is_due(d, T0 + timedelta(seconds=29)) and is_due(d, T0 + timedelta(seconds=30))
    t1 = T0 + timedelta(seconds=30)
    d = record_attempt(d, AttemptOutcome.TRANSIENT, t1, policy=POLICY, rng=rng, reason="timeout")
    assert d.next_attempt_at == t1 + timedelta(seconds=60)
    assert rng.calls == [(0.0, 30.0), (0.0, 60.0)]
    d = record_attempt(d, AttemptOutcome.TRANSIENT, t1, policy=POLICY, rng=rng, reason="conn")
    assert d.status is DeliveryStatus.FAILED
    assert d.fallback_channel is Channel.ZALO
    assert [a.number for a in d.attempts] == [1, 2, 3]


def test_jitter_uses_the_injected_rng_and_respects_the_cap() -> None:
    policy = RetryPolicy(
        max_attempts=20, base_delay=timedelta(seconds=30), max_delay=timedelta(minutes=5)
    )
    assert policy.delay(10, MaxRng()) == timedelta(minutes=5)
    a = policy.delay(3, random.Random(7))
    assert a == policy.delay(3, random.Random(7))
    assert timedelta(0) <= a <= timedelta(seconds=120)


def test_permanent_error_fails_at_once_with_reason_and_fallback() -> None:
    d = record_attempt(
        email_delivery(),
        AttemptOutcome.PERMANENT,
        T0,
        policy=POLICY,
        rng=MaxRng(),
        reason="550 mailbox unavailable",
    )
    assert d.status is DeliveryStatus.FAILED
    assert d.failure_reason == "550 mailbox unavailable"
    assert d.fallback_channel is Channel.ZALO


def test_last_channel_has_no_fallback() -> None:
    sms = new_delivery(
        "ntc-1", "unit-a", Channel.SMS, "vi", "+84912345678", now=T0, plan_channels=PLAN_CHANNELS
    )
    failed = record_attempt(sms, AttemptOutcome.PERMANENT, T0, policy=POLICY, rng=MaxRng())
    assert failed.fallback_channel is None


def test_sms_waits_for_the_provider_report_and_reports_are_idempotent() -> None:
    sms = new_delivery("ntc-1", "unit-a", Channel.SMS, "vi", "+84912345678", now=T0)
    sent = record_attempt(
        sms, AttemptOutcome.OK, T0, policy=POLICY, rng=MaxRng(), provider_message_id="sms-77"
    )
    assert sent.status is DeliveryStatus.SENT
    assert sent.provider_message_id == "sms-77"
    delivered, changed = apply_report(sent, ReportStatus.DELIVERED, T0)
    assert changed and delivered.status is DeliveryStatus.DELIVERED
    again, changed = apply_report(delivered, ReportStatus.DELIVERED, T0)
    assert not changed and again == delivered
    late_failure, changed = apply_report(delivered, ReportStatus.FAILED, T0)
    assert not changed and late_failure.status is DeliveryStatus.DELIVERED


def test_failed_report_triggers_fallback() -> None:
    sms = new_delivery(
        "ntc-1", "unit-a", Channel.ZALO, "vi", "0912", now=T0, plan_channels=PLAN_CHANNELS
    )
    sent = record_attempt(sms, AttemptOutcome.OK, T0, policy=POLICY, rng=MaxRng())
    failed, changed = apply_report(sent, ReportStatus.FAILED, T0, reason="user blocked OA")
    assert changed and failed.status is DeliveryStatus.FAILED
    assert failed.fallback_channel is Channel.SMS


def test_invalid_transitions() -> None:
    delivered = email_delivery(status=DeliveryStatus.DELIVERED)
    with pytest.raises(InvalidTransitionError):
        record_attempt(delivered, AttemptOutcome.OK, T0, policy=POLICY, rng=MaxRng())
    with pytest.raises(InvalidTransitionError):
        apply_report(email_delivery(), ReportStatus.DELIVERED, T0)


def test_expiry_after_deadline() -> None:
    d = email_delivery(expires_at=T0 + timedelta(hours=1))
    assert expire_if_due(d, T0) is d
    expired = expire_if_due(d, T0 + timedelta(hours=1))
    assert expired.status is DeliveryStatus.EXPIRED
    assert expire_if_due(expired, T0 + timedelta(hours=2)) is expired
    late = record_attempt(
        d, AttemptOutcome.OK, T0 + timedelta(hours=2), policy=POLICY, rng=MaxRng()
    )
    assert late.status is DeliveryStatus.EXPIRED and late.attempts == ()
