"""Organisation units as dated data, and unit groups that resolve to unit ids on a date.

Reorganisations (the 2025 abolition of districts, the provincial merger) are data edits:
close the old units with ``valid_to`` and add new units with ``valid_from``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Generic, TypeVar

from .audit import AuditEntry, FieldChange
from .errors import Conflict, ValidationFailed
from .vocabulary import ContactKind, PressSubtype, UnitType


@dataclass(frozen=True, slots=True)
class Contact:
    kind: ContactKind
    address: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class AreaCodes:
    """Administrative area codes (GSO style); ``None`` where the level does not apply."""

    province: str | None = None
    district: str | None = None
    commune: str | None = None

    def within(self, other: AreaCodes) -> bool:
        """True when every code set on ``other`` equals the code on ``self``."""
        return all(
            want is None or want == have
            for want, have in (
                (other.province, self.province),
                (other.district, self.district),
                (other.commune, self.commune),
            )
        )


@dataclass(frozen=True, slots=True)
class FormerName:
    """A name the unit bore until ``until`` (inclusive): a renaming that kept the unit."""

    name: str
    short_name: str
    until: date


@dataclass(frozen=True, slots=True)
class OrgUnit:
    id: str
    type: UnitType
    name: str
    short_name: str
    valid_from: date
    valid_to: date | None = None  # inclusive; None = still valid
    subtype: PressSubtype | None = None
    parent_id: str | None = None
    area: AreaCodes = field(default_factory=AreaCodes)
    languages: tuple[str, ...] = ("vi",)
    contacts: tuple[Contact, ...] = ()
    # The units that took over its work when it ended (a merger: one; a split: several).
    successor_ids: tuple[str, ...] = ()
    former_names: tuple[FormerName, ...] = ()  # oldest first

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.id in self.successor_ids:
            problems.append("a unit cannot succeed itself")
        for former in self.former_names:
            if former.until < self.valid_from or (
                    self.valid_to is not None and former.until >= self.valid_to):
                problems.append(f"former name {former.name!r} ends outside the unit's validity")
        if not self.id.strip():
            problems.append("id must not be empty")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            problems.append("valid_to is before valid_from")
        if self.subtype is not None and self.type is not UnitType.PRESS_OUTLET:
            problems.append("only press outlets have a subtype")
        if not self.languages:
            problems.append("at least one audience language is required")
        ValidationFailed.if_any(problems, f"invalid unit {self.id!r}", {"unit_id": self.id})

    def is_active(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def named_on(self, day: date) -> OrgUnit:
        """The unit as it was called on ``day`` (its current name after the last renaming)."""
        for former in sorted(self.former_names, key=lambda f: f.until):
            if day <= former.until:
                return replace(self, name=former.name, short_name=former.short_name)
        return self


@dataclass(frozen=True, slots=True)
class UnitSelector:
    """Matches units by type, subtype, area, parent; empty criteria match everything.

    Explicit ``unit_ids`` are added to the match (if active on the date).
    """

    types: frozenset[UnitType] = frozenset()
    subtypes: frozenset[PressSubtype] = frozenset()
    area: AreaCodes | None = None
    parent_id: str | None = None
    unit_ids: frozenset[str] = frozenset()

    def matches(self, unit: OrgUnit) -> bool:
        if unit.id in self.unit_ids:
            return True
        if self.unit_ids and not (self.types or self.subtypes or self.area or self.parent_id):
            return False
        if self.types and unit.type not in self.types:
            return False
        if self.subtypes and unit.subtype not in self.subtypes:
            return False
        if self.area is not None and not unit.area.within(self.area):
            return False
        return self.parent_id is None or unit.parent_id == self.parent_id


@dataclass(frozen=True, slots=True)
class UnitGroup:
    id: str
    name: str
    selector: UnitSelector


def resolve_group(group: UnitGroup | UnitSelector, units: Iterable[OrgUnit], on: date) -> list[str]:
    """Ids (sorted) of the units that match the group and are active on ``on``."""
    selector = group.selector if isinstance(group, UnitGroup) else group
    return sorted(u.id for u in units if u.is_active(on) and selector.matches(u))


def check_unit_among(unit: OrgUnit, others: Iterable[OrgUnit]) -> None:
    """A unit joins (or changes in) the directory of the others: its successors exist and no
    other unit uses its short name in an overlapping validity period."""
    others = list(others)
    UnitDirectory([*others, unit])  # duplicate ids are impossible; validates the set
    unknown = sorted(set(unit.successor_ids) - {other.id for other in others})
    if unknown:
        raise ValidationFailed(f"unknown successor units {unknown}",
                               {"field": "successor_ids", "unit_ids": unknown})
    for other in others:
        if (other.short_name.casefold() == unit.short_name.casefold()
                and other.valid_from <= (unit.valid_to or date.max)
                and unit.valid_from <= (other.valid_to or date.max)):
            raise Conflict(f"short name {unit.short_name!r} is used by {other.id!r} in an "
                           "overlapping validity period", {"field": "short_name"})


Listed = TypeVar("Listed", bound=OrgUnit | UnitGroup)


@dataclass(slots=True)
class DirectoryEntry(Generic[Listed]):
    """A unit or a group of the directory as a change holds it: its value, and the journal
    entries of its changes until the unit of work stores them."""

    value: Listed
    audit: list[AuditEntry] = field(default_factory=list)

    def change(self, value: Listed, entry: AuditEntry | None) -> None:
        """Take the value, with the journal entry of the change (if it has one)."""
        self.value = value
        if entry is not None:
            self.audit.append(entry)

    def change_if(self, value: Listed, changes: tuple[FieldChange, ...],
                  entry: AuditEntry) -> bool:
        """Take the value and record the entry when it changes anything."""
        if changes:
            self.change(value, entry)
        return bool(changes)


ALL_PRESS_OUTLETS = UnitGroup(
    "all-press-outlets", "All press outlets", UnitSelector(types=frozenset({UnitType.PRESS_OUTLET}))
)
ALL_CULTURE_OFFICES = UnitGroup(
    "all-culture-offices",
    "All district culture offices",
    UnitSelector(types=frozenset({UnitType.DISTRICT_CULTURE_OFFICE})),
)


class UnitDirectory:
    """Read-only lookup of units by id or short name, restricted to those active on a date."""

    def __init__(self, units: Iterable[OrgUnit]) -> None:
        self._by_id: dict[str, OrgUnit] = {}
        for unit in units:
            if unit.id in self._by_id:
                raise ValidationFailed(f"duplicate unit id {unit.id!r}", {"unit_id": unit.id})
            self._by_id[unit.id] = unit

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._by_id

    def units(self) -> list[OrgUnit]:
        return list(self._by_id.values())

    def get(self, unit_id: str) -> OrgUnit | None:
        return self._by_id.get(unit_id)

    def lookup(self, ref: str, on: date) -> OrgUnit | None:
        """Find a unit active on ``on`` by id, else by (case-insensitive) short name."""
        unit = self._by_id.get(ref)
        if unit is not None:
            return unit if unit.is_active(on) else None
        wanted = ref.strip().casefold()
        for candidate in self._by_id.values():
            if candidate.short_name.casefold() == wanted and candidate.is_active(on):
                return candidate
        return None

    def require_active(self, unit_id: str, on: date, field_name: str = "unit_id") -> OrgUnit:
        unit = self._by_id.get(unit_id)
        if unit is None or not unit.is_active(on):
            raise ValidationFailed(
                f"unknown or inactive unit {unit_id!r} on {on.isoformat()}",
                {"field": field_name, "unit_id": unit_id, "on": on.isoformat()},
            )
        return unit
