"""Token bucket per channel; pure, the caller passes ``now`` and stores the returned bucket."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from .errors import ValidationFailedError
from .vocabulary import Channel


@dataclass(frozen=True)
class TokenBucket:
    capacity: float
    refill_per_second: float
    tokens: float
    updated_at: datetime

    def __post_init__(self) -> None:
        if self.capacity <= 0 or self.refill_per_second <= 0:
            raise ValidationFailedError("bucket capacity and rate must be positive", {})

    @classmethod
    def full(cls, capacity: float, refill_per_second: float, now: datetime) -> TokenBucket:
        return cls(capacity, refill_per_second, capacity, now)

    def refilled(self, now: datetime) -> TokenBucket:
        elapsed = max(0.0, (now - self.updated_at).total_seconds())  # clock skew: no refill
        tokens = min(self.capacity, self.tokens + elapsed * self.refill_per_second)
        return replace(self, tokens=tokens, updated_at=max(now, self.updated_at))


@dataclass(frozen=True)
class TakeResult:
    bucket: TokenBucket
    allowed: bool
    retry_after_seconds: float  # 0 when allowed


def try_take(bucket: TokenBucket, now: datetime, tokens: float = 1.0) -> TakeResult:
    if tokens > bucket.capacity:
        raise ValidationFailedError(
            "request exceeds bucket capacity", {"tokens": tokens, "capacity": bucket.capacity}
        )
    current = bucket.refilled(now)
    if current.tokens >= tokens:
        return TakeResult(replace(current, tokens=current.tokens - tokens), True, 0.0)
    wait = (tokens - current.tokens) / current.refill_per_second
    return TakeResult(current, False, wait)


@dataclass(frozen=True)
class RateLimit:
    capacity: float
    refill_per_second: float


DEFAULT_RATE_LIMITS: Mapping[Channel, RateLimit] = {
    Channel.EMAIL: RateLimit(capacity=50, refill_per_second=10),
    Channel.SMS: RateLimit(capacity=20, refill_per_second=5),
    Channel.ZALO: RateLimit(capacity=20, refill_per_second=5),
    Channel.TELEGRAM: RateLimit(capacity=30, refill_per_second=25),
    Channel.WEBHOOK: RateLimit(capacity=100, refill_per_second=50),
    Channel.INBOX: RateLimit(capacity=1000, refill_per_second=1000),
}


def bucket_for(
    channel: Channel, now: datetime, limits: Mapping[Channel, RateLimit] = DEFAULT_RATE_LIMITS
) -> TokenBucket:
    limit = limits[channel]
    return TokenBucket.full(limit.capacity, limit.refill_per_second, now)
