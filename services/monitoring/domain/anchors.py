"""Story anchors: the facts of a news item that two retellings of one story share and two
different stories of the same kind rarely do (named places, dates, ages, quantities, the
initials of the people in it). Conflicting anchors veto a story link (`conflicts`).

An anchor is a short string (`kind:value`), so that anchors travel in the shared log and serve
as keys of the story index's inverted index like terms do."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

__all__ = ["DATE_SLACK_DAYS", "anchors_of", "by_kind", "conflicts", "conflicts_of_kinds",
           "fold_text"]

# Dates of one story told by two outlets differ by the days between the event and its report.
DATE_SLACK_DAYS = 3
_DATE = re.compile(r"(?<![\d/.,])(\d{1,2})\s?[/-]\s?(\d{1,2})(?:\s?[/-]\s?(\d{4}|\d{2}))?(?![\d/])")
_DATE_WORDS = re.compile(r"\bngay (\d{1,2}) thang (\d{1,2})(?: nam (\d{4}))?")
_AGE = re.compile(r"(?<![\d.,])(\d{1,3})(?: tuoi\b|t\b(?! ?[/-]))")  # "28t" in social posts
_QUANTITY = re.compile(r"(?<![\d/.,])(\d+(?:[.,]\d+)*)\s?(%|[a-z]+)(?: (tu)\b)?")
_DOTTED = re.compile(r"(?<![\w.])((?:[A-ZĐ]\.\s?){1,3}[A-ZĐ])\.?(?![\w])")
def fold_text_plain(text: str) -> str:
    """`fold_text` before its table exists (for the constants below)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")


# A name: up to four capitalised words (the last perhaps an initial), after a word that says
# a person follows (a capitalised word after anything else is a place, a unit, a sentence).
_NAME = re.compile(r"((?:[A-ZĐ][^\W\d_]* ){0,3}[A-ZĐ][^\W\d_]*\.?)(?![\w.])")
_CUES = frozenset(
    spelt for cue in ("đối tượng", "bị cáo", "bị can", "nghi phạm", "anh", "chị", "ông", "bà",
                      "cháu", "em", "nạn nhân", "tài xế")
    for spelt in (cue, fold_text_plain(cue)))
_CUE_LENGTHS = sorted({len(cue) for cue in _CUES})
_CUE_ENDS = frozenset(cue[-1] for cue in _CUES)
_BEFORE_CAPITAL = re.compile(r" (?=[A-ZĐ])")
_MAYBE_DOTTED = re.compile(r"[A-ZĐ]\.\s?[A-ZĐ]")
# Digits with what may make them an anchor around them: only these windows are folded.
_NUMBERS = re.compile(r"\d[\d.,/ -]*")
_WINDOW = (16, 24)  # characters before ("ngày 12 tháng"), after ("2.000 viên", "năm tù")
# Words after a number that make it a quantity (a road's or a document's number is none).
_UNITS = frozenset({
    "%", "banh", "vien", "goi", "tep", "kg", "g", "gam", "gram", "tan", "ta", "lit", "m",
    "m2", "m3", "km", "ha", "hecta", "trieu", "ty", "nghin", "ngan", "dong", "usd", "nguoi",
    "doi", "xe", "o", "khau", "con", "hop", "thung", "bao", "can", "chiec", "cay", "ho",
    "nha", "hoc", "em", "chau", "nan", "bi", "vu", "tai", "may", "dien", "the", "so",
    "tai khoan", "cuoc", "phong", "canh", "quan", "diem", "lo", "kien", "bo", "manh"})
# Words that count people: one story counts its people in any of them ("10 người" in one
# retelling is "10 đối tượng" in another), so they are one kind of quantity.
_PEOPLE = frozenset({"nguoi", "doi", "em", "hoc", "chau", "nan", "bi"})
# Units as social posts type them ("3 ký", "20tr", "500k").
_SHORT_UNITS = {"ky": "kg", "ki": "kg", "tr": "trieu", "k": "nghin", "ti": "ty"}


def _folding_table() -> dict[int, str]:
    table = {}
    for code in range(0xC0, 0x2000):
        char = chr(code)
        bare = "".join(c for c in unicodedata.normalize("NFD", char)
                       if not unicodedata.combining(c))
        if bare != char and bare.isascii():
            table[code] = bare
    table[ord("đ")], table[ord("Đ")] = "d", "D"
    return table


_FOLDING = _folding_table()


def fold_text(text: str) -> str:
    """Lower case, diacritics removed, đ → d (anchors compare across spellings)."""
    return unicodedata.normalize("NFC", text).casefold().translate(_FOLDING)


def _number(raw: str) -> str:
    """'2.000' and '2,000' are two thousand; '1,5' one and a half (Vietnamese decimals)."""
    parts = re.split(r"[.,]", raw)
    if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
        return "".join(parts).lstrip("0") or "0"
    return raw.replace(",", ".").lstrip("0") or "0"


def _dates(folded: str, year: int | None) -> set[str]:
    found: set[str] = set()
    for pattern in (_DATE, _DATE_WORDS):
        for match in pattern.finditer(folded):
            day, month = int(match.group(1)), int(match.group(2))
            if not (1 <= day <= 31 and 1 <= month <= 12):
                continue
            raw_year = match.group(3)
            when = int(raw_year) if raw_year else year
            if when is not None and when < 100:
                when += 2000
            found.add(f"d:{when or 0:04d}-{month:02d}-{day:02d}")
    return found


def _inside_name(text: str, at: int) -> bool:
    """A capitalised cue after a capitalised word is part of a name ("Hoàng Anh Gia Lai")."""
    before = text[:at].rstrip(" ").rsplit(None, 1)
    return text[at].isupper() and bool(before) and before[-1][:1].isupper() and len(
        text[:at]) - len(text[:at].rstrip(" ")) == 1


def _initials(text: str) -> set[str]:
    found = set()
    if _MAYBE_DOTTED.search(text):  # most texts have none: the full pattern is slower
        found = {"i:" + re.sub(r"[.\s]", "", m.group(1)).casefold()
                 for m in _DOTTED.finditer(text)}
    for space in _BEFORE_CAPITAL.finditer(text):  # a name starts with a capital: look back
        end = space.start()
        if not end or text[end - 1].casefold()[-1:] not in _CUE_ENDS:
            continue  # most capitals follow no cue: a cue's last letter must come first
        before = text[max(0, end - _CUE_LENGTHS[-1]):end].casefold()
        for cue in {before[-n:] for n in _CUE_LENGTHS} & _CUES:
            at = end - len(cue)
            if (at == 0 or not text[at - 1].isalnum()) and not _inside_name(text, at):
                match = _NAME.match(text, end + 1)
                if match:
                    names = match.group(1).rstrip(".").split()
                    found.add("i:" + "".join(fold_text(w[0]) for w in names))
    return {x.replace("đ", "d") for x in found}


def _numeric_windows(text: str) -> str:
    """The folded text around its numbers (the rest carries no date, age or quantity)."""
    spans: list[tuple[int, int]] = []
    for match in _NUMBERS.finditer(text):
        start, end = max(0, match.start() - _WINDOW[0]), match.end() + _WINDOW[1]
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    # folded at once: normalising, case folding and the table act on each character alone,
    # and " | " composes with nothing, so this is the windows folded one by one, joined
    return fold_text(" | ".join([text[a:b] for a, b in spans]))


def anchors_of(title: str, body: str, places: Iterable[str], *,
               year: int | None = None, local: Iterable[str] = ()) -> tuple[str, ...]:
    """The anchors of an item: `p:` its most precise places (a place with a mention inside
    it is left out), `l:` those of them that are communes or wards (a place that small says
    which story as a date does), `d:` dates, `a:` ages, `q:` quantities with their unit,
    `i:` initials."""
    text = unicodedata.normalize("NFC", f"{title}\n{body}")
    folded = _numeric_windows(text)
    found = {f"p:{place}" for place in places} | {f"l:{place}" for place in local}
    found |= _dates(folded, year)
    found |= {f"a:{int(m.group(1))}" for m in _AGE.finditer(folded)}
    for match in _QUANTITY.finditer(folded):
        unit = _SHORT_UNITS.get(match.group(2), match.group(2))
        if match.group(3) and unit in ("nam", "thang"):
            unit += " tu"  # a sentence: years or months in prison
        elif unit not in _UNITS:
            continue
        elif unit in _PEOPLE:
            unit = "nguoi"
        found.add(f"q:{unit}:{_number(match.group(1))}")
    found |= _initials(text)
    return tuple(sorted(found))


def _ordinal(anchor: str) -> tuple[int, int]:
    """(year or 0, day of a leap year) of a `d:` anchor."""
    year, month, day = (int(x) for x in anchor[2:].split("-"))
    try:
        return year, date(2000, month, day).toordinal()
    except ValueError:
        return year, date(2000, month, 1).toordinal()


def _dates_apart(mine: list[str], theirs: list[str]) -> bool:
    for a in mine:
        year_a, day_a = _ordinal(a)
        for b in theirs:
            year_b, day_b = _ordinal(b)
            if (not year_a or not year_b or year_a == year_b) and (
                    abs(day_a - day_b) <= DATE_SLACK_DAYS):
                return False
    return True


def by_kind(anchors: Iterable[str]) -> dict[str, list[str]]:
    """Anchors grouped by kind (a quantity's kind includes its unit), for `conflicts`."""
    kinds: dict[str, list[str]] = {}
    for anchor in anchors:
        kind = anchor[0] if anchor[0] != "q" else anchor.rsplit(":", 1)[0]
        kinds.setdefault(kind, []).append(anchor)
    return kinds


def conflicts(mine: Iterable[str], theirs: Iterable[str],
              closure_mine: frozenset[str], closure_theirs: frozenset[str]) -> list[str]:
    """Why two items cannot tell one story: anchors of one kind that both have and that
    share nothing (places: neither's precise places lie within the other's; dates: more than
    `DATE_SLACK_DAYS` apart; initials: neither is the other's ending). Empty: no conflict."""
    return conflicts_of_kinds(by_kind(mine), by_kind(theirs), closure_mine, closure_theirs)


def conflicts_of_kinds(a: dict[str, list[str]], b: dict[str, list[str]],
                       closure_mine: frozenset[str], closure_theirs: frozenset[str]) -> list[str]:
    """`conflicts` of anchors grouped by `by_kind` already (one item against many)."""
    out: list[str] = []
    for kind in a.keys() & b.keys() - {"l"}:  # local places are judged as places ("p")
        left, right = a[kind], b[kind]
        if kind == "p":
            apart = not any(x[2:] in closure_theirs for x in left) and not any(
                y[2:] in closure_mine for y in right)
        elif kind == "d":
            apart = _dates_apart(left, right)
        elif kind == "i":
            apart = not any(x.endswith(y[2:]) or y.endswith(x[2:]) for x in left for y in right)
        else:
            apart = not set(left) & set(right)
        if apart:
            out.append(f"{kind}:{'|'.join(sorted(left))}≠{'|'.join(sorted(right))}")
    return out
