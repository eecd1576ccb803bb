"""Recurring tasks: which period is current at a date, and its deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .errors import ValidationFailed
from .periods import Period, period_of, periods_between
from .vocabulary import PeriodKind, RecurrenceKind

MAX_DEADLINE_OFFSET_DAYS = 27


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A task that is due once per period between ``starts_on`` and ``ends_on``.

    The deadline of a period is its last day plus ``deadline_offset_days`` (e.g. 5 = the
    report for March is due on 5 April).
    """

    kind: RecurrenceKind
    starts_on: date
    ends_on: date
    report_every: PeriodKind | None = None
    deadline_offset_days: int = 0

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.ends_on < self.starts_on:
            problems.append("ends_on is before starts_on")
        if self.kind is RecurrenceKind.REGULAR:
            if self.report_every not in (
                PeriodKind.MONTHLY, PeriodKind.QUARTERLY, PeriodKind.YEARLY
            ):
                problems.append("a regular task needs report_every monthly/quarterly/yearly")
        elif self.report_every is not None and self.report_every is not self._implied():
            problems.append(f"report_every contradicts kind {self.kind.value}")
        if not 0 <= self.deadline_offset_days <= MAX_DEADLINE_OFFSET_DAYS:
            problems.append(f"deadline_offset_days must be 0..{MAX_DEADLINE_OFFSET_DAYS}")
        ValidationFailed.if_any(problems, "invalid recurrence")

    def _implied(self) -> PeriodKind:
        return PeriodKind.MONTHLY if self.kind is RecurrenceKind.MONTHLY else PeriodKind.QUARTERLY

    @property
    def cadence(self) -> PeriodKind:
        if self.kind is RecurrenceKind.REGULAR and self.report_every is not None:
            return self.report_every
        return self._implied()

    def deadline(self, period: Period) -> date:
        return period.end + timedelta(days=self.deadline_offset_days)

    def period_at(self, day: date) -> Period | None:
        """The period containing ``day``, or None outside ``[starts_on, ends_on]``."""
        if not self.starts_on <= day <= self.ends_on:
            return None
        return period_of(self.cadence, day)

    def periods(self) -> tuple[Period, ...]:
        return periods_between(self.cadence, self.starts_on, self.ends_on)

    def final_deadline(self) -> date:
        return self.deadline(period_of(self.cadence, self.ends_on))


def current_period(recurrence: Recurrence, day: date) -> tuple[Period, date] | None:
    """(period, deadline) of the period running on ``day``, or None outside the window."""
    period = recurrence.period_at(day)
    if period is None:
        return None
    return period, recurrence.deadline(period)
