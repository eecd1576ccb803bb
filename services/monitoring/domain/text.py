"""Vietnamese text normalisation, syllable tokenisation and phrase matching.

Everything here is pure and cached per distinct syllable, so the per-item cost is one
``unicodedata.normalize`` call, one regex scan and one dict lookup per syllable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = [
    "NormalisedText",
    "PhraseMatch",
    "PhraseMatcher",
    "canonical_syllable",
    "fold_syllable",
    "normalise",
    "normalise_phrase",
]

# Combining tone marks: grave, acute, tilde, hook above, dot below.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_MODIFIED_VOWELS = frozenset("ăâêôơư")
_VOWELS = frozenset("aăâeêioôơuưy")
_NEW_STYLE_PAIRS = frozenset({"oa", "oe", "uy"})
_TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})

# Sentinel inserted between fields (title | body) so phrases never span them.
BOUNDARY = "\x00"


def _place_tone(base: str, tone: str) -> str:
    """Put ``tone`` on the vowel chosen by the modern ("new style") orthography rule."""
    start = 0
    if base.startswith("qu"):
        start = 2
    elif base.startswith("gi") and len(base) > 2 and base[2] in _VOWELS:
        start = 2
    i = start
    while i < len(base) and base[i] not in _VOWELS:
        i += 1
    if i == len(base):  # "gi", "qu" or no vowel: fall back to the last vowel seen
        positions = [k for k, ch in enumerate(base) if ch in _VOWELS]
        if not positions:
            return unicodedata.normalize("NFC", base + tone)
        pos = positions[-1]
    else:
        j = i
        while j < len(base) and base[j] in _VOWELS:
            j += 1
        cluster = base[i:j]
        has_final = j < len(base)
        modified = [k for k, ch in enumerate(cluster) if ch in _MODIFIED_VOWELS]
        if modified:
            offset = modified[-1]
        elif len(cluster) == 1:
            offset = 0
        elif has_final:
            offset = len(cluster) - 1
        elif len(cluster) >= 3:
            offset = 1
        elif cluster in _NEW_STYLE_PAIRS:
            offset = 1
        else:
            offset = 0
        pos = i + offset
    return unicodedata.normalize("NFC", base[: pos + 1] + tone + base[pos + 1 :])


_CANON_CACHE: dict[str, tuple[str, str, bool]] = {}


def _analyse_syllable(token: str) -> tuple[str, str, bool]:
    """Return (canonical form, accent-folded form, carries Vietnamese diacritics)."""
    hit = _CANON_CACHE.get(token)
    if hit is not None:
        return hit
    if token.isascii():
        result = (token, token, False)
    else:
        decomposed = unicodedata.normalize("NFD", token)
        tones = [ch for ch in decomposed if ch in _TONES]
        if tones:
            base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
            canon = _place_tone(base, tones[0])
        else:
            canon = token
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        folded = folded.replace("đ", "d")
        has_diacritics = folded != token
        result = (canon, folded, has_diacritics)
    if len(_CANON_CACHE) < 500_000:
        _CANON_CACHE[token] = result
    return result


def canonical_syllable(token: str) -> str:
    """Canonical (NFC, casefolded, new-style tone placement) form of one syllable."""
    return _analyse_syllable(unicodedata.normalize("NFC", token).casefold())[0]


def fold_syllable(token: str) -> str:
    """Accent-folded form: all diacritics removed and đ → d."""
    return _analyse_syllable(unicodedata.normalize("NFC", token).casefold())[1]


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """Syllables of a text in canonical and accent-folded form, with a position index."""

    tokens: tuple[str, ...]
    folded: tuple[str, ...]
    diacritic_share: float
    index: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)
    folded_index: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def lacks_diacritics(self) -> bool:
        """True when the text was written without Vietnamese diacritics."""
        return self.diacritic_share < DIACRITIC_SHARE_THRESHOLD and _word_count(self) >= 3

    @property
    def text(self) -> str:
        return " ".join(t for t in self.tokens if t != BOUNDARY)

    def view(self, folded: bool) -> tuple[tuple[str, ...], dict[str, list[int]]]:
        """(tokens, position index) of the canonical or the accent-folded form."""
        if not folded:
            return self.tokens, self.index
        if not self.folded_index and self.folded:
            self.folded_index.update(_positions(self.folded))
        return self.folded, self.folded_index


def _positions(tokens: Sequence[str]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        hit = index.get(tok)
        if hit is None:
            index[tok] = [i]
        else:
            hit.append(i)
    return index


DIACRITIC_SHARE_THRESHOLD = 0.15


def _word_count(doc: NormalisedText) -> int:
    return sum(1 for t in doc.tokens if t != BOUNDARY and not t.isdigit())


def tokenise(text: str) -> list[str]:
    """Raw syllables: NFC, casefolded, punctuation dropped (apostrophes kept inside words)."""
    text = unicodedata.normalize("NFC", text).casefold()
    if "’" in text or "‘" in text or "`" in text or "ʼ" in text:
        text = text.translate(_APOSTROPHES)
    return _TOKEN_RE.findall(text)


def normalise(*fields: str) -> NormalisedText:
    """Normalise one or more text fields; fields are separated by a boundary sentinel."""
    canon: list[str] = []
    folded: list[str] = []
    index: dict[str, list[int]] = {}
    letters = 0
    marked = 0
    cache = _CANON_CACHE
    for number, field_text in enumerate(fields):
        if number:
            canon.append(BOUNDARY)
            folded.append(BOUNDARY)
        raw_tokens = tokenise(field_text)
        infos = [cache.get(raw) or _analyse_syllable(raw) for raw in raw_tokens]
        start = len(canon)
        canon.extend([info[0] for info in infos])
        folded.extend([info[1] for info in infos])
        marked += sum([info[2] for info in infos])
        letters += len(raw_tokens) - sum([raw.isdigit() for raw in raw_tokens])
        for i, tok in enumerate(canon[start:], start):
            hit = index.get(tok)
            if hit is None:
                index[tok] = [i]
            else:
                hit.append(i)
    share = marked / letters if letters else 0.0
    return NormalisedText(tuple(canon), tuple(folded), share, index)


def normalise_phrase(phrase: str) -> tuple[str, ...]:
    """Canonical syllables of a dictionary phrase."""
    return tuple(_analyse_syllable(t)[0] for t in tokenise(phrase))


def fold_phrase(phrase: str) -> tuple[str, ...]:
    """Accent-folded syllables of a dictionary phrase."""
    return tuple(_analyse_syllable(t)[1] for t in tokenise(phrase))


P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class PhraseMatch(Generic[P]):
    start: int
    end: int  # exclusive
    payload: P


class PhraseMatcher(Generic[P]):
    """Finds syllable-sequence phrases with word boundaries.

    Two-level index: first syllable -> (one-syllable payloads, second syllable -> longer
    phrases), so each candidate position costs one or two dict lookups.
    """

    __slots__ = ("_index", "_size")

    def __init__(self) -> None:
        self._index: dict[str, tuple[list[P], dict[str, list[tuple[tuple[str, ...], P]]]]] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, phrase: Sequence[str], payload: P) -> None:
        if not phrase:
            return
        key = tuple(phrase)
        singles, longer = self._index.setdefault(key[0], ([], {}))
        if len(key) == 1:
            singles.append(payload)
        else:
            bucket = longer.setdefault(key[1], [])
            bucket.append((key, payload))
            bucket.sort(key=lambda entry: -len(entry[0]))
        self._size += 1

    def find(
        self, tokens: Sequence[str], index: dict[str, list[int]] | None = None
    ) -> list[PhraseMatch[P]]:
        """All occurrences (overlapping allowed).

        ``index`` (token -> positions, see :attr:`NormalisedText.index`) makes the scan
        proportional to the occurrences of phrase-initial syllables only; results are grouped
        by first syllable, not sorted by position.
        """
        if index is None:
            index = _positions(tokens)
        own = self._index
        out: list[PhraseMatch[P]] = []
        n = len(tokens)
        for tok in own.keys() & index.keys():
            singles, longer = own[tok]
            for i in index[tok]:
                for payload in singles:
                    out.append(PhraseMatch(i, i + 1, payload))
                if i + 1 < n and longer:
                    bucket = longer.get(tokens[i + 1])
                    if bucket is None:
                        continue
                    for phrase, payload in bucket:
                        k = len(phrase)
                        if k == 2 or tuple(tokens[i : i + k]) == phrase:
                            out.append(PhraseMatch(i, i + k, payload))
        return out

    def phrases(self) -> Iterable[tuple[str, ...]]:
        for first, (singles, longer) in self._index.items():
            for _ in singles:
                yield (first,)
            for bucket in longer.values():
                for phrase, _ in bucket:
                    yield phrase
