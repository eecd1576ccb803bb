from datetime import timedelta

import pytest
from notifications_fixtures import T0, build_notice

from services.notifications.domain.errors import (
    ERROR_CODES,
    InvalidTransitionError,
    UnknownRecipientError,
    ValidationFailedError,
)
from services.notifications.domain.vocabulary import (
    NoticeCategory,
    NoticeKind,
    NoticeStatus,
    Priority,
    TranslationPolicy,
)


def test_kinds_map_to_the_four_categories() -> None:
    assert NoticeKind.PLAN_ISSUED.category is NoticeCategory.DIRECTIVE
    assert NoticeKind.TASK_ASSIGNED.category is NoticeCategory.DIRECTIVE
    assert NoticeKind.TASK_DUE_SOON.category is NoticeCategory.REMINDER
    assert NoticeKind.TASK_OVERDUE.category is NoticeCategory.REMINDER
    assert NoticeKind.ALERT.category is NoticeCategory.ALERT
    assert NoticeKind.GUIDANCE.category is NoticeCategory.GUIDANCE


def test_invalid_notice_lists_every_problem() -> None:
    with pytest.raises(ValidationFailedError) as info:
        build_notice(
            subject=" ",
            plan_id=None,
            task_id=None,
            recipients=(),
            ack_deadline=T0 - timedelta(hours=1),
        )
    assert info.value.code == "validation_failed"
    problems = info.value.details["problems"]
    assert "subject is empty" in problems
    assert "a notice refers to a plan or a task" in problems
    assert "no recipients" in problems
    assert "ack_deadline must be after created_at" in problems


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValidationFailedError):
        build_notice(created_at=T0.replace(tzinfo=None))


def test_approve_once_then_invalid_transition() -> None:
    approved = build_notice().approve()
    assert approved.status is NoticeStatus.APPROVED
    with pytest.raises(InvalidTransitionError) as info:
        approved.approve()
    assert info.value.code == "invalid_transition"


def test_critical_notice_never_waits_for_translation() -> None:
    notice = build_notice(priority=Priority.CRITICAL, translation_policy=TranslationPolicy.WAIT)
    assert notice.effective_translation_policy is TranslationPolicy.VI_FIRST


def test_error_hierarchy_has_stable_codes_and_serialises() -> None:
    err = UnknownRecipientError("unknown", {"unit_ids": ["x"]})
    assert err.to_dict() == {
        "code": "not_found",
        "message": "unknown",
        "details": {"unit_ids": ["x"]},
    }
    assert {
        "not_found",
        "validation_failed",
        "invalid_transition",
        "no_usable_contact",
        "oversize_body",
        "invalid_template",
        "invalid_signature",
        "expired",
    } == ERROR_CODES
