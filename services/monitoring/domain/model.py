"""A learned text classifier beside the rules: inference in plain numpy, safe serialisation.

Features are accent-folded syllable 1-3-grams (text with and without diacritics gives the same
features), binary, L2-normalised over all of the text's distinct n-grams (known to the model
or not, so pruning the vocabulary changes no score). Each label (12 topics and ``harmful``)
has a logistic-regression weight row; training lives in ``training.py`` (scikit-learn), so
this module, which the pipeline runs for every item, needs numpy only.

An n-gram is an integer key: each syllable the model knows has a number, and a 1-, 2- or
3-gram is those numbers as digits in base ``BASE``, offset by order, so one item's features
are a numpy array, matched against the model's sorted keys in one ``searchsorted``.
"""

from __future__ import annotations

import io
import json
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .text import BOUNDARY, NormalisedText

__all__ = [
    "FORMAT",
    "HARMFUL_LABEL",
    "LabelScore",
    "ModelDataError",
    "ModelScores",
    "Syllables",
    "TextModel",
    "split_of",
]

HARMFUL_LABEL = "harmful"
FORMAT = "monitoring-text-model/2"
BASE = 1 << 20  # syllable numbers (known ones, then a text's unknown ones) stay below this
_OFFSETS = (0, BASE, BASE + BASE * BASE)  # start of the 1-, 2- and 3-gram key ranges
Keys = npt.NDArray[np.int64]
# The model reads the headline and the lead: cost per item is bounded, and the labelled items
# it learns from are that long.
MAX_TOKENS = 256


class ModelDataError(ValueError):
    """Serialised model bytes that cannot be read as a model."""


def split_of(key: str, folds: int = 5) -> int:
    """A stable fold number for an item (by its story: a copy goes with its original)."""
    return zlib.crc32(key.encode("utf-8")) % folds


class Syllables:
    """Numbers of the accent-folded syllables a model knows (1..n), and the canonical spellings
    seen in training under their folded form's number (so text with diacritics is read without
    folding it). A text's unknown syllables get numbers above those, distinct per text, so its
    n-grams count right."""

    __slots__ = ("_number", "_said", "aliases", "names")

    def __init__(self, names: Sequence[str], aliases: Mapping[str, int] | None = None) -> None:
        if len(names) >= BASE // 2:
            raise ModelDataError(f"{len(names)} syllables: at most {BASE // 2 - 1}")
        self.names = tuple(names)
        self.aliases = dict(aliases or {})
        if any(not 0 < n <= len(self.names) for n in self.aliases.values()):
            raise ModelDataError("an alias names an unknown syllable")
        self._number = {**self.aliases, **{s: k for k, s in enumerate(self.names, 1)}}
        self._said: dict[int, str] = {}  # described keys: the model's features, bounded

    @classmethod
    def of(cls, docs: Iterable[NormalisedText]) -> Syllables:
        """The syllables of training texts: folded names, canonical spellings as aliases."""
        pairs = {(c, f) for d in docs for c, f in zip(d.tokens, d.folded, strict=True)
                 if c != BOUNDARY}
        names = sorted({f for _, f in pairs})
        number = {s: k for k, s in enumerate(names, 1)}
        return cls(names, {c: number[f] for c, f in pairs if c != f})

    def keys(self, doc: NormalisedText) -> Keys:
        """Sorted distinct n-gram keys (n = 1..3) of a text's first ``MAX_TOKENS`` syllables
        (headline and lead); none spans title | body."""
        number = self._number.get
        tokens = (doc.folded if doc.lacks_diacritics else doc.tokens)[:MAX_TOKENS]
        numbers = list(map(number, tokens))
        if None in numbers:
            unknown: dict[str, int] = {BOUNDARY: 0}
            start = len(self.names) + 1
            at = numbers.index(None)
            try:
                while True:  # list.index finds the next one at C speed
                    numbers[at] = unknown.setdefault(tokens[at], start + len(unknown))
                    at = numbers.index(None, at + 1)
            except ValueError:
                pass
        ids = np.array(numbers, dtype=np.int64)
        # the boundary (number 0) splits fields: n-grams that contain it are dropped
        known = ids > 0
        parts: list[Keys] = [ids[known]]
        if len(ids) >= 2:  # each order extends the one below it: a trigram is a bigram + one
            pairs = ids[:-1] * BASE + ids[1:]
            pair_ok = known[:-1] & known[1:]
            parts.append(pairs[pair_ok] + _OFFSETS[1])
            if len(ids) >= 3:
                triples = pairs[:-1] * BASE + ids[2:]
                parts.append(triples[pair_ok[:-1] & known[2:]] + _OFFSETS[2])
        keys = np.concatenate(parts)
        keys.sort()  # np.unique costs several times this sort and a mask
        return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys

    def describe(self, key: int) -> str:
        """The syllables of a key (for reasons)."""
        hit = self._said.get(key)
        if hit is None:
            hit = self._said[key] = self._describe(key)
        return hit

    def _describe(self, key: int) -> str:
        order = 3 if key >= _OFFSETS[2] else 2 if key >= _OFFSETS[1] else 1
        rest = key - _OFFSETS[order - 1]
        digits = []
        for _ in range(order):
            rest, digit = divmod(rest, BASE)
            digits.append(digit)
        return " ".join(self.names[d - 1] if 0 < d <= len(self.names) else "?"
                        for d in reversed(digits))


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    probability: float
    threshold: float
    reasons: tuple[str, ...]  # strongest positive features present, best first

    @property
    def assigned(self) -> bool:
        return self.probability >= self.threshold


@dataclass(frozen=True, slots=True)
class ModelScores:
    """The model's view of one item: a probability per label, reasons for the likely ones."""

    version: str
    labels: Mapping[str, LabelScore] = field(default_factory=dict)

    def get(self, label: str) -> LabelScore | None:
        return self.labels.get(label)


class TextModel:
    """One linear model per label over a shared, sorted vocabulary of n-gram keys."""

    __slots__ = ("coef", "intercept", "keys", "labels", "meta", "syllables", "thresholds",
                 "version")

    def __init__(self, version: str, labels: Sequence[str], syllables: Syllables, keys: Keys,
                 coef: npt.NDArray[np.floating[Any]], intercept: npt.NDArray[np.floating[Any]],
                 thresholds: Sequence[float], meta: Mapping[str, Any] | None = None) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        coef = np.asarray(coef, dtype=np.float32)
        intercept = np.asarray(intercept, dtype=np.float32)
        if coef.shape != (len(labels), len(keys)):
            raise ModelDataError(f"coef shape {coef.shape} != ({len(labels)}, {len(keys)})")
        if intercept.shape != (len(labels),) or len(thresholds) != len(labels):
            raise ModelDataError("one intercept and one threshold per label")
        if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
            raise ModelDataError("feature keys must be sorted and distinct")
        self.version = version
        self.labels = tuple(labels)
        self.syllables = syllables
        self.keys = keys
        # feature-major, so one item's features are one contiguous gather; in half precision
        # when that loses nothing (a model read from its file, which keeps float16): a gather
        # then touches half the memory, and the other steps' data stay in the cache
        major = np.ascontiguousarray(coef.T)
        half = major.astype(np.float16)
        self.coef: npt.NDArray[np.floating[Any]] = (
            half if np.array_equal(half.astype(np.float32), major) else major)
        self.intercept = intercept
        self.thresholds = [float(t) for t in thresholds]
        self.meta = dict(meta or {})

    def scores(self, doc: NormalisedText, reasons: int = 3) -> ModelScores:
        """Probabilities per label; the top ``reasons`` features for labels at or above half
        their threshold (reasons for clear negatives are not worth their cost)."""
        # array methods, not np.* functions: their dispatch wrappers cost as much as the work
        grams = self.syllables.keys(doc)
        found = self.keys.searchsorted(grams)
        # past the last key: point at it, which cannot equal the gram
        np.minimum(found, len(self.keys) - 1, out=found)
        ids = found[self.keys[found] == grams] if len(self.keys) else found[:0]
        rows = self.coef[ids].astype(np.float32, copy=False)  # float32 sums, as trained
        # math.sqrt and np.sqrt are both correctly rounded: the same float
        logits = rows.sum(axis=0) / np.float32(math.sqrt(max(1, len(grams)))) + self.intercept
        probs = (1.0 / (1.0 + np.exp(-logits.astype(np.float64)))).tolist()
        why: dict[int, tuple[str, ...]] = {}
        wanted = [k for k, p in enumerate(probs) if p >= self.thresholds[k] / 2]
        if len(ids) and reasons and wanted:
            # one partial sort for every label that needs reasons
            sub = rows[:, wanted]
            best = ((-sub).argpartition(reasons - 1, axis=0)[:reasons]
                    if reasons < len(ids) else np.arange(len(ids))[:, None].repeat(len(wanted), 1))
            # plain floats and ints: indexing numpy arrays one element at a time is slow
            # sub[best[i, j], j] for each (i, j): np.take_along_axis(sub, best, axis=0)
            values = sub[best, np.arange(len(wanted))].T.tolist()
            keys = self.keys[ids[best]].T.tolist()
            describe = self.syllables.describe
            for j, k in enumerate(wanted):
                picked = sorted(zip(values[j], keys[j], strict=True), key=lambda p: -p[0])
                why[k] = tuple(describe(key) for value, key in picked if value > 0)
        out = {label: LabelScore(label, round(probs[k], 4), self.thresholds[k], why.get(k, ()))
               for k, label in enumerate(self.labels)}
        return ModelScores(self.version, out)

    # -- serialisation: a zip of arrays (numpy's npz, no pickle) and a JSON header ----------

    def to_bytes(self) -> bytes:
        header = {"format": FORMAT, "version": self.version, "labels": list(self.labels),
                  "thresholds": self.thresholds, "meta": self.meta}
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            header=np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), np.uint8),
            syllables=np.frombuffer("\n".join(self.syllables.names).encode(), np.uint8),
            aliases=np.frombuffer("\n".join(self.syllables.aliases).encode(), np.uint8),
            alias_numbers=np.array(list(self.syllables.aliases.values()), dtype=np.int32),
            keys=self.keys,
            coef=self.coef.T.astype(np.float16),
            intercept=self.intercept,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextModel:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
                header = json.loads(arrays["header"].tobytes().decode())
                names = arrays["syllables"].tobytes().decode().split("\n")
                spellings = arrays["aliases"].tobytes().decode().split("\n")
                numbers = arrays["alias_numbers"].tolist()
                if len(spellings) != len(numbers):
                    spellings = [s for s in spellings if s]
                keys, coef = arrays["keys"], arrays["coef"].astype(np.float32)
                intercept = arrays["intercept"]
        except (OSError, KeyError, ValueError, UnicodeDecodeError, EOFError) as exc:
            # zip(strict=True) and the decoders raise ValueError on a damaged file
            raise ModelDataError(f"not a model file: {exc}") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ModelDataError("unknown model format")
        syllables = Syllables(names, dict(zip(spellings, numbers, strict=True)))
        return cls(str(header["version"]), header["labels"], syllables, keys, coef,
                   intercept, header["thresholds"], header.get("meta"))
