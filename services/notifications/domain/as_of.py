"""The date a notice resolves its recipients on: units and groups as they were then, the
issuer named as it was then. A plan of 2021 keeps pointing at the units of 2021."""

from __future__ import annotations

from datetime import date


def plan_as_of(year: int | None, issued_on: date | None, today: date) -> date:
    """A day of the plan's period: today while the plan's year runs; for a plan of another
    year, the day it was issued (or, not issued yet, 1 January of its year)."""
    if year is None or year == today.year:
        return today
    if issued_on is not None and issued_on.year == year:
        return issued_on
    return date(year, 1, 1)

