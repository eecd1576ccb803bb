"""Story clusters: items that tell one story in other words (another outlet, a social repost)
join the cluster of the first item that told it, its origin.

The method, kept simple enough to explain an individual link:
- **TF-IDF over accent-folded syllable 1- and 2-grams** of the title and the lead (the first
  `LEAD_SYLLABLES`: a news item tells its story first; numbers are left to the anchors),
  sublinear term frequency, document frequencies counted over the items this process has
  analysed on top of a background corpus (the labelled Gia Lai items kept in `data/eval`), so
  that the boilerplate of crime news ("công an", "đối tượng") weighs little and names, places
  and specific nouns much. An item keeps its `KEPT_TERMS` heaviest terms. The frequencies are
  a statistic of the stream, not shared state: replicas, each seeing part of it, estimate
  the same weights.
- **Anchors** (`anchors.py`): places, dates, ages, quantities, initials. Any conflict vetoes
  a link: two drug busts in one commune a week apart differ in dates, quantities or people.
- A link needs the cosine of the kept vectors at `LINK_ALONE` or more, at `LINK` or more with
  one anchor beyond the places agreeing (a date, age, quantity or initials), or at
  `LINK_ANCHORED` or more with two. Ages agreeing are one fact, and a weak fact alone (an
  age, a small count, a single initial, a commune) counts as none (`_weak`).
- **Candidates** come from an inverted index of each item's rarest terms and its anchors;
  items older than the window (7 days) or beyond `max_items` are evicted, oldest first.

The index holds tuples, bytes, arrays and numbers only (untracked by the garbage collector, as in
`dedup.py`); its entries are plain rows (`entries`, `restore`) so that replicas share them
through the dedup log.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .anchors import anchors_of, by_kind, conflicts_of_kinds
from .eval_files import labelled_files
from .text import BOUNDARY, normalise

__all__ = ["StoryFeatures", "StoryIndex", "StoryMatch", "StoryVectoriser", "anchors_of"]

LEAD_SYLLABLES = 240  # title and lead: the terms of a story
LEAD_CHARS = 1200  # the body's beginning, where its anchors are read
KEPT_TERMS = 48  # terms an item keeps: its vector and the keys it is found under
INDEXED_TERMS = 12  # of those, the heaviest, under which the inverted index files it
MAX_CANDIDATES = 12  # most shared keys first
RECENT_POSTINGS = 32  # a key's latest items looked at (a common term says little)
LOCAL_UNITS = frozenset({"commune", "ward", "township"})  # places named as `l:` anchors
LINK_ALONE = 0.8
LINK = 0.45
LINK_ANCHORED = 0.3
LINK_CORROBORATED = 0.2  # three facts or more agreeing and none conflicting
DF_BUCKETS = 1 << 20  # document frequencies by hashed term (4 MiB, bounded)
_MASK32 = (1 << 32) - 1
_MIX = np.uint64(0x9E3779B97F4A7C15)
_STRONG = ("d:", "a:", "q:", "i:", "l:")  # anchors that say which story, not only roughly where
SMALL_COUNT = 10  # fewer things than this (1 person, 3 motorbikes) many stories of a kind share
_MEASURES = frozenset({"%", "kg", "g", "gam", "gram", "tan", "ta", "lit", "m", "m2", "m3", "km",
                       "ha", "hecta", "trieu", "ty", "nghin", "ngan", "dong", "usd", "nam tu",
                       "thang tu"})


def _weak(anchor: str) -> bool:
    """An anchor that corroborates but cannot carry a link on its own: an age (15 and 17 recur
    in youth-crime stories), a small count, a single initial, a commune (many stories a week
    happen in one)."""
    if anchor.startswith(("a:", "l:")):
        return True
    if anchor.startswith("i:"):
        return len(anchor) <= 3
    if anchor.startswith("q:"):
        _, unit, number = anchor.split(":", 2)
        try:
            return unit not in _MEASURES and float(number) < SMALL_COUNT
        except ValueError:
            return False
    return False


@lru_cache(maxsize=1 << 16)  # anchors recur (ages, places, common quantities)
def _anchor_key(anchor: str) -> int:
    return _hash32(anchor) | (1 << 32)


def _hash32(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "little")


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """What an item brings to the story index: its kept terms (ids, unit-length weights,
    heaviest first), its anchors and the places its places lie within."""

    terms: npt.NDArray[np.uint32]
    weights: npt.NDArray[np.float32]
    anchors: tuple[str, ...]
    closure: frozenset[str]


@dataclass(frozen=True, slots=True)
class StoryMatch:
    """The story an item joined: `origin` None for a story's first item; `reasons` say why
    (the cosine, the anchors that agreed) or, for a near-copy, that it is one."""

    item_id: str
    cluster_id: str
    origin: str | None
    score: float
    reasons: tuple[str, ...] = ()


class StoryVectoriser:
    """Syllable 1-2-gram TF-IDF with document frequencies kept by hashed term."""

    def __init__(self, background: Iterable[tuple[str, str]] = ()) -> None:
        self.df = np.zeros(DF_BUCKETS, dtype=np.uint32)
        self.documents = 0
        self._ids: dict[str, int] = {}
        for title, body in background:
            self.count(self.term_counts(normalise(title, body).folded)[0])

    @classmethod
    def with_background(cls) -> StoryVectoriser:
        """A vectoriser that starts from the background corpus's frequencies (copied)."""
        base = _background()
        fresh = cls()
        fresh.df = base.df.copy()
        fresh.documents = base.documents
        return fresh

    def _syllable_ids(self, tokens: Sequence[str]) -> npt.NDArray[np.uint64]:
        """Each syllable's stable id; 0 for a number or the field boundary (no term)."""
        ids = self._ids
        if len(ids) > 200_000:
            ids.clear()
        for token in set(tokens).difference(ids):
            ids[token] = 0 if token == BOUNDARY or token[0].isdigit() else max(2, _hash32(token))
        return np.fromiter(map(ids.__getitem__, tokens), dtype=np.uint64, count=len(tokens))

    def term_counts(self, folded: Sequence[str]
                    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
        """Distinct term ids (unigrams and bigrams of words, not across fields or numbers)
        and their counts."""
        ids = self._syllable_ids(folded)
        keep = ids > 0
        pairs = ((ids[:-1] * _MIX) ^ (ids[1:] + np.uint64(1))) >> np.uint64(32)
        every = np.concatenate([ids[keep], pairs[keep[:-1] & keep[1:]]]).astype(np.uint32)
        # np.unique(every, return_counts=True), without its wrappers' cost: sort, mark where
        # a run starts, count each run
        if not len(every):
            return every, np.zeros(0, dtype=np.intp)
        every.sort()
        starts = np.flatnonzero(np.concatenate(([True], every[1:] != every[:-1])))
        return every[starts], np.concatenate((starts[1:], [len(every)])) - starts

    def count(self, terms: npt.NDArray[np.uint32]) -> None:
        self.df[terms & np.uint32(DF_BUCKETS - 1)] += 1  # a bucket named twice counts once
        self.documents += 1

    def features(self, folded: Sequence[str], anchors: tuple[str, ...],
                 closure: Iterable[str], *, learn: bool = True) -> StoryFeatures:
        """The kept vector of a text (its frequencies counted first when `learn`)."""
        terms, counts = self.term_counts(folded)
        buckets = terms & np.uint32(DF_BUCKETS - 1)
        if learn and len(terms):  # `count`, with the buckets at hand
            self.df[buckets] += 1
            self.documents += 1
        df = self.df[buckets].astype(np.float64)
        weights = (1.0 + np.log(counts)) * (np.log((self.documents + 1) / (df + 1)) + 1.0)
        order = (-weights).argsort(kind="stable")[:KEPT_TERMS]
        kept = weights[order]
        norm = math.sqrt(float(np.dot(kept, kept))) or 1.0
        return StoryFeatures(terms[order], (kept / norm).astype(np.float32), anchors,
                             frozenset(closure))


@lru_cache(maxsize=1)
def _background() -> StoryVectoriser:
    return StoryVectoriser((str(row.get("title", "")), str(row.get("body", "")))
                           for rows in labelled_files().values() for row in rows)


class _Entry(NamedTuple):
    item_id: str
    cluster: str
    seen_at: float
    terms: bytes  # uint32 term ids, heaviest first (bytes: joined for `_cosines` as they are)
    weights: bytes  # float32
    anchors: tuple[str, ...]
    closure: tuple[str, ...]
    keys: tuple[int, ...]


class StoryIndex:
    """Recent items' kept vectors and anchors, found by their rarest terms and anchors."""

    def __init__(self, *, window_seconds: float | None = 7 * 86400.0,
                 max_items: int = 100_000) -> None:
        self.window_seconds = window_seconds
        self.max_items = max_items
        self._entries: OrderedDict[int, _Entry] = OrderedDict()  # by serial, oldest first
        self._serial_of: dict[str, int] = {}
        self._postings: dict[int, array] = {}  # type: ignore[type-arg]  # key -> serials
        self._next = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._serial_of

    def cluster_of(self, item_id: str) -> str | None:
        serial = self._serial_of.get(item_id)
        return None if serial is None else self._entries[serial].cluster

    @staticmethod
    def _keys(features: StoryFeatures) -> tuple[int, ...]:
        anchors = [_anchor_key(a) for a in features.anchors if not a.startswith(("p:", "l:"))]
        return (*features.terms[:INDEXED_TERMS].tolist(), *anchors)

    def find(self, features: StoryFeatures, keys: Sequence[int] | None = None
             ) -> StoryMatch | None:
        """The story the item tells, if an earlier item told it (best link, no conflict)."""
        first = next(iter(self._entries), self._next)
        recent: list[int] = []
        postings = self._postings
        for key in self._keys(features) if keys is None else keys:
            serials = postings.get(key)
            if not serials:
                continue
            if serials[0] < first:
                del serials[:bisect_left(serials, first)]
            recent += serials[-RECENT_POSTINGS:]
        if not recent:
            return None
        # most shared keys first, the first seen first among equals (as Counter.most_common)
        ranked = [serial for serial, _ in sorted(Counter(recent).items(), key=itemgetter(1),
                                                  reverse=True)[:MAX_CANDIDATES]]
        best: StoryMatch | None = None
        entries = [self._entries[serial] for serial in ranked]
        mine = set(features.anchors)
        kinds = by_kind(features.anchors)
        for entry, cosine in zip(entries, self._cosines(features, entries), strict=True):
            if cosine < LINK_ANCHORED or (best is not None and cosine <= best.score):
                continue
            if conflicts_of_kinds(kinds, by_kind(entry.anchors), features.closure,
                                  frozenset(entry.closure)):
                continue
            agreed = sorted(mine.intersection(entry.anchors))
            quantities = sum(1 for a in agreed if a.startswith("q:"))
            ages = [a for a in agreed if a.startswith("a:")]
            facts = [a for a in agreed if a.startswith(_STRONG) and a not in ages] + ages[:1]
            lone = len(facts) < 2 and all(map(_weak, facts))
            strong = 0 if lone else len(facts) - (quantities + 1) // 2
            if cosine < (LINK_ALONE, LINK, LINK_ANCHORED, LINK_CORROBORATED)[min(strong, 3)]:
                continue
            if not strong and min(len(features.terms), len(entry.terms) // 4) < KEPT_TERMS:
                continue  # too short a text to be one story on its words alone
            best = StoryMatch("", entry.cluster, entry.item_id, round(cosine, 4),
                              (f"cosine:{cosine:.2f}", *agreed))
        return best

    @staticmethod
    def _cosines(features: StoryFeatures, entries: Sequence[_Entry]) -> list[float]:
        """Cosine of the item's kept vector with each entry's, at once (numpy)."""
        order = features.terms.argsort()
        terms, weights = features.terms[order], features.weights[order]
        if not len(terms):
            return [0.0] * len(entries)
        theirs = np.frombuffer(b"".join([e.terms for e in entries]), dtype=np.uint32)
        their_weights = np.frombuffer(b"".join([e.weights for e in entries]), dtype=np.float32)
        at = terms.searchsorted(theirs)
        # past the last term: point at the last, which cannot equal theirs (its product is 0)
        np.minimum(at, len(terms) - 1, out=at)
        products = (terms[at] == theirs) * weights[at] * their_weights
        lengths = [len(e.terms) // 4 for e in entries]
        starts = list(accumulate(lengths[:-1], initial=0))
        if 0 in lengths:  # reduceat cannot sum an empty slice
            return [float(sum(products[a:a + n])) for a, n in zip(starts, lengths, strict=True)]
        sums: list[float] = np.add.reduceat(products, starts).tolist()
        return sums

    def register(self, item_id: str, features: StoryFeatures | None, seen_at: float,
                 copy_of: str | None = None) -> StoryMatch:
        """Decide an item's story and remember it. A near-copy joins its original's story
        (and is not filed: the original stands for it); an item registered already keeps
        the story it got then."""
        known = self._serial_of.get(item_id)
        if known is not None:
            entry = self._entries[known]
            origin = None if entry.cluster == item_id else entry.cluster
            return StoryMatch(item_id, entry.cluster, origin, 0.0)
        if copy_of is not None:
            cluster = self.cluster_of(copy_of) or copy_of
            return StoryMatch(item_id, cluster, copy_of, 1.0, ("near_copy",))
        self.evict(now=seen_at)
        keys = self._keys(features) if features is not None else ()
        found = self.find(features, keys) if features is not None else None
        cluster = found.cluster_id if found is not None else item_id
        if features is not None:
            self._file(item_id, cluster, seen_at, features.terms, features.weights,
                       features.anchors, features.closure, keys)
        if found is None:
            return StoryMatch(item_id, item_id, None, 0.0)
        return StoryMatch(item_id, cluster, found.origin, found.score, found.reasons)

    def _file(self, item_id: str, cluster: str, seen_at: float, terms: Any, weights: Any,
              anchors: Iterable[str], closure: Iterable[str], keys: Sequence[int]) -> None:
        serial = self._next
        self._next += 1
        self._entries[serial] = _Entry(item_id, cluster, seen_at, terms.tobytes(),
                                       weights.tobytes(), tuple(anchors),
                                       tuple(sorted(closure)), tuple(keys))
        self._serial_of[item_id] = serial
        for key in keys:
            serials = self._postings.get(key)
            if serials is None:
                self._postings[key] = array("q", (serial,))
            else:
                serials.append(serial)
        self.evict()

    def forget(self, item_id: str) -> None:
        """Take back a registration that others could not be told about (the newest)."""
        serial = self._serial_of.pop(item_id, None)
        if serial is None:
            return
        entry = self._entries.pop(serial)
        for key in entry.keys:
            serials = self._postings.get(key)
            if serials is not None and serial in serials:
                serials.remove(serial)
                if not serials:
                    del self._postings[key]

    def evict(self, *, now: float | None = None) -> int:
        """Drop items beyond `max_items` or older than the window (postings lazily)."""
        removed = 0
        limit = None if now is None or self.window_seconds is None else now - self.window_seconds
        while self._entries:
            serial, oldest = next(iter(self._entries.items()))
            if len(self._entries) <= self.max_items and (limit is None or oldest.seen_at >= limit):
                break
            del self._entries[serial]
            self._serial_of.pop(oldest.item_id, None)
            removed += 1
        if removed and len(self._postings) > 4 * max(len(self._entries), 1000):
            first = next(iter(self._entries), self._next)
            self._postings = {k: v for k, v in self._postings.items() if v[-1] >= first}
        return removed

    # -- sharing: entries as plain rows ------------------------------------------------------

    def entries(self, item_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The filed items' entries as plain data (by item id), for other processes."""
        out = {}
        for item_id in item_ids:
            serial = self._serial_of.get(item_id)
            if serial is not None:
                e = self._entries[serial]
                out[item_id] = {"story": e.cluster, "story_terms": e.terms,
                                "story_weights": e.weights,
                                "anchors": list(e.anchors), "closure": list(e.closure)}
        return out

    def restore(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """File the entries of rows another process wrote (rows without a story are skipped;
        items held already keep theirs)."""
        for row in rows:
            item_id = str(row["item_id"])
            if "story" not in row or item_id in self._serial_of:
                continue
            terms = np.frombuffer(row["story_terms"], dtype=np.uint32)
            features = StoryFeatures(terms, np.frombuffer(row["story_weights"],
                                                          dtype=np.float32),
                                     tuple(row.get("anchors") or ()),
                                     frozenset(row.get("closure") or ()))
            self._file(item_id, str(row["story"]), float(row.get("seen_at", 0.0)), terms,
                       features.weights, features.anchors, features.closure,
                       self._keys(features))
