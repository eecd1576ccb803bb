"""SMS encoding detection, length counting and segmentation.

GSM-7: 160 septets single / 153 per part; extension-table characters count 2.
UCS-2: 70 UTF-16 code units single / 67 per part; astral characters count 2.
Segments never split a surrogate pair, an escape sequence, or a base letter from its
combining marks (the Jrai/Bahnar breve in "ơ̆" stays with its letter).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from .errors import OversizeBodyError, ValidationFailedError

GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION: frozenset[str] = frozenset("^{}\\[~]|€\f")


class SmsEncoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"

    @property
    def single_limit(self) -> int:
        return 160 if self is SmsEncoding.GSM7 else 70

    @property
    def part_limit(self) -> int:
        return 153 if self is SmsEncoding.GSM7 else 67


class UnaccentMode(StrEnum):
    NEVER = "never"
    ALWAYS = "always"
    IF_OVERSIZE = "if_oversize"  # only when the accented text exceeds max_parts


class OversizePolicy(StrEnum):
    REJECT = "reject"
    TRUNCATE = "truncate"


@dataclass(frozen=True)
class SmsPolicy:
    max_parts: int = 5
    on_oversize: OversizePolicy = OversizePolicy.REJECT
    unaccent: UnaccentMode = UnaccentMode.NEVER
    ellipsis: str = "..."

    def __post_init__(self) -> None:
        if self.max_parts < 1:
            raise ValidationFailedError("max_parts must be at least 1", {})


@dataclass(frozen=True)
class SmsMessage:
    text: str
    encoding: SmsEncoding
    parts: tuple[str, ...]
    unaccented: bool = False
    truncated: bool = False

    @property
    def units(self) -> int:
        return count_units(self.text, self.encoding)


def detect_encoding(text: str) -> SmsEncoding:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return SmsEncoding.GSM7
    return SmsEncoding.UCS2


def char_units(ch: str, encoding: SmsEncoding) -> int:
    if encoding is SmsEncoding.GSM7:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def count_units(text: str, encoding: SmsEncoding | None = None) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2)."""
    enc = encoding or detect_encoding(text)
    return sum(char_units(ch, enc) for ch in text)


def clusters(text: str) -> list[str]:
    """Split into base character + its combining marks / joiners / variation selectors."""
    result: list[str] = []
    for ch in text:
        if result and _attaches(ch, result[-1]):
            result[-1] += ch
        else:
            result.append(ch)
    return result


def segment(text: str, encoding: SmsEncoding | None = None) -> tuple[str, ...]:
    enc = encoding or detect_encoding(text)
    if count_units(text, enc) <= enc.single_limit:
        return (text,) if text else ()
    parts: list[str] = []
    current, used = "", 0
    for cluster in clusters(text):
        size = count_units(cluster, enc)
        if size > enc.part_limit:
            raise OversizeBodyError("a single character cluster exceeds one SMS part", {})
        if used + size > enc.part_limit:
            parts.append(current)
            current, used = "", 0
        current += cluster
        used += size
    if current:
        parts.append(current)
    return tuple(parts)


def unaccent(text: str) -> str:
    """Strip Vietnamese (and other) diacritics, đ→d, Đ→D, to fit GSM-7."""
    replaced = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", replaced) if not unicodedata.combining(ch)
    )
    return unicodedata.normalize("NFC", stripped)


def prepare_sms(text: str, policy: SmsPolicy = SmsPolicy()) -> SmsMessage:
    """Choose the variant and encoding, segment, then enforce ``max_parts``."""
    body = unicodedata.normalize("NFC", text)
    if policy.unaccent is UnaccentMode.ALWAYS:
        return _fit(unaccent(body), policy, unaccented=True)
    message = _build(body)
    if len(message.parts) <= policy.max_parts:
        return message
    if policy.unaccent is UnaccentMode.IF_OVERSIZE:
        return _fit(unaccent(body), policy, unaccented=True)
    return _fit(body, policy, unaccented=False)


def _build(text: str, *, unaccented: bool = False, truncated: bool = False) -> SmsMessage:
    enc = detect_encoding(text)
    return SmsMessage(text, enc, segment(text, enc), unaccented, truncated)


def _fit(text: str, policy: SmsPolicy, *, unaccented: bool) -> SmsMessage:
    message = _build(text, unaccented=unaccented)
    if len(message.parts) <= policy.max_parts:
        return message
    if policy.on_oversize is OversizePolicy.REJECT:
        raise OversizeBodyError(
            f"SMS body needs {len(message.parts)} parts, limit is {policy.max_parts}",
            {
                "parts": len(message.parts),
                "max_parts": policy.max_parts,
                "encoding": message.encoding.value,
                "units": message.units,
            },
        )
    return _truncate(text, message.encoding, policy, unaccented=unaccented)


def _truncate(text: str, enc: SmsEncoding, policy: SmsPolicy, *, unaccented: bool) -> SmsMessage:
    budget = enc.single_limit if policy.max_parts == 1 else enc.part_limit * policy.max_parts
    budget -= count_units(policy.ellipsis, enc)
    kept: list[str] = []
    used = 0
    for cluster in clusters(text):
        size = count_units(cluster, enc)
        if used + size > budget:
            break
        kept.append(cluster)
        used += size
    truncated_text = "".join(kept).rstrip() + policy.ellipsis
    # Part boundaries fall on clusters: shrink until the segmented text fits.
    while len(segment(truncated_text, enc)) > policy.max_parts and kept:
        kept.pop()
        truncated_text = "".join(kept).rstrip() + policy.ellipsis
    return SmsMessage(truncated_text, enc, segment(truncated_text, enc), unaccented, True)


def _attaches(ch: str, previous: str) -> bool:
    if unicodedata.combining(ch) or unicodedata.category(ch) in {"Mn", "Me", "Mc"}:
        return True
    if "\ufe00" <= ch <= "\ufe0f" or ch == "\u200d":
        return True
    return previous.endswith("\u200d")
