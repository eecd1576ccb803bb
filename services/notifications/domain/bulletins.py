"""Commune loudspeaker bulletins: a script read on the commune radio, assembled from the
approved notices addressed to the commune in a period, most urgent first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .errors import ValidationFailedError
from .notices import DEFAULT_LANGUAGE, Notice
from .preferences import to_local
from .translations import TranslationTask
from .vocabulary import NoticeStatus, Priority, TranslationStatus

LANGUAGE_NAMES: Mapping[str, str] = {"vi": "tiếng Việt", "jra": "tiếng Jrai", "bdq": "tiếng Bahnar"}
_ORDINALS = ("nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười")
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_URL = re.compile(r"\s*(?:tại đường dẫn:?\s*)?https?://\S+", re.IGNORECASE)


@dataclass(frozen=True)
class BulletinSection:
    language: str
    title: str
    text: str


@dataclass(frozen=True)
class BulletinItem:
    notice_id: str
    priority: Priority
    sections: tuple[BulletinSection, ...]  # Vietnamese first, then approved translations


@dataclass(frozen=True)
class Bulletin:
    commune_id: str
    commune_name: str
    period_start: date
    period_end: date
    header: str
    items: tuple[BulletinItem, ...]
    footer: str

    def to_text(self) -> str:
        lines = [self.header, ""]
        if not self.items:
            lines += ["Trong thời gian này không có thông báo mới.", ""]
        for number, item in enumerate(self.items, start=1):
            urgent = "Thông báo khẩn. " if item.priority is Priority.CRITICAL else ""
            for section in item.sections:
                if section.language == DEFAULT_LANGUAGE:
                    lines.append(f"{urgent}Tin thứ {_ordinal(number)}: {_sentence(section.title)}")
                else:
                    name = LANGUAGE_NAMES.get(section.language, section.language)
                    lines.append(f"Sau đây là nội dung tin thứ {_ordinal(number)} bằng {name}.")
                    lines.append(_sentence(section.title))
                lines += [section.text, ""]
        lines.append(self.footer)
        return "\n".join(lines) + "\n"


def assemble_bulletin(
    commune_id: str,
    commune_name: str,
    languages: Iterable[str],
    period_start: date,
    period_end: date,
    notices: Iterable[Notice],
    translations: Iterable[TranslationTask] = (),
) -> Bulletin:
    """``commune_name`` includes its type, e.g. "xã Ia Hrung"; dates are local dates."""
    if period_end < period_start:
        raise ValidationFailedError("bulletin period ends before it starts", {})
    approved = {
        (t.notice_id, t.language): t for t in translations if t.status is TranslationStatus.APPROVED
    }
    extra_languages = [lang for lang in dict.fromkeys(languages) if lang != DEFAULT_LANGUAGE]
    selected = sorted(
        (
            n
            for n in notices
            if n.status is NoticeStatus.APPROVED
            and commune_id in n.recipients
            and period_start <= to_local(n.created_at).date() <= period_end
        ),
        key=lambda n: (-n.priority.rank, n.created_at, n.id),
    )
    items = []
    for notice in selected:
        sections = [BulletinSection(DEFAULT_LANGUAGE, notice.subject, spoken(notice.body))]
        for lang in extra_languages:
            task = approved.get((notice.id, lang))
            if task is not None:
                sections.append(BulletinSection(lang, task.subject, spoken(task.body)))
        items.append(BulletinItem(notice.id, notice.priority, tuple(sections)))
    station = f"Đài Truyền thanh {commune_name}"
    header = (
        f"Đây là {station}. Kính thưa bà con, sau đây là bản tin thông báo "
        f"từ {spoken_date(period_start)} đến {spoken_date(period_end)}."
    )
    footer = (
        f"Bản tin của {station} đến đây là kết thúc. "
        "Cảm ơn bà con đã chú ý lắng nghe. Xin chào và hẹn gặp lại."
    )
    return Bulletin(
        commune_id, commune_name, period_start, period_end, header, tuple(items), footer
    )


def spoken_date(day: date) -> str:
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def spoken(text: str) -> str:
    """Make written text readable aloud: dd/mm/yyyy -> "25 tháng 2 năm 2021", drop links."""
    without_links = _URL.sub("", text)
    with_dates = _DATE.sub(
        lambda m: f"{int(m.group(1))} tháng {int(m.group(2))} năm {m.group(3)}", without_links
    )
    return "\n".join(line.rstrip() for line in with_dates.strip().splitlines())


def _ordinal(number: int) -> str:
    return _ORDINALS[number - 1] if number <= len(_ORDINALS) else str(number)


def _sentence(title: str) -> str:
    return title.strip().rstrip(".!?:;") + "."
