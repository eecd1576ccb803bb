"""Place mentions from the gazetteer: every unit of Vietnam before and after the 2025 reform
(places_data), found with one phrase automaton and resolved by context when a name is
shared by several places."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .places_data import (
    REFORM,
    GazetteerError,
    ParentLink,
    Place,
    Variant,
    compile_places,
    load_places,
)
from .text import NormalisedText, PhraseMatch, PhraseMatcher, fold_phrase, normalise_phrase

__all__ = ["Gazetteer", "GazetteerError", "ParentLink", "Place", "PlaceMention", "load_places"]

# Candidates of one phrase: (place id, needs context) pairs; None marks a blocking phrase.
Candidates = tuple[tuple[str, bool], ...]
_FAR = 1 << 30  # the source's default place supports a name, but less than the text does
_BUILT: dict[tuple[int, int, str], Gazetteer] = {}


@dataclass(frozen=True, slots=True)
class PlaceMention:
    place_id: str
    surface: str
    start: int
    end: int
    folded: bool  # matched on accent-folded text (lower confidence)
    bare: bool = False  # named without its unit type


class Gazetteer:
    """Finds place mentions; the longest non-overlapping phrase wins, then each is resolved.

    A phrase names one or more places ("phường An Phú" is a ward in a dozen provinces, old and
    new). Resolution, for each mention:
    - the places it may be are kept when they all lie in one province and the phrase needs no
      context (our variants, a unique official name): it is an *anchor*;
    - otherwise a place is kept only when the context supports it: an anchor of the same
      province (or district) elsewhere in the text, the nearest one winning, or failing that
      the source's default place. Unsupported, the mention is dropped: a name shared with
      another province is never taken for ours by default;
    - among places left in one province (the old ward and the new ward of one name), the one
      valid on the item's day, else the current one.
    A bare name derived from a commune ("Ia Hrú") always needs context; a bare name that is
    also a ward's official name is dropped when the text names that ward in full ("Ayun Pa"
    beside "phường Ayun Pa").
    """

    def __init__(self, places: Iterable[Place], variants: Iterable[Variant] = (),
                 exclude: Iterable[str] = (), home: str | None = None) -> None:
        self.places = {p.id: p for p in places}
        self.home = home if home in self.places else None
        self._exact: PhraseMatcher[Candidates | None] = PhraseMatcher()
        self._folded: PhraseMatcher[Candidates | None] = PhraseMatcher()
        variants = list(variants)
        for form, key in ((self._exact, normalise_phrase), (self._folded, fold_phrase)):
            table: dict[tuple[str, ...], dict[str, bool]] = {}
            keys: dict[str, tuple[str, ...]] = {}
            for variant in variants:
                if form is self._folded and not variant.folded:
                    continue  # without diacritics "hội phụ nữ" reads "Hội Phú"
                phrase = keys.get(variant.text)
                if phrase is None:
                    phrase = keys[variant.text] = key(variant.text)
                entry = table.setdefault(phrase, {})
                entry[variant.place_id] = entry.get(variant.place_id, True) and variant.bare
            for blocking in exclude:  # "Bao Gia Lai" typed plainly in a text with diacritics
                form.add(key(blocking), None)
                if form is self._exact and fold_phrase(blocking) != key(blocking):
                    form.add(fold_phrase(blocking), None)
            for syllables, ids in table.items():
                if not all(ids.values()):  # our own or official names beat derived bare ones
                    ids = {pid: False for pid, bare in ids.items() if not bare}
                form.add(syllables, tuple(ids.items()))
        self._lineage: dict[str, frozenset[str]] = {}
        self._predecessors: dict[str, list[str]] = {}
        for place in self.places.values():
            for heir in place.successors:
                self._predecessors.setdefault(heir, []).append(place.id)
        self._by_short: dict[str, set[str]] = {}  # a commune's bare name -> communes
        self._folded_surface: dict[str, str] = {}  # a mention's surface -> its folded key
        for place in self.places.values():
            if place.type in ("ward", "commune", "township", "special_zone"):
                self._by_short.setdefault(" ".join(fold_phrase(place.short)), set()).add(place.id)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Gazetteer:
        """Built once per distinct data (a second of work for 14,000 units): a pipeline is
        rebuilt whenever the topics change, and the gazetteer is immutable."""
        if not isinstance(data.get("places"), list) and not data.get("units"):
            raise GazetteerError("'places' must be a list")
        units = data.get("units") or ()
        key = (len(units), hash(tuple(tuple(row.values()) for row in units)),
               repr({k: v for k, v in data.items() if k != "units"}))
        hit = _BUILT.get(key)
        if hit is not None:
            return hit
        places, variants = compile_places(data)
        built = cls(places, variants, tuple(str(x) for x in data.get("exclude") or ()),
                    str(data.get("home") or "") or None)
        _BUILT.clear()  # one kept: the data in use (not the rows it was built from)
        _BUILT[key] = built
        return built

    def matchers(self) -> tuple[PhraseMatcher[Candidates | None],
                                PhraseMatcher[Candidates | None]]:
        """(exact, accent-folded) phrase matchers, for merging into a shared matcher."""
        return self._exact, self._folded

    def lineage(self, place_id: str) -> frozenset[str]:
        """The place and every unit it lay in at any time (both sides of the reform)."""
        hit = self._lineage.get(place_id)
        if hit is None:
            out = {place_id}
            for link in self.places[place_id].parents:
                out |= self.lineage(link.id)
            hit = self._lineage[place_id] = frozenset(out)
        return hit

    def _shared(self, a: str, b: str) -> bool:
        """Whether two places lie in one unit below the country, at some time."""
        common = self.lineage(a) & self.lineage(b)
        return any(self.places[c].type != "country" for c in common)

    def find(
        self,
        doc: NormalisedText,
        *,
        on: date | None = None,
        matches: list[PhraseMatch[Any]] | None = None,
        day: date | None = None,
        context: Iterable[str] = (),
    ) -> list[PlaceMention]:
        """Place mentions in document order. ``on`` keeps only places valid that day; ``day``
        (the item's date) chooses between an old and a new unit of one name; ``context`` (the
        source's default place) supports shared names the text does not settle."""
        folded = doc.lacks_diacritics
        tokens, token_set = doc.view(folded)
        if matches is None:
            matches = (self._folded if folded else self._exact).find(tokens, token_set)
        if not matches:
            return []
        matches.sort(key=lambda m: (m[0], m[0] - m[1]))
        spans: list[tuple[int, int, Candidates | None]] = []
        covered_to = -1
        for start, end, payload in matches:  # official names, ours and blocking phrases
            if start >= covered_to and (payload is None or not payload[0][1]):
                covered_to = end
                spans.append((start, end, payload))
        taken = list(spans)
        for start, end, payload in matches:  # then bare names, where those left room
            if payload is not None and payload[0][1] and all(
                    end <= s or e <= start for s, e, _ in taken):
                taken.append((start, end, payload))
                spans.append((start, end, payload))
        spans.sort(key=lambda span: span[0])
        anchors = [(start, cands[0][0]) for start, _, cands in spans
                   if cands is not None and self._anchor(cands)]
        home = self.home
        at_home = home is not None and all(home in self.lineage(a) for _, a in anchors)
        default = [pid for pid in context if pid in self.places]
        out: list[PlaceMention] = []
        for start, end, cands in spans:
            if cands is None:
                continue
            pid = self._resolve(cands, start, anchors, default, day, at_home)
            if pid is None or (on is not None and not self.places[pid].valid_on(on)):
                continue
            out.append(PlaceMention(pid, " ".join(tokens[start:end]), start, end, folded,
                                    any(bare for _, bare in cands)))
        named = {m.place_id for m in out}
        return [m for m in out if not (self._by_short.get(self._short_key(m.surface),
                                                          set()) & named) - {m.place_id}]

    def _short_key(self, surface: str) -> str:
        """The folded key of a mention's surface, remembered (the same names recur)."""
        hit = self._folded_surface.get(surface)
        if hit is None:
            if len(self._folded_surface) > 100_000:
                self._folded_surface.clear()
            hit = self._folded_surface[surface] = " ".join(fold_phrase(surface))
        return hit

    def _anchor(self, cands: Candidates) -> bool:
        first = cands[0][0]
        return not cands[0][1] and all(self._shared(first, pid) for pid, _ in cands[1:])

    def _resolve(self, cands: Candidates, at: int, anchors: list[tuple[int, str]],
                 default: list[str], day: date | None, at_home: bool) -> str | None:
        if self._anchor(cands):
            pool = [pid for pid, _ in cands]
        else:
            best, pool = _FAR + 1, []
            for pid, _ in cands:
                distance = min((abs(pos - at) for pos, anchor in anchors
                                if pos != at and self._shared(pid, anchor)), default=None)
                if distance is None and any(self._shared(pid, d) for d in default):
                    distance = _FAR
                if distance is None or distance > best:
                    continue
                pool = [pid] if distance < best else [*pool, pid]
                best = distance
            if not pool and at_home and not default and not cands[0][1]:
                # an official name, and nothing in the text points elsewhere: the home one
                pool = [pid for pid, _ in cands if self.home in self.lineage(pid)]
            if not pool or not all(self._shared(pool[0], pid) for pid in pool[1:]):
                return None
        if len(pool) == 1:
            return pool[0]
        when = day or REFORM
        valid = [pid for pid in pool if self.places[pid].valid_on(when)]
        return (valid or pool)[0]

    def place_ids(self, doc: NormalisedText, *, on: date | None = None) -> list[str]:
        """Distinct place ids mentioned, in order of first mention."""
        return list(dict.fromkeys(m.place_id for m in self.find(doc, on=on)))

    def default_applies(self, default: str, mentions: Iterable[PlaceMention]) -> bool:
        """A source's default place is the item's too unless the text names a place outside
        it that does not contain it (Hà Nội, or another district of the province)."""
        if default not in self.places:
            return False
        return all(default in self.lineage(m.place_id) or m.place_id in self.lineage(default)
                   for m in mentions)

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
        """Parents up to the country on ``on``; a unit named before it existed ("xã Ân Hảo"
        in 2024) lies where the units it was made from lay that day."""
        place = self.places[place_id]
        if on is not None and place.valid_from is not None and on < place.valid_from:
            parts = sorted(self._predecessors.get(place_id, ()),
                           key=lambda pid: -len(self.lineage(pid)))  # communes first
            earlier = {a: None for pred in parts for a in self.ancestors(pred, on)}
            if earlier:
                return list(earlier)
        out: list[str] = []
        current = self.parent(place_id, on)
        while current is not None and current not in out:
            out.append(current)
            current = self.parent(current, on)
        return out

    def successors(self, place_id: str) -> tuple[str, ...]:
        """The units a pre-2025 unit became (the main one first); a province's heir."""
        return self.places[place_id].successors

    def predecessors(self, place_id: str) -> list[str]:
        """The pre-2025 units that became (part of) this one."""
        return list(self._predecessors.get(place_id, ()))

    def across_reform(self, place_id: str) -> tuple[str, ...]:
        """The units on the other side of the 2025 reform that share ground with this one
        (what it became, what it was made from): one place, named as it was or as it is."""
        return (*self.places[place_id].successors, *self._predecessors.get(place_id, ()))
