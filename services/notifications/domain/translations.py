"""Human translations of a notice (Jrai ``jra``, Bahnar ``bdq``); no machine translation.

State machine::

    requested --submit--> submitted --approve--> approved
                              |  ^
                       reject |  | resubmit
                              v  |
                            rejected

Only an approved translation is ever sent. Text is stored NFC-normalised; NFC keeps the
combining breve (U+0306) used over accented letters (ơ̆, ư̆) in order.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from .errors import InvalidTransitionError, NotFoundError, ValidationFailedError
from .vocabulary import TranslationStatus

TRANSLATION_LANGUAGES: frozenset[str] = frozenset({"jra", "bdq"})
_NAMES = {"jra": "Jrai", "bdq": "Bahnar", "vi": "Vietnamese"}


def language_name(language: str) -> str:
    """The language's English name, for messages (the code itself when unknown)."""
    return _NAMES.get(language, language)


@dataclass(frozen=True)
class TranslationTask:
    notice_id: str
    language: str
    requested_at: datetime
    status: TranslationStatus = TranslationStatus.REQUESTED
    subject: str = ""
    body: str = ""
    translator_id: str | None = None
    reviewer_id: str | None = None
    rejection_reason: str | None = None
    revision: int = 0
    updated_at: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.notice_id}:{self.language}"

    def submit(self, translator_id: str, subject: str, body: str, at: datetime) -> TranslationTask:
        """First submission (from ``requested``) or resubmission (from ``rejected``)."""
        self._require(
            {TranslationStatus.REQUESTED, TranslationStatus.REJECTED}, TranslationStatus.SUBMITTED
        )
        subject_nfc = normalize_text(subject).strip()
        body_nfc = normalize_text(body).strip()
        if not subject_nfc or not body_nfc or not translator_id:
            raise ValidationFailedError(
                "translation needs a translator, a subject and a body", {"task": self.key}
            )
        return replace(
            self,
            status=TranslationStatus.SUBMITTED,
            subject=subject_nfc,
            body=body_nfc,
            translator_id=translator_id,
            rejection_reason=None,
            revision=self.revision + 1,
            updated_at=at,
        )

    def approve(self, reviewer_id: str, at: datetime) -> TranslationTask:
        self._require({TranslationStatus.SUBMITTED}, TranslationStatus.APPROVED)
        if not reviewer_id or reviewer_id == self.translator_id:
            raise ValidationFailedError(
                "a translation is approved by an officer other than its translator",
                {"task": self.key},
            )
        return replace(
            self, status=TranslationStatus.APPROVED, reviewer_id=reviewer_id, updated_at=at
        )

    def reject(self, reviewer_id: str, reason: str, at: datetime) -> TranslationTask:
        self._require({TranslationStatus.SUBMITTED}, TranslationStatus.REJECTED)
        if not reason.strip() or not reviewer_id:
            raise ValidationFailedError("a rejection needs a reviewer and a reason", {})
        return replace(
            self,
            status=TranslationStatus.REJECTED,
            reviewer_id=reviewer_id,
            rejection_reason=reason.strip(),
            updated_at=at,
        )

    def _require(self, allowed: set[TranslationStatus], target: TranslationStatus) -> None:
        if self.status not in allowed:
            raise InvalidTransitionError(
                f"translation cannot go from {self.status.value} to {target.value}",
                {"task": self.key, "from": self.status.value, "to": target.value},
            )


def request_translation(notice_id: str, language: str, at: datetime) -> TranslationTask:
    if language not in TRANSLATION_LANGUAGES:
        raise ValidationFailedError(
            f"no translation workflow for language {language!r}",
            {"language": language, "supported": sorted(TRANSLATION_LANGUAGES)},
        )
    return TranslationTask(notice_id=notice_id, language=language, requested_at=at)


def approved_languages(tasks: Iterable[TranslationTask], notice_id: str) -> frozenset[str]:
    return frozenset(
        t.language
        for t in tasks
        if t.notice_id == notice_id and t.status is TranslationStatus.APPROVED
    )


def approved_translation(
    tasks: Iterable[TranslationTask], notice_id: str, language: str
) -> TranslationTask:
    for task in tasks:
        if (
            task.notice_id == notice_id
            and task.language == language
            and task.status is TranslationStatus.APPROVED
        ):
            return task
    raise NotFoundError("no approved translation", {"notice_id": notice_id, "language": language})


def normalize_text(text: str) -> str:
    return unicodedata.normalize("NFC", text)
