from datetime import UTC, date, datetime

import pytest
from notifications_fixtures import T0, build_notice

from services.notifications.domain.errors import (
    InvalidTemplateError,
    NotFoundError,
    ValidationFailedError,
)
from services.notifications.domain.templates import (
    KIND_VARIABLES,
    TemplateRegistry,
    TemplateSet,
    TemplateValue,
    load_default_templates,
    notice_context,
    render,
    validate_template,
)
from services.notifications.domain.vocabulary import NoticeKind

SENDER = "Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai"
RECIPIENT = "Trung tâm Văn hóa, Thông tin và Thể thao huyện Chư Păh"

SAMPLE_VARIABLES: dict[str, TemplateValue] = {
    "plan_number": "25/KH-STTTT",
    "plan_title": "tuyên truyền phòng, chống tội phạm năm 2021",
    "issued_date": date(2021, 2, 25),
    "report_deadline": date(2021, 12, 15),
    "task_title": "Xây dựng chuyên mục phòng, chống tội phạm",
    "role": "chủ trì",
    "due_date": date(2021, 6, 30),
    "days_left": 3,
    "days_overdue": 5,
    "item_title": "Bài viết xuyên tạc về tình hình an ninh",
    "source_name": "Trang mạng xã hội X",
    "item_url": "https://example.org/post/1",
    "risk_level": "cao",
    "detected_at": datetime(2021, 3, 2, 1, 30, tzinfo=UTC),
}


def context_for(kind: NoticeKind) -> dict[str, TemplateValue]:
    notice = build_notice(
        kind=kind,
        subject="Hướng dẫn tuyên truyền dịp Tết",
        ack_deadline=datetime(2021, 3, 1, 10, tzinfo=UTC),
        variables={k: str(v) for k, v in SAMPLE_VARIABLES.items() if k in KIND_VARIABLES[kind]},
    )
    context = notice_context(
        notice, recipient_name=RECIPIENT, sender_name=SENDER, ack_url="https://ack/t"
    )
    context.update({k: v for k, v in SAMPLE_VARIABLES.items() if k in KIND_VARIABLES[kind]})
    return context


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_kind_has_a_valid_vietnamese_default_that_renders(kind: NoticeKind) -> None:
    registry = load_default_templates()
    message = render(registry.get(kind, "vi"), context_for(kind))
    assert message.subject and "\n" not in message.subject
    assert message.text.startswith(f"Kính gửi: {RECIPIENT}.")
    assert message.text.rstrip().endswith(SENDER)
    assert "https://ack/t" in message.text
    assert "{{" not in message.text


def test_task_assigned_reads_as_administrative_vietnamese() -> None:
    message = render(
        load_default_templates().get(NoticeKind.TASK_ASSIGNED, "vi"),
        context_for(NoticeKind.TASK_ASSIGNED),
    )
    assert message.subject == (
        "Giao nhiệm vụ: Xây dựng chuyên mục phòng, chống tội phạm (Kế hoạch số 25/KH-STTTT)"
    )
    assert (
        f"{SENDER} đề nghị {RECIPIENT} tổ chức triển khai thực hiện "
        "và báo cáo kết quả trước ngày 30/06/2021." in message.text
    )
    assert "xác nhận đã nhận nhiệm vụ trước ngày 01/03/2021" in message.text


def test_ack_paragraph_disappears_without_link() -> None:
    context = context_for(NoticeKind.PLAN_ISSUED)
    context["ack_url"] = ""
    text = render(load_default_templates().get(NoticeKind.PLAN_ISSUED, "vi"), context).text
    assert "xác nhận" not in text
    assert "\n\n\n" not in text


def test_syntax_error_is_reported_with_part_and_line() -> None:
    broken = TemplateSet(
        NoticeKind.GUIDANCE, "vi", "{{ notice_subject }}", "Kính gửi\n\n{% if ack_url %}\nx\n"
    )
    with pytest.raises(InvalidTemplateError) as info:
        validate_template(broken)
    assert info.value.code == "invalid_template"
    [error] = info.value.details["errors"]
    assert error["part"] == "text"
    assert error["line"] == 4
    assert "endif" in error["message"] or "end of template" in error["message"]


def test_unknown_variables_are_reported_with_their_line() -> None:
    template = TemplateSet(
        NoticeKind.TASK_DUE_SOON,
        "vi",
        "Nhắc hạn {{ task_titel }}",
        "Kính gửi {{ recipient_name }}\n{% for x in [1] %}{{ x }}{% endfor %}\n{{ deadline }}",
    )
    with pytest.raises(InvalidTemplateError) as info:
        validate_template(template)
    errors = info.value.details["errors"]
    assert {"part": "subject", "line": 1, "message": "unknown variable 'task_titel'"} in errors
    assert {"part": "text", "line": 3, "message": "unknown variable 'deadline'"} in errors
    assert len(errors) == 2  # the loop variable is not reported


def test_unknown_filter_is_reported_with_its_line() -> None:
    template = TemplateSet(NoticeKind.GUIDANCE, "vi", "x", "Kính gửi\n{{ notice_body | shout }}")
    with pytest.raises(InvalidTemplateError) as info:
        validate_template(template)
    [error] = info.value.details["errors"]
    assert (error["part"], error["line"]) == ("text", 2)
    assert "shout" in error["message"]


def test_loop_and_set_variables_are_not_unknown() -> None:
    validate_template(
        TemplateSet(
            NoticeKind.GUIDANCE,
            "vi",
            "x",
            "{% for x in [1] %}{{ loop.index }}{{ x }}{% endfor %}{% set y = 1 %}{{ y }}",
        )
    )


def test_registry_validates_on_save_and_reports_missing_templates() -> None:
    registry = TemplateRegistry()
    with pytest.raises(InvalidTemplateError):
        registry.save(TemplateSet(NoticeKind.ALERT, "vi", "{{ nope }}", "x"))
    with pytest.raises(NotFoundError):
        registry.get(NoticeKind.ALERT, "jra")


def test_missing_variable_at_render_time_is_strict() -> None:
    template = TemplateSet(NoticeKind.GUIDANCE, "vi", "{{ notice_subject }}", "{{ notice_body }}")
    with pytest.raises(ValidationFailedError) as info:
        render(template, {"notice_subject": "Tiêu đề"})
    assert "notice_body" in info.value.message


def test_html_part_is_autoescaped_but_text_is_not() -> None:
    template = TemplateSet(
        NoticeKind.GUIDANCE,
        "vi",
        "{{ notice_subject }}",
        "{{ notice_body }}",
        html="<p>{{ notice_body }}</p>",
    )
    validate_template(template)
    message = render(template, {"notice_subject": "S", "notice_body": "<b>Tôm & cá</b>"})
    assert message.text == "<b>Tôm & cá</b>\n"
    assert message.html == "<p>&lt;b&gt;Tôm &amp; cá&lt;/b&gt;</p>"


def test_sandbox_blocks_unsafe_attribute_access() -> None:
    template = TemplateSet(
        NoticeKind.GUIDANCE, "vi", "x", "{{ notice_body.__class__.__mro__[1].__subclasses__() }}"
    )
    with pytest.raises(InvalidTemplateError):
        render(template, {"notice_body": "a"})


def test_dates_render_in_local_time_dd_mm_yyyy() -> None:
    template = TemplateSet(NoticeKind.GUIDANCE, "vi", "x", "{{ ack_deadline | dmy }}")
    # 18:00 UTC on 28/02 is 01:00 on 01/03 in Gia Lai
    late_evening = datetime(2021, 2, 28, 18, 0, tzinfo=UTC)
    assert render(template, {"ack_deadline": late_evening}).text == "01/03/2021\n"
    assert render(template, {"ack_deadline": T0.date()}).text == "25/02/2021\n"
