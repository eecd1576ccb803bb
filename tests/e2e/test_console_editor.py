"""A press outlet's editor on a phone (390 x 844): the unit's tasks with deadlines, a progress
report with a link to the published article, the unit's coverage; and what each role may
see: a role never gets a control it may not use."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from stack.console_testkit import submit_report, unit_task

ARTICLE = "https://baogialai.example.org/bai-viet/canh-giac-tin-dung-den"


def test_an_editor_reports_progress_from_a_phone(phone_console: Any) -> None:
    stack = phone_console.stack
    task = unit_task(stack, "outlet_editor")
    phone_console.sign_in("outlet_editor")
    page = phone_console.page
    expect(page).to_have_url(re.compile(r"/console/my-unit$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhiệm vụ của đơn vị")
    card = page.get_by_role("article", name=task["title"])
    expect(card.get_by_text(re.compile(r"^Kỳ tiếp theo: "))).to_be_visible()
    phone_console.assert_accessible("my unit (phone)")
    phone_console.screenshot("editor-my-unit-phone")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), \
        "the page scrolls sideways on a phone"

    card.get_by_role("link", name="Báo cáo tiến độ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(task["title"])
    page.get_by_role("combobox", name="Kỳ báo cáo").click()
    page.get_by_role("option", name="Quý 4/2021").click()
    page.get_by_role("textbox", name="Số lượng").fill("-")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_text("Số lượng phải là số không âm.")).to_be_visible()
    page.get_by_role("textbox", name="Số lượng").fill("9")
    page.get_by_role("textbox", name="Nội dung báo cáo").fill(
        "Quý IV: 9 tin, bài cảnh giác với tín dụng đen trên báo in và báo điện tử.")
    page.get_by_role("textbox", name="Đường dẫn 1").fill(ARTICLE)
    phone_console.assert_accessible("report form (phone)")
    page.get_by_role("button", name="Gửi báo cáo").click()
    sent_message = page.get_by_role("status").filter(has_text="Đã gửi báo cáo kỳ Quý 4/2021")
    expect(sent_message).to_be_visible()
    sent = page.get_by_role("region", name="Các báo cáo đã gửi")
    expect(sent.get_by_role("link", name=ARTICLE)).to_be_visible()
    expect(sent.get_by_role("button", name="Chấp nhận")).to_have_count(0)
    phone_console.screenshot("editor-report-phone", full_page=True)

    with phone_console.as_admin_api() as api:
        reports = api.get(f"/api/v1/plans/{stack.plan['id']}/tasks/{task['task_id']}/reports",
                          params={"limit": 200}).json()["items"]
        mine = [r for r in reports if r["period_key"] == "2021-Q4"]
        assert mine and mine[-1]["links"][0]["url"] == ARTICLE
        assert mine[-1]["counts"][0]["count"] == 9
        assert mine[-1]["unit_id"] == "bao-gia-lai"

    page.goto(stack.url + "my-unit/coverage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Độ phủ tin, bài của đơn vị")
    phone_console.assert_accessible("coverage (phone)")
    page.get_by_role("button", name="Mở menu điều hướng").click()
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.get_by_role("link", name="Nhiệm vụ đơn vị")).to_be_visible()
    phone_console.screenshot("editor-menu-phone")


# Controls by role: (what to open, control that must be there for some roles only).
def visible_controls(console: Any, role: str) -> dict[str, bool]:
    stack = console.stack
    task = unit_task(stack, "outlet_editor")
    console.sign_in(role)
    page = console.page
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("link").first.wait_for()
    seen = {"review menu": nav.get_by_role("link", name="Duyệt báo cáo").count() > 0,
            "my unit menu": nav.get_by_role("link", name="Nhiệm vụ đơn vị").count() > 0}
    page.goto(stack.url + f"plans/{stack.plan['id']}")
    page.get_by_role("heading", level=1).wait_for()
    page.get_by_role("button", name="Xuất số liệu").wait_for()
    seen["amend"] = page.get_by_role("button", name="Sửa đổi, bổ sung").count() > 0
    seen["close"] = page.get_by_role("button", name="Kết thúc kế hoạch").count() > 0
    seen["audit"] = page.get_by_role("link", name="Nhật ký thay đổi").count() > 0
    page.goto(stack.url + f"plans/{stack.plan['id']}/tasks/{task['task_id']}")
    page.get_by_role("heading", level=2, name="Báo cáo tiến độ").wait_for()
    page.get_by_test_id("report-card").first.wait_for()
    seen["accept"] = page.get_by_role("button", name="Chấp nhận").count() > 0
    seen["report button"] = page.get_by_role("link", name="Báo cáo tiến độ").count() > 0
    page.goto(stack.url + "reviews")
    page.get_by_role("heading", level=1).wait_for()
    seen["review screen"] = page.get_by_role("heading", level=1).inner_text() == "Duyệt báo cáo"
    return seen


EXPECTED = {
    "officer": {"review menu": True, "my unit menu": False, "amend": True, "close": True,
                "audit": True, "accept": True, "report button": False, "review screen": True},
    "outlet_editor": {"review menu": False, "my unit menu": True, "amend": False,
                      "close": False, "audit": False, "accept": False, "report button": True,
                      "review screen": False},
    "viewer": {"review menu": False, "my unit menu": False, "amend": False, "close": False,
               "audit": False, "accept": False, "report button": False,
               "review screen": False},
}


def test_each_role_sees_only_the_controls_it_may_use(console: Any) -> None:
    task = unit_task(console.stack, "outlet_editor")
    submit_report(console.stack, "outlet_editor", task["task_id"], "2021-Q3",
                  "Quý III: chờ duyệt.")
    got = {}
    for role in EXPECTED:
        got[role] = visible_controls(console, role)
        console.sign_out()
    assert got == EXPECTED
