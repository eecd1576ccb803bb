from datetime import timedelta

import pytest
from notifications_fixtures import T0

from services.notifications.domain.errors import ValidationFailedError
from services.notifications.domain.ratelimit import TokenBucket, bucket_for, try_take
from services.notifications.domain.vocabulary import Channel


def test_bucket_allows_burst_then_limits_and_refills() -> None:
    bucket = TokenBucket.full(capacity=3, refill_per_second=1, now=T0)
    for _ in range(3):
        result = try_take(bucket, T0)
        assert result.allowed
        bucket = result.bucket
    denied = try_take(bucket, T0)
    assert not denied.allowed
    assert denied.retry_after_seconds == pytest.approx(1.0)
    later = try_take(denied.bucket, T0 + timedelta(milliseconds=1500))
    assert later.allowed
    assert later.bucket.tokens == pytest.approx(0.5)


def test_refill_is_capped_and_clock_skew_does_not_add_tokens() -> None:
    bucket = TokenBucket(capacity=2, refill_per_second=1, tokens=0, updated_at=T0)
    assert bucket.refilled(T0 + timedelta(hours=1)).tokens == 2
    assert bucket.refilled(T0 - timedelta(seconds=10)).tokens == 0


def test_request_larger_than_capacity_is_invalid() -> None:
    with pytest.raises(ValidationFailedError):
        try_take(TokenBucket.full(2, 1, T0), T0, tokens=3)


def test_default_bucket_per_channel() -> None:
    assert bucket_for(Channel.SMS, T0).capacity == 20
