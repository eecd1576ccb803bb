"""Vietnamese text normalisation, syllable tokenisation and phrase matching.

Everything here is pure and cached per distinct syllable, so the per-item cost is one
``unicodedata.normalize`` call, one regex scan and one dict lookup per syllable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Generic, TypeAlias, TypeVar

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

# Abbreviations of social posts, each a syllable of its own that no word spells, read as
# the words they stand for before matching, so one term list serves press and phone-typed
# posts ("ae cs đang chặn đường" = "anh em công an đang chặn đường").
SOCIAL_ABBREVIATIONS: dict[str, str] = {
    **dict.fromkeys(("ko", "k", "kh", "khg", "hok", "kô"), "không"),
    **dict.fromkeys(("dc", "đc"), "được"),
    "ae": "anh em",
    "cs": "công an",
    "csgt": "cảnh sát giao thông",
    **dict.fromkeys(("csdt", "csđt"), "cảnh sát điều tra"),
    "cshs": "cảnh sát hình sự",
    **dict.fromkeys(("cscd", "cscđ"), "cảnh sát cơ động"),
    "cstt": "cảnh sát trật tự",
    "ctv": "cộng tác viên",
    **dict.fromkeys(("mn", "mng"), "mọi người"),
    "ng": "người",
    "ngta": "người ta",
    "nge": "nghe",
    "hs": "học sinh",
    "sv": "sinh viên",
    "gv": "giáo viên",
    "tq": "trung quốc",
    "cpc": "campuchia",
    **dict.fromkeys(("sdt", "sđt"), "số điện thoại"),
    "stk": "số tài khoản",
    "tk": "tài khoản",
    "trc": "trước",
    "cx": "cũng",
    "ntn": "như thế nào",
    "bik": "biết",
    "bv": "bệnh viện",
    "ubnd": "ủy ban nhân dân",
    **dict.fromkeys(("xhd", "xhđ"), "xã hội đen"),
    "tngt": "tai nạn giao thông",
    "zl": "zalo",
    "fb": "facebook",
    "cty": "công ty",
    "hnay": "hôm nay",
    "hqua": "hôm qua",
}


def _place_tone(base: str, tone: str) -> str:
    """Put ``tone`` on the vowel chosen by the modern ("new style") orthography rule."""
    start = 0
    if base.startswith("qu") or (base.startswith("gi") and len(base) > 2 and base[2] in _VOWELS):
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
        elif len(cluster) >= 3 or cluster in _NEW_STYLE_PAIRS:
            offset = 1
        else:
            offset = 0
        pos = i + offset
    return unicodedata.normalize("NFC", base[: pos + 1] + tone + base[pos + 1 :])


# Per-syllable caches (bounded: cleared when they grow past _MAX_CACHE entries).
_CANON: dict[str, str] = {}  # raw syllable -> canonical
_FOLD: dict[str, str] = {}  # raw or canonical syllable -> accent-folded
_MARKED: set[str] = set()  # raw syllables carrying Vietnamese diacritics
_MAX_CACHE = 500_000
# How many times the caches were cleared: a text normalised since the last clear has every
# syllable cached, so its folded form needs no check for missing ones.
_GENERATION = [0]


def _learn(token: str) -> None:
    if token.isascii():
        canon = folded = token
    else:
        decomposed = unicodedata.normalize("NFD", token)
        tones = [ch for ch in decomposed if ch in _TONES]
        if tones:
            base = unicodedata.normalize(
                "NFC", "".join(ch for ch in decomposed if ch not in _TONES)
            )
            canon = _place_tone(base, tones[0])
        else:
            canon = token
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        folded = folded.replace("đ", "d")
    _CANON[token] = canon
    _FOLD[token] = folded
    _FOLD[canon] = folded
    if folded != token:
        _MARKED.add(token)


def _ensure(tokens: Iterable[str]) -> None:
    # An ASCII token (a number, a code, an unaccented word) is its own canonical and folded
    # form: it is never stored, so codes and numbers, which rarely repeat, cannot fill the
    # caches (a 30-minute soak grew them by one entry per item). Readers default to the token.
    missing = {t for t in set(tokens).difference(_CANON) if not t.isascii()}
    if not missing:
        return
    if len(_CANON) + len(missing) > _MAX_CACHE:
        _CANON.clear()
        _FOLD.clear()
        _MARKED.clear()
        _GENERATION[0] += 1
    for token in missing:
        _learn(token)


def _analyse_syllable(token: str) -> tuple[str, str, bool]:
    """Return (canonical form, accent-folded form, carries Vietnamese diacritics)."""
    if token.isascii():
        return token, token, False
    if token not in _CANON:
        _ensure((token,))
    return _CANON[token], _FOLD[token], token in _MARKED


def canonical_syllable(token: str) -> str:
    """Canonical (NFC, casefolded, new-style tone placement) form of one syllable."""
    return _analyse_syllable(unicodedata.normalize("NFC", token).casefold())[0]


def fold_syllable(token: str) -> str:
    """Accent-folded form: all diacritics removed and đ → d."""
    return _analyse_syllable(unicodedata.normalize("NFC", token).casefold())[1]


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """Syllables of a text in canonical form; the accent-folded form is derived on demand."""

    tokens: tuple[str, ...]
    diacritic_share: float
    _lazy: dict[object, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def folded(self) -> tuple[str, ...]:
        """Accent-folded syllables (đ → d, no diacritics)."""
        hit: tuple[str, ...] | None = self._lazy.get("folded")
        if hit is None:
            if self._lazy.get("learned") != _GENERATION[0]:
                # a set difference finds the (rare) syllables not cached at C speed
                _ensure(set(self.tokens).difference(_FOLD).difference((BOUNDARY,)))
            hit = tuple(map(_FOLD.get, self.tokens, self.tokens))
            self._lazy["folded"] = hit
        return hit

    @property
    def lacks_diacritics(self) -> bool:
        """True when the text was written without Vietnamese diacritics."""
        return self.diacritic_share < DIACRITIC_SHARE_THRESHOLD and _word_count(self) >= 3

    @property
    def text(self) -> str:
        """The syllables space-joined, without the field boundary."""
        hit: str | None = self._lazy.get("text")
        if hit is None:
            hit = " ".join(self.tokens).replace(" " + BOUNDARY, "").lstrip(BOUNDARY + " ")
            self._lazy["text"] = hit
        return hit

    def view(self, folded: bool) -> tuple[tuple[str, ...], frozenset[str]]:
        """(tokens, set of distinct tokens) of the canonical or accent-folded form; the set is
        built once and shared by all matchers run on this text."""
        tokens = self.folded if folded else self.tokens
        hit: frozenset[str] | None = self._lazy.get(folded)
        if hit is None:
            hit = frozenset(tokens)
            self._lazy[folded] = hit
        return tokens, hit


DIACRITIC_SHARE_THRESHOLD = 0.15


def _word_count(doc: NormalisedText) -> int:
    return sum(1 for t in doc.tokens if t != BOUNDARY and not t.isdigit())


def tokenise(text: str) -> list[str]:
    """Raw syllables: NFC, casefolded, punctuation dropped (apostrophes kept inside words)."""
    text = unicodedata.normalize("NFC", text).casefold()
    if "’" in text or "‘" in text or "`" in text or "ʼ" in text:
        text = text.translate(_APOSTROPHES)
    # str.split is C-fast; only chunks with punctuation go through the regex
    out: list[str] = []
    find = _TOKEN_RE.findall
    for chunk in text.split():
        if chunk.isalnum():
            out.append(chunk)
        else:
            out.extend(find(chunk))
    return out


def _expanded(raw_tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in raw_tokens:
        words = _EXPANSIONS.get(token)
        if words is None:
            out.append(token)
        else:
            out.extend(words)
    _ensure(out)
    return out


_EXPANSIONS: dict[str, tuple[str, ...]] = {
    short: tuple(tokenise(words)) for short, words in SOCIAL_ABBREVIATIONS.items()
}


def normalise(*fields: str) -> NormalisedText:
    """Normalise one or more text fields; fields are separated by a boundary sentinel."""
    canon: list[str] = []
    generation = _GENERATION[0]
    letters = 0
    marked = 0
    for number, field_text in enumerate(fields):
        if number:
            canon.append(BOUNDARY)
        raw_tokens = tokenise(field_text)
        _ensure(raw_tokens)
        # whether the writer used diacritics is judged on what they typed, not on expansions
        marked += sum(map(_MARKED.__contains__, raw_tokens))
        letters += len(raw_tokens) - sum(map(str.isdigit, raw_tokens))
        if not _EXPANSIONS.keys().isdisjoint(raw_tokens):
            raw_tokens = _expanded(raw_tokens)
        canon.extend(map(_CANON.get, raw_tokens, raw_tokens))
    share = marked / letters if letters else 0.0
    learned: dict[object, Any] = {"learned": generation} if generation == _GENERATION[0] else {}
    return NormalisedText(tuple(canon), share, learned)


def normalise_phrase(phrase: str) -> tuple[str, ...]:
    """Canonical syllables of a dictionary phrase (abbreviations expanded as in texts)."""
    return tuple(_analyse_syllable(t)[0] for t in _phrase_tokens(phrase))


def fold_phrase(phrase: str) -> tuple[str, ...]:
    """Accent-folded syllables of a dictionary phrase (abbreviations expanded)."""
    return tuple(_analyse_syllable(t)[1] for t in _phrase_tokens(phrase))


def _phrase_tokens(phrase: str) -> list[str]:
    tokens = tokenise(phrase)
    return _expanded(tokens) if not _EXPANSIONS.keys().isdisjoint(tokens) else tokens


P = TypeVar("P")


# A match is a plain tuple (start, end exclusive, payload): cheap to build in hot loops.
PhraseMatch: TypeAlias = tuple[int, int, P]
# Under a first and a second syllable: third syllable -> the longer phrases with their
# payloads, longest first, and under `_TWO` the two-syllable phrases. Tuples of strings,
# not lists: once the collector has seen them they are untracked, as the dicts holding only
# them are (14,000 names made 66,000 more tracked objects as lists, each full collection
# walking them).
_Bucket: TypeAlias = tuple[tuple[tuple[str, ...], P], ...]
_TWO = ""  # no syllable is empty


class PhraseMatcher(Generic[P]):
    """Finds syllable-sequence phrases with word boundaries.

    Index: first syllable -> (one-syllable payloads, second syllable -> third syllable ->
    longer phrases). Candidate positions are found by intersecting the first syllables with
    the document's token set (C-speed), so most documents cost one set operation and one
    scan; a country's names share their first two syllables by the hundred ("thị trấn",
    "xã tân"), so the third is looked up, not scanned.
    """

    __slots__ = ("_index", "_pairs", "_singles", "_size")

    def __init__(self) -> None:
        self._index: dict[str, tuple[list[P], dict[str, dict[str, _Bucket[P]]]]] = {}
        # A country's place names start with nearly every syllable: the first two syllables
        # of the longer phrases, and the one-syllable phrases, find the few real starts.
        self._pairs: set[tuple[str, str]] = set()
        self._singles: set[str] = set()
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
            self._singles.add(key[0])
        else:
            self._pairs.add((key[0], key[1]))
            after = longer.setdefault(key[1], {})
            third = key[2] if len(key) > 2 else _TWO
            bucket = after.get(third, ())
            at = len(bucket)  # longest first, in order of addition among equals
            while at and len(bucket[at - 1][0]) < len(key):
                at -= 1
            after[third] = (*bucket[:at], (key, payload), *bucket[at:])
        self._size += 1

    def find(
        self, tokens: Sequence[str], token_set: frozenset[str] | None = None
    ) -> list[PhraseMatch[P]]:
        """All occurrences in document order (overlapping allowed, longest first per start).

        Pass ``token_set`` from :meth:`NormalisedText.view` to avoid rebuilding it.
        """
        tokens = tuple(tokens)
        own = self._index
        candidates = self._singles & (token_set if token_set is not None else set(tokens))
        starts = self._pairs.intersection(pairwise(tokens))
        candidates.update(first for first, _ in starts)
        if not candidates:
            return []
        out: list[PhraseMatch[P]] = []
        n = len(tokens)
        for i in [i for i, tok in enumerate(tokens) if tok in candidates]:
            singles, longer = own[tokens[i]]
            for payload in singles:
                out.append((i, i + 1, payload))
            if longer and i + 1 < n:
                after = longer.get(tokens[i + 1])
                if after is not None:
                    if i + 2 < n:
                        for phrase, payload in after.get(tokens[i + 2], ()):
                            k = len(phrase)
                            if k == 3 or tokens[i : i + k] == phrase:
                                out.append((i, i + k, payload))
                    for _, payload in after.get(_TWO, ()):
                        out.append((i, i + 2, payload))
        return out

    def items(self) -> Iterable[tuple[tuple[str, ...], P]]:
        """(phrase, payload) pairs, e.g. to merge several matchers into one."""
        for first, (singles, longer) in self._index.items():
            for payload in singles:
                yield (first,), payload
            for after in longer.values():
                for third, bucket in after.items():
                    if third != _TWO:
                        yield from bucket
                yield from after.get(_TWO, ())
