"""Place mentions from an editable gazetteer (ids, variants, validity dates, dated parents)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from .text import NormalisedText, PhraseMatch, PhraseMatcher, fold_phrase, normalise_phrase

__all__ = ["Gazetteer", "GazetteerError", "Place", "PlaceMention"]


class GazetteerError(ValueError):
    """The gazetteer data file is invalid."""


@dataclass(frozen=True, slots=True)
class ParentLink:
    id: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    type: str
    variants: tuple[str, ...]
    parents: tuple[ParentLink, ...]
    valid_from: date | None
    valid_to: date | None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class PlaceMention:
    place_id: str
    surface: str
    start: int
    end: int
    folded: bool  # matched on accent-folded text (lower confidence)


def _bare_name(name: tuple[str, ...]) -> tuple[str, ...] | None:
    """A ward's or commune's name without its unit type ("phường ayun pa" -> "ayun pa")."""
    for prefix in _UNIT_PREFIXES:
        if name[: len(prefix)] == prefix and len(name) > len(prefix):
            return name[len(prefix) :]
    return None


def _date(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise GazetteerError(f"{where}: bad date {value!r}") from exc


# Unit types written before a ward's or commune's own name ("phường Ayun Pa").
_UNIT_PREFIXES = (("phường",), ("xã",), ("thị", "trấn"), ("đặc", "khu"))


class Gazetteer:
    """Finds place mentions; longest non-overlapping variant wins.

    Many wards and communes since the 2025 merger bear the name of an older unit ("phường Ayun
    Pa", the former "thị xã Ayun Pa"). A bare "Ayun Pa" is the older unit, unless the text also
    names the ward: then it is taken for the ward. A ward whose bare name extends another
    place's ("Quy Nhơn Nam", "Quy Nhơn") is also found by its bare name.
    """

    def __init__(self, places: list[Place], exclude: tuple[str, ...] = ()) -> None:
        self.places = {p.id: p for p in places}
        self._exact: PhraseMatcher[str | None] = PhraseMatcher()
        self._folded: PhraseMatcher[str | None] = PhraseMatcher()
        phrases: dict[tuple[str, ...], str] = {}  # normalised name or variant -> place id
        for place in places:
            for variant in (place.name, *place.variants):
                phrases.setdefault(normalise_phrase(variant), place.id)
        # a bare name, as matched (normalised or folded) -> the ward or commune it also names
        self._bare_names: dict[str, str] = {}
        for place in places:
            bare = _bare_name(normalise_phrase(place.name))
            if bare is None:
                continue
            if bare in phrases:
                if phrases[bare] != place.id:
                    self._bare_names[" ".join(bare)] = place.id
                    self._bare_names[" ".join(fold_phrase(" ".join(bare)))] = place.id
            elif any(bare[: len(other)] == other and len(bare) > len(other)
                     for other in phrases):
                place = replace(place, variants=(*place.variants, " ".join(bare)))
                self.places[place.id] = place
        for place in self.places.values():
            for variant in (place.name, *place.variants):
                self._exact.add(normalise_phrase(variant), place.id)
                self._folded.add(fold_phrase(variant), place.id)
        for phrase in exclude:  # payload None: a blocking phrase ("Báo Gia Lai")
            self._exact.add(normalise_phrase(phrase), None)
            self._folded.add(fold_phrase(phrase), None)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Gazetteer:
        raw = data.get("places")
        if not isinstance(raw, list):
            raise GazetteerError("'places' must be a list")
        places: list[Place] = []
        seen: set[str] = set()
        for entry in raw:
            pid = str(entry.get("id", ""))
            if not pid or pid in seen:
                raise GazetteerError(f"missing or duplicate place id {pid!r}")
            seen.add(pid)
            parents = []
            for link in entry.get("parents") or []:
                if isinstance(link, str):
                    parents.append(ParentLink(link, None, None))
                else:
                    parents.append(
                        ParentLink(
                            str(link["id"]),
                            _date(link.get("from"), f"{pid}.parents"),
                            _date(link.get("to"), f"{pid}.parents"),
                        )
                    )
            places.append(
                Place(
                    id=pid,
                    name=str(entry.get("name", pid)),
                    type=str(entry.get("type", "")),
                    variants=tuple(str(v) for v in entry.get("variants") or ()),
                    parents=tuple(parents),
                    valid_from=_date(entry.get("valid_from"), f"{pid}.valid_from"),
                    valid_to=_date(entry.get("valid_to"), f"{pid}.valid_to"),
                )
            )
        for place in places:
            for link in place.parents:
                if link.id not in seen:
                    raise GazetteerError(f"{place.id}: unknown parent {link.id!r}")
        return cls(places, tuple(str(x) for x in data.get("exclude") or ()))

    def matchers(self) -> tuple[PhraseMatcher[str | None], PhraseMatcher[str | None]]:
        """(exact, accent-folded) phrase matchers, for merging into a shared matcher."""
        return self._exact, self._folded

    def find(
        self,
        doc: NormalisedText,
        *,
        on: date | None = None,
        matches: list[PhraseMatch[str | None]] | None = None,
    ) -> list[PlaceMention]:
        """Place mentions in document order; ``on`` keeps only places valid that day."""
        folded = doc.lacks_diacritics
        tokens, token_set = doc.view(folded)
        if matches is None:
            matches = (self._folded if folded else self._exact).find(tokens, token_set)
        if not matches:
            return []
        matches.sort(key=lambda m: (m[0], m[0] - m[1]))
        out: list[PlaceMention] = []
        covered_to = -1
        for m in matches:
            if m[0] < covered_to:
                continue
            covered_to = m[1]
            if m[2] is None:
                continue
            place = self.places[m[2]]
            if on is not None and not place.valid_on(on):
                continue
            out.append(PlaceMention(m[2], " ".join(tokens[m[0] : m[1]]), m[0], m[1], folded))
        named = {m.place_id for m in out}
        return [m for m in out if self._bare_names.get(m.surface) not in named]

    def place_ids(self, doc: NormalisedText, *, on: date | None = None) -> list[str]:
        """Distinct place ids mentioned, in order of first mention."""
        return list(dict.fromkeys(m.place_id for m in self.find(doc, on=on)))

    def parent(self, place_id: str, on: date | None = None) -> str | None:
        """Parent id valid on ``on`` (the latest link when ``on`` is None)."""
        links = self.places[place_id].parents
        if not links:
            return None
        if on is None:
            return links[-1].id
        for link in links:
            if (link.valid_from is None or link.valid_from <= on) and (
                link.valid_to is None or on <= link.valid_to
            ):
                return link.id
        return None

    def ancestors(self, place_id: str, on: date | None = None) -> list[str]:
        out: list[str] = []
        current = self.parent(place_id, on)
        while current is not None and current not in out:
            out.append(current)
            current = self.parent(current, on)
        return out
