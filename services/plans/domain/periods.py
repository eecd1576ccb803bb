"""Calendar periods (month, quarter, year, whole plan), their keys and local dates.

Keys: ``2021-M03`` (March 2021), ``2021-Q1``, ``2021-Y``, ``PLAN`` (whole plan) and ``ONCE``
(the single deadline of a non-recurring task). Dates are local to Vietnam (UTC+7, no DST).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from .errors import ValidationFailed
from .vocabulary import PeriodKind

LOCAL_TZ = timezone(timedelta(hours=7), "ICT")
WHOLE_PLAN_KEY = "PLAN"
ONCE_KEY = "ONCE"

_KEY_RE = re.compile(r"^(\d{4})-(?:M(0[1-9]|1[0-2])|Q([1-4])|(Y))$")


def local_date(at: datetime) -> date:
    """The calendar date in Vietnam of an instant; a naive datetime is taken as local time."""
    if at.tzinfo is None:
        return at.date()
    return at.astimezone(LOCAL_TZ).date()


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    key: str
    start: date
    end: date  # inclusive

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def within(self, other: Period) -> bool:
        return other.start <= self.start and self.end <= other.end


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def month_period(year: int, month: int) -> Period:
    return Period(PeriodKind.MONTHLY, f"{year:04d}-M{month:02d}", date(year, month, 1),
                  _month_end(year, month))


def quarter_period(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(PeriodKind.QUARTERLY, f"{year:04d}-Q{quarter}", date(year, first, 1),
                  _month_end(year, first + 2))


def year_period(year: int) -> Period:
    return Period(PeriodKind.YEARLY, f"{year:04d}-Y", date(year, 1, 1), date(year, 12, 31))


def whole_plan_period(start: date, end: date) -> Period:
    return Period(PeriodKind.WHOLE_PLAN, WHOLE_PLAN_KEY, start, end)


def period_of(kind: PeriodKind, day: date) -> Period:
    """The calendar period of ``kind`` containing ``day`` (not for ``WHOLE_PLAN``)."""
    if kind is PeriodKind.MONTHLY:
        return month_period(day.year, day.month)
    if kind is PeriodKind.QUARTERLY:
        return quarter_period(day.year, (day.month - 1) // 3 + 1)
    if kind is PeriodKind.YEARLY:
        return year_period(day.year)
    raise ValidationFailed("a whole-plan period needs the plan's bounds", {"kind": kind.value})


def previous_period(period: Period) -> Period:
    return period_of(period.kind, period.start - timedelta(days=1))


def next_period(period: Period) -> Period:
    return period_of(period.kind, period.end + timedelta(days=1))


def parse_period_key(key: str) -> Period:
    """Parse ``2021-M03`` / ``2021-Q1`` / ``2021-Y``; raises ``ValidationFailed`` otherwise."""
    match = _KEY_RE.match(key)
    if match is None:
        raise ValidationFailed(f"invalid period key {key!r}", {"period_key": key})
    year = int(match.group(1))
    if match.group(2):
        return month_period(year, int(match.group(2)))
    if match.group(3):
        return quarter_period(year, int(match.group(3)))
    return year_period(year)


def is_valid_period_key(key: str) -> bool:
    return key in (WHOLE_PLAN_KEY, ONCE_KEY) or _KEY_RE.match(key) is not None


@lru_cache(maxsize=4096)
def periods_between(kind: PeriodKind, start: date, end: date) -> tuple[Period, ...]:
    """Every period of ``kind`` that overlaps ``[start, end]``, in order.

    Cached: the tasks of a plan share a few windows, and a progress summary asks for each
    task's periods several times (buckets, percentages, KPI rows).
    """
    if kind is PeriodKind.WHOLE_PLAN:
        return (whole_plan_period(start, end),)
    result: list[Period] = []
    if end < start:
        return ()
    current = period_of(kind, start)
    while current.start <= end:
        result.append(current)
        current = next_period(current)
    return tuple(result)
