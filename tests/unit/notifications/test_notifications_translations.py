from datetime import timedelta

import pytest
from notifications_fixtures import T0

from services.notifications.domain.errors import (
    InvalidTransitionError,
    NotFoundError,
    ValidationFailedError,
)
from services.notifications.domain.translations import (
    approved_languages,
    approved_translation,
    request_translation,
)
from services.notifications.domain.vocabulary import TranslationStatus

T1 = T0 + timedelta(hours=1)
SUBJECT = "Pơ̆ng tơlơi hơ̆k"  # Jrai-like sample text (not a real translation)
BODY = "Ơ̆i ama, ih brơi hră anai kơ ƀôn sang."


def test_full_lifecycle_with_rejection_and_resubmission() -> None:
    task = request_translation("ntc-1", "jra", T0)
    assert task.status is TranslationStatus.REQUESTED
    submitted = task.submit("translator-ksor", SUBJECT, BODY, T1)
    assert submitted.status is TranslationStatus.SUBMITTED and submitted.revision == 1
    rejected = submitted.reject("officer-nguyen", "Sai thuật ngữ ở câu 2", T1)
    assert rejected.status is TranslationStatus.REJECTED
    assert rejected.rejection_reason == "Sai thuật ngữ ở câu 2"
    resubmitted = rejected.submit("translator-ksor", SUBJECT, BODY + " ", T1)
    assert resubmitted.revision == 2 and resubmitted.rejection_reason is None
    approved = resubmitted.approve("officer-nguyen", T1)
    assert approved.status is TranslationStatus.APPROVED
    assert approved.subject.encode() == SUBJECT.encode()


def test_only_approved_translations_count() -> None:
    submitted = request_translation("ntc-1", "jra", T0).submit("t", SUBJECT, BODY, T1)
    approved = (
        request_translation("ntc-1", "bdq", T0)
        .submit("t", SUBJECT, BODY, T1)
        .approve("officer", T1)
    )
    assert approved_languages([submitted, approved], "ntc-1") == {"bdq"}
    assert approved_translation([submitted, approved], "ntc-1", "bdq") is approved
    with pytest.raises(NotFoundError):
        approved_translation([submitted, approved], "ntc-1", "jra")


def test_illegal_transitions() -> None:
    task = request_translation("ntc-1", "bdq", T0)
    with pytest.raises(InvalidTransitionError):
        task.approve("officer", T1)
    with pytest.raises(InvalidTransitionError):
        task.reject("officer", "x", T1)
    approved = task.submit("t", SUBJECT, BODY, T1).approve("officer", T1)
    with pytest.raises(InvalidTransitionError) as info:
        approved.submit("t", SUBJECT, BODY, T1)
    assert info.value.details == {"task": "ntc-1:bdq", "from": "approved", "to": "submitted"}


def test_rules() -> None:
    submitted = request_translation("ntc-1", "jra", T0).submit("t", SUBJECT, BODY, T1)
    with pytest.raises(ValidationFailedError):
        submitted.reject("officer", "  ", T1)
    with pytest.raises(ValidationFailedError):
        submitted.approve("t", T1)  # translator cannot approve own work
    with pytest.raises(ValidationFailedError):
        request_translation("ntc-1", "jra", T0).submit("t", SUBJECT, "", T1)
    with pytest.raises(ValidationFailedError):
        request_translation("ntc-1", "en", T0)
