"""Vietnamese and feed date parsing into timezone-aware datetimes."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

__all__ = ["DEFAULT_TZ", "DateParseError", "local_day", "parse_date"]

DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class DateParseError(ValueError):
    """No date could be read from the text."""


def local_day(moment: datetime, tz: tzinfo = DEFAULT_TZ) -> date:
    """The day in the province (naive instants are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).date()


_GMT = re.compile(r"\(?\s*(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\s*\)?", re.IGNORECASE)
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})(?!\d)")
_LONG = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_TIME = re.compile(r"(?<!\d)(\d{1,2})\s*(?::|h|giờ)\s*(\d{2})?(?:\s*(?::)\s*(\d{2}))?(?!\d)")
_RELATIVE = re.compile(r"(\d+)\s*(giây|phút|giờ|tiếng|ngày|tuần|tháng|năm)\s*trước")
_RELATIVE_UNITS = {
    "giây": timedelta(seconds=1),
    "phút": timedelta(minutes=1),
    "giờ": timedelta(hours=1),
    "tiếng": timedelta(hours=1),
    "ngày": timedelta(days=1),
    "tuần": timedelta(weeks=1),
    "tháng": timedelta(days=30),
    "năm": timedelta(days=365),
}
_DAY_WORDS = {"hôm nay": 0, "hôm qua": -1, "hôm kia": -2, "ngày mai": 1}


def _offset(text: str) -> tzinfo | None:
    m = _GMT.search(text)
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
    return timezone(timedelta(minutes=minutes if m.group(1) == "+" else -minutes))


def _time_of_day(text: str) -> tuple[int, int, int]:
    for m in _TIME.finditer(text):
        hour, minute, second = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
        if hour < 24 and minute < 60 and second < 60:
            return hour, minute, second
    return 0, 0, 0


def parse_date(text: str, *, now: datetime | None = None, tz: tzinfo = DEFAULT_TZ) -> datetime:
    """Parse dates as written by Vietnamese sites and feeds; raises :class:`DateParseError`.

    Handles dd/mm/yyyy (also '-', '.'), "Thứ ba, 25/11/2026, 08:30 (GMT+7)", "08:30 25/11/2026",
    "ngày 25 tháng 11 năm 2026", relative forms ("2 giờ trước", "hôm qua") against ``now``,
    ISO 8601 and RFC 822. Naive results are placed in ``tz`` (Asia/Ho_Chi_Minh by default).
    """
    raw = text.strip()
    if not raw:
        raise DateParseError("empty date")
    try:  # ISO 8601 (feeds, Atom)
        iso = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
        parsed = datetime.fromisoformat(iso)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    except ValueError:
        pass
    if (raw[:1].isalpha() and "," in raw[:5]) or re.match(r"\d{1,2} [A-Za-z]{3} \d{4}", raw):
        try:  # RFC 822 / 2822 (RSS)
            parsed = parsedate_to_datetime(raw)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
        except (TypeError, ValueError, IndexError):
            pass
    lowered = unicodedata.normalize("NFC", raw).casefold()
    zone = _offset(lowered) or tz
    cleaned = _GMT.sub(" ", lowered)
    m = _DMY.search(cleaned) or _LONG.search(cleaned)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        rest = cleaned[: m.start()] + " " + cleaned[m.end() :]
        hour, minute, second = _time_of_day(rest)
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=zone)
        except ValueError as exc:
            raise DateParseError(f"invalid date {raw!r}: {exc}") from exc
    reference = now or datetime.now(tz)
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=tz)
    m = _RELATIVE.search(cleaned)
    if m:
        return reference - int(m.group(1)) * _RELATIVE_UNITS[m.group(2)]
    if "vừa xong" in cleaned or "vừa mới" in cleaned:
        return reference
    for word, delta in _DAY_WORDS.items():
        if word in cleaned:
            base = reference.astimezone(zone) + timedelta(days=delta)
            if _TIME.search(cleaned):
                hour, minute, second = _time_of_day(cleaned)
                return base.replace(hour=hour, minute=minute, second=second, microsecond=0)
            return base
    raise DateParseError(f"unrecognised date {raw!r}")
