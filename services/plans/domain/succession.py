"""Which unit stands for an old one on a later date: the successors recorded on units that
ended (the 2025 mergers and the abolition of districts), followed until units valid then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .units import UnitDirectory
from .vocabulary import SuccessionOutcome


@dataclass(frozen=True, slots=True)
class Succession:
    unit_id: str
    on: date
    outcome: SuccessionOutcome
    candidates: tuple[str, ...] = ()  # the units valid on the date, sorted

    @property
    def unit(self) -> str | None:
        """The one unit standing for ``unit_id`` on the date, or None."""
        if self.outcome in (SuccessionOutcome.SAME, SuccessionOutcome.SUCCEEDED):
            return self.candidates[0]
        return None

    @property
    def reason(self) -> str:
        """Why it maps as it does, in a sentence for the officer."""
        day = self.on.isoformat()
        if self.outcome is SuccessionOutcome.UNKNOWN:
            return f"unit {self.unit_id} is not in the unit directory"
        if self.outcome is SuccessionOutcome.NO_SUCCESSOR:
            return (f"unit {self.unit_id} is not valid on {day} and no successor of it is "
                    "(none recorded)")
        if self.outcome is SuccessionOutcome.AMBIGUOUS:
            return (f"unit {self.unit_id} is not valid on {day}; its work passed to several "
                    f"units valid then ({', '.join(self.candidates)}): choose one")
        if self.outcome is SuccessionOutcome.SUCCEEDED:
            return f"unit {self.unit_id} was succeeded by {self.candidates[0]}"
        return f"unit {self.unit_id} is valid on {day}"


def succession_on(unit_id: str, units: UnitDirectory, on: date) -> Succession:
    """The unit(s) valid on ``on`` that stand for ``unit_id``: itself if valid then, else its
    successors, theirs in turn while they too have ended (cycles tolerated)."""
    unit = units.get(unit_id)
    if unit is None:
        return Succession(unit_id, on, SuccessionOutcome.UNKNOWN)
    if unit.is_active(on):
        return Succession(unit_id, on, SuccessionOutcome.SAME, (unit_id,))
    found: set[str] = set()
    seen = {unit_id}
    frontier = list(unit.successor_ids)
    while frontier:
        current = units.get(frontier.pop())
        if current is None or current.id in seen:
            continue
        seen.add(current.id)
        if current.is_active(on):
            found.add(current.id)
        elif current.valid_to is not None and current.valid_to < on:
            frontier.extend(current.successor_ids)
    candidates = tuple(sorted(found))
    if not candidates:
        return Succession(unit_id, on, SuccessionOutcome.NO_SUCCESSOR)
    if len(candidates) > 1:
        return Succession(unit_id, on, SuccessionOutcome.AMBIGUOUS, candidates)
    return Succession(unit_id, on, SuccessionOutcome.SUCCEEDED, candidates)
