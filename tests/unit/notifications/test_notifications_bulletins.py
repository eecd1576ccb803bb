from datetime import date, timedelta
from typing import Any

import pytest
from notifications_fixtures import T0, build_notice

from services.notifications.domain.bulletins import assemble_bulletin, spoken
from services.notifications.domain.errors import ValidationFailedError
from services.notifications.domain.notices import Notice
from services.notifications.domain.translations import request_translation
from services.notifications.domain.vocabulary import NoticeKind, Priority

COMMUNE = "xa-ia-hrung"


def notice(nid: str, priority: Priority, hours: int, **kw: Any) -> Notice:
    fields: dict[str, Any] = {"recipients": (COMMUNE,), **kw}
    return build_notice(
        id=nid,
        kind=NoticeKind.GUIDANCE,
        priority=priority,
        created_at=T0 + timedelta(hours=hours),
        **fields,
    ).approve()


NOTICES = [
    notice(
        "n-normal-early",
        Priority.NORMAL,
        1,
        subject="Phòng chống tín dụng đen",
        body="Bà con cảnh giác với các khoản vay lãi suất cao. Hạn báo cáo 15/03/2021.",
    ),
    notice(
        "n-critical",
        Priority.CRITICAL,
        5,
        subject="Cảnh báo lừa đảo qua điện thoại",
        body="Không cung cấp mã OTP cho người lạ. Chi tiết tại https://gialai.gov.vn/x",
    ),
    notice(
        "n-normal-late",
        Priority.NORMAL,
        3,
        subject="Giao nộp vũ khí, vật liệu nổ",
        body="Vận động bà con tự giác giao nộp.",
    ),
    notice("n-high", Priority.HIGH, 6, subject="Phòng chống ma túy", body="Tuyên truyền."),
    build_notice(id="n-draft", recipients=(COMMUNE,)),
    notice("n-other-commune", Priority.CRITICAL, 1, recipients=("xa-khac",)),
    notice("n-outside-period", Priority.CRITICAL, 24 * 10),
]


def test_orders_by_priority_then_date_and_keeps_only_approved_in_period() -> None:
    bulletin = assemble_bulletin(
        COMMUNE, "xã Ia Hrung", ["vi"], date(2021, 2, 22), date(2021, 2, 28), NOTICES
    )
    assert [i.notice_id for i in bulletin.items] == [
        "n-critical",
        "n-high",
        "n-normal-early",
        "n-normal-late",
    ]


def test_plain_text_is_spoken_style_vietnamese() -> None:
    text = assemble_bulletin(
        COMMUNE, "xã Ia Hrung", ["vi"], date(2021, 2, 22), date(2021, 2, 28), NOTICES
    ).to_text()
    assert text.startswith(
        "Đây là Đài Truyền thanh xã Ia Hrung. Kính thưa bà con, sau đây là bản tin thông báo "
        "từ ngày 22 tháng 2 năm 2021 đến ngày 28 tháng 2 năm 2021."
    )
    assert "Thông báo khẩn. Tin thứ nhất: Cảnh báo lừa đảo qua điện thoại." in text
    assert "Tin thứ hai: Phòng chống ma túy." in text
    assert "15 tháng 3 năm 2021" in text and "15/03/2021" not in text
    assert "https://" not in text
    assert text.rstrip().endswith("Cảm ơn bà con đã chú ý lắng nghe. Xin chào và hẹn gặp lại.")


def test_approved_translations_follow_the_vietnamese_item() -> None:
    jra = (
        request_translation("n-high", "jra", T0)
        .submit("translator", "Pơ̆ng tơlơi", "Ơ̆i ama, hơ̆k bơ̆n.", T0)
        .approve("officer", T0)
    )
    pending = request_translation("n-critical", "jra", T0).submit("translator", "x", "y", T0)
    bulletin = assemble_bulletin(
        COMMUNE,
        "xã Ia Hrung",
        ["vi", "jra"],
        date(2021, 2, 22),
        date(2021, 2, 28),
        NOTICES,
        [jra, pending],
    )
    by_id = {i.notice_id: i for i in bulletin.items}
    assert [s.language for s in by_id["n-high"].sections] == ["vi", "jra"]
    assert [s.language for s in by_id["n-critical"].sections] == ["vi"]
    text = bulletin.to_text()
    assert "Sau đây là nội dung tin thứ hai bằng tiếng Jrai.\nPơ̆ng tơlơi.\nƠ̆i ama, hơ̆k bơ̆n." in text


def test_empty_period_still_produces_a_script() -> None:
    text = assemble_bulletin(
        COMMUNE, "xã Ia Hrung", [], date(2020, 1, 1), date(2020, 1, 7), NOTICES
    )
    assert "không có thông báo mới" in text.to_text()


def test_period_must_be_ordered() -> None:
    with pytest.raises(ValidationFailedError):
        assemble_bulletin(COMMUNE, "xã Ia Hrung", [], date(2021, 3, 1), date(2021, 2, 1), [])


def test_spoken_rewrites_dates() -> None:
    assert spoken("trước ngày 05/01/2022.") == "trước ngày 5 tháng 1 năm 2022."
