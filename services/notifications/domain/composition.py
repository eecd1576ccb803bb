"""Compose what a recipient receives in one language, and the daily digest.

Vietnamese comes from the kind's template. Another language comes only from its approved
translation: through the kind's template for that language when one exists, otherwise as the
translated subject and body followed by the ack link.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .notices import DEFAULT_LANGUAGE, Notice
from .templates import (
    DEFAULT_TEMPLATE_DIR,
    RenderedMessage,
    TemplateRegistry,
    notice_context,
    render,
    render_text,
)
from .translations import TranslationTask, approved_translation, normalize_text


def compose_message(
    notice: Notice,
    language: str,
    templates: TemplateRegistry,
    translations: Iterable[TranslationTask],
    *,
    recipient_name: str,
    sender_name: str,
    ack_url: str = "",
) -> RenderedMessage:
    """Raise ``NotFoundError`` when the language has no approved translation (an unapproved
    text is never sent) or Vietnamese has no template."""
    context = notice_context(
        notice, recipient_name=recipient_name, sender_name=sender_name, ack_url=ack_url
    )
    if language == DEFAULT_LANGUAGE:
        return render(templates.get(notice.kind, DEFAULT_LANGUAGE), context)
    translation = approved_translation(translations, notice.id, language)
    if templates.has(notice.kind, language):
        context.update(notice_subject=translation.subject, notice_body=translation.body)
        return render(templates.get(notice.kind, language), context)
    text = translation.body + (f"\n\n{ack_url}" if ack_url else "")
    return RenderedMessage(subject=translation.subject, text=normalize_text(text) + "\n")


@dataclass(frozen=True)
class DigestEntry:
    subject: str
    reference: str = ""  # e.g. "Kế hoạch số 25/KH-STTTT"
    ack_url: str = ""


def compose_digest(
    entries: Sequence[DigestEntry],
    day: date,
    *,
    recipient_name: str,
    sender_name: str,
    template_dir: Path = DEFAULT_TEMPLATE_DIR,
) -> RenderedMessage:
    """One Vietnamese message gathering the normal-priority notices held for the digest."""
    folder = template_dir / DEFAULT_LANGUAGE
    context = {
        "recipient_name": recipient_name,
        "sender_name": sender_name,
        "digest_date": day,
        "entries": list(entries),
    }
    subject = render_text((folder / "digest.subject.j2").read_text(encoding="utf-8"), context)
    text = render_text((folder / "digest.text.j2").read_text(encoding="utf-8"), context)
    return RenderedMessage(subject=" ".join(subject.split()), text=text + "\n")
