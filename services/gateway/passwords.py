"""Which passwords are refused, and why in words a person understands (NIST SP 800-63B: no
composition rules, but no common, expected or compromised values, no repetitive or
sequential characters, no context-specific words such as the user name).

The blocklist is zxcvbn's: the 30,000 most common passwords of leaked password sets, and the
30,000 most frequent English words, plus the words of this platform. A password is compared
as a person would type it anywhere: lower case, Vietnamese diacritics and separators removed,
common letter-for-digit substitutions undone (p@ssw0rd is password). Pure: no I/O after the
lists are loaded (`load()`, a fraction of a second, done once at start).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

MIN_LENGTH = 12
MAX_LENGTH = 200
ADVICE = ("Choose a longer phrase of several unrelated words that only you would put "
          "together (for example four words and a place), not a known word with digits "
          "or symbols added.")
# Words anyone attacking this platform would try first.
CONTEXT_WORDS = ("gialai", "pleiku", "campaign", "tuyentruyen", "sotttt", "stttt", "matkhau",
                 "admin", "administrator", "quantri")
KEYBOARD_ROWS = ("01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm",
                 "abcdefghijklmnopqrstuvwxyz")
LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "l", "!": "i", "3": "e", "$": "s",
                      "5": "s", "7": "t", "+": "t", "8": "b", "9": "g"})
SEPARATORS = re.compile(r"[\s._\-]+")
AFFIXES = re.compile(r"^([^a-z]*)(.*?)([^a-z]*)$", re.DOTALL)
# What may be added around a common word without making it any harder to guess.
MAX_TRIVIAL_AFFIX = 4


class WeakPassword(ValueError):
    """A refused password; `reason` is a sentence for the person who chose it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def advice(self) -> str:
        return f"This password is too easy to guess: {self.reason}. {ADVICE}"


@functools.cache
def blocklist() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = (*FREQUENCY_LISTS["passwords"], *FREQUENCY_LISTS["english_wikipedia"],
             *CONTEXT_WORDS)
    return frozenset(normalise(word) for word in words)


def load() -> None:
    """Load the lists now (at start) rather than on the first password change."""
    blocklist()


def normalise(text: str) -> str:
    """Lower case, without diacritics (đ is d) and without separators."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return SEPARATORS.sub("", plain)


def check(password: str, username: str | None = None) -> None:
    """Raise WeakPassword if `password` is refused; say why."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"it has fewer than {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"it has more than {MAX_LENGTH} characters")
    plain = normalise(password)
    name = normalise(username or "")
    if len(name) >= 3 and (name in plain or name in plain[::-1]):
        raise WeakPassword("it contains your user name")
    if len(set(plain)) < 5 or _periodic(plain):
        raise WeakPassword("it repeats the same few characters")
    if _sequential(plain):
        raise WeakPassword("it is a sequence of neighbouring keys or letters")
    if _common(plain):
        raise WeakPassword("it is one of the most common passwords or words, "
                           "perhaps with a few characters added")


def _periodic(text: str) -> bool:
    """`abcabcabc`, `12121212`: the same unit of at most half the length, repeated."""
    return any(text == (text[:size] * (len(text) // size + 1))[:len(text)]
               for size in range(1, len(text) // 2 + 1))


def _neighbours(first: str, second: str) -> bool:
    pair = first + second
    return any(pair in row or pair in row[::-1] for row in KEYBOARD_ROWS)


def _sequential(text: str) -> bool:
    """Mostly steps to a neighbouring key or letter: `abcdefgh`, `qwertyuiop123`, `987654`."""
    if len(text) < 2:
        return False
    steps = sum(_neighbours(a, b) for a, b in itertools.pairwise(text))
    return steps >= 0.75 * (len(text) - 1)


def _trivial_affix(affix: str) -> bool:
    """Symbols and a few digits, a year, a run or a repetition: `!!2024`, `123456`, `0000`."""
    digits = re.sub(r"[^0-9]", "", affix)
    return (len(digits) <= MAX_TRIVIAL_AFFIX or len(set(digits)) <= 2 or _periodic(digits)
            or _sequential(digits) or bool(re.fullmatch(r"(19|20)\d\d", digits)))


def _common(text: str) -> bool:
    words = blocklist()
    if text in words or text.translate(LEET) in words:
        return True
    # Letters in the middle, digits and symbols around them: `password1234`, `!!dragon2024`.
    # Undo the substitutions first, so p@ssw0rd keeps its letters.
    for candidate in (text, _leet_core(text)):
        match = AFFIXES.match(candidate)
        if match is None:
            continue
        before, core, after = match.groups()
        if core in words and _trivial_affix(before) and _trivial_affix(after):
            return True
    return False


def _leet_core(text: str) -> str:
    """Substitutions undone inside the letters only (trailing digits stay digits)."""
    match = re.match(r"^([^a-z]*)(.*[a-z])([^a-z]*)$", text)
    if match is None:
        return text
    before, core, after = match.groups()
    return before + core.translate(LEET) + after
