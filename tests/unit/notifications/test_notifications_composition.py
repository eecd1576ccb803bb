from datetime import date, timedelta

import pytest
from notifications_fixtures import T0, build_notice

from services.notifications.domain.composition import DigestEntry, compose_digest, compose_message
from services.notifications.domain.delivery import delivery_expiry
from services.notifications.domain.errors import NotFoundError
from services.notifications.domain.templates import (
    TemplateRegistry,
    TemplateSet,
    load_default_templates,
)
from services.notifications.domain.translations import request_translation
from services.notifications.domain.vocabulary import NoticeKind

NOTICE = build_notice(
    kind=NoticeKind.GUIDANCE,
    subject="Hướng dẫn tuyên truyền phòng, chống ma túy",
    body="Tăng thời lượng phát thanh về phòng, chống ma túy.",
)
NAMES = {"recipient_name": "UBND xã Ia Hrung", "sender_name": "Sở Văn hóa, Thể thao và Du lịch"}
JRA_SUBJECT = "Pơ̆ng tơlơi"
JRA_BODY = "Ơ̆i ama, hơ̆k bơ̆n."


def approved_jra():  # type: ignore[no-untyped-def]
    return (
        request_translation(NOTICE.id, "jra", T0)
        .submit("translator", JRA_SUBJECT, JRA_BODY, T0)
        .approve("officer", T0)
    )


def test_vietnamese_comes_from_the_kind_template() -> None:
    message = compose_message(NOTICE, "vi", load_default_templates(), [], **NAMES)
    assert message.subject == NOTICE.subject
    assert NOTICE.body in message.text


def test_unapproved_translation_is_never_sent() -> None:
    submitted = request_translation(NOTICE.id, "jra", T0).submit("t", "x", "y", T0)
    with pytest.raises(NotFoundError):
        compose_message(NOTICE, "jra", load_default_templates(), [submitted], **NAMES)


def test_approved_translation_without_template_is_sent_as_is_with_ack_link() -> None:
    message = compose_message(
        NOTICE, "jra", load_default_templates(), [approved_jra()], ack_url="https://a/1", **NAMES
    )
    assert message.subject == JRA_SUBJECT
    assert message.text == f"{JRA_BODY}\n\nhttps://a/1\n"


def test_approved_translation_goes_through_a_language_template_when_present() -> None:
    registry = TemplateRegistry()
    registry.save(
        TemplateSet(NoticeKind.GUIDANCE, "jra", "{{ notice_subject }}", "{{ notice_body }}!")
    )
    message = compose_message(NOTICE, "jra", registry, [approved_jra()], **NAMES)
    assert message.text == f"{JRA_BODY}!\n"


def test_digest_lists_entries() -> None:
    message = compose_digest(
        [
            DigestEntry("Nhắc hạn báo cáo quý I", "Kế hoạch số 25/KH-STTTT", "https://a/1"),
            DigestEntry("Hướng dẫn tuyên truyền"),
        ],
        date(2021, 3, 1),
        **NAMES,
    )
    assert message.subject == "Tổng hợp 2 thông báo ngày 01/03/2021"
    assert "1. Nhắc hạn báo cáo quý I (Kế hoạch số 25/KH-STTTT)\n" in message.text
    assert "2. Hướng dẫn tuyên truyền\n" in message.text


def test_delivery_expiry_is_the_earliest_deadline() -> None:
    ack = T0 + timedelta(days=2)
    ttl = T0 + timedelta(days=1)
    assert delivery_expiry(build_notice(ack_deadline=ack, expires_at=ttl)) == ttl
    assert delivery_expiry(build_notice(ack_deadline=ack)) == ack
    assert delivery_expiry(build_notice()) is None
