"""A Department officer's path through the console in Chromium: the campaign overview, a
plan's dashboard, its tasks, the review queue (accept one report, return another with a
reason), the audit journal and a plan import; every screen checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from stack.console_testkit import submit_report, unit_task
from stack.demo import PLAN_FILE


def test_the_officer_follows_a_plan_and_reviews_reports(console: Any) -> None:
    stack = console.stack
    task = unit_task(stack, "outlet_editor")
    accepted = submit_report(stack, "outlet_editor", task["task_id"], "2021-Q1",
                             "Quý I: 14 tin, bài về phòng, chống ma túy.")
    returned = submit_report(stack, "outlet_editor", task["task_id"], "2021-Q2",
                             "Quý II: đang tổng hợp.")
    console.sign_in("officer")
    page = console.page

    card = page.get_by_role("article", name=stack.plan["number"])
    expect(card).to_be_visible()
    expect(card.get_by_text(re.compile(r"^Hoàn thành: \d"))).to_be_visible()
    console.assert_accessible("overview")
    console.screenshot("officer-overview")

    card.get_by_role("link", name=re.compile("Mở bảng điều hành")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(stack.plan["number"])
    expect(page.get_by_role("region", name="Tiến độ theo đơn vị")).to_be_visible()
    expect(page.get_by_role("table", name="Tiến độ theo đơn vị")).to_contain_text("Báo Gia Lai")
    expect(page.get_by_role("region", name="Tiến độ theo nhóm nhiệm vụ")).to_be_visible()
    page.get_by_role("img", name="Tin, bài và cảnh báo theo tháng").wait_for()
    console.assert_accessible("plan dashboard")
    console.screenshot("officer-dashboard", full_page=True)

    page.get_by_role("link", name="Danh sách nhiệm vụ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nhiệm vụ của kế hoạch")
    page.get_by_role("link", name=task["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(task["title"])
    console.assert_accessible("task")

    page.goto(stack.url + f"reviews?plan={stack.plan['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Duyệt báo cáo")
    first = page.get_by_role("article").filter(has_text=accepted["narrative"])
    second = page.get_by_role("article").filter(has_text=returned["narrative"])
    expect(first).to_be_visible()
    console.assert_accessible("review queue")
    console.screenshot("officer-review-queue")
    first.get_by_role("button", name="Chấp nhận").click()
    outcome = page.get_by_test_id("review-outcome")
    expect(outcome).to_have_text("Đã chấp nhận báo cáo Báo Gia Lai · Quý 1/2021.")

    second.get_by_role("button", name="Trả lại").click()
    dialog = page.get_by_role("dialog", name="Trả lại báo cáo")
    dialog.get_by_role("button", name="Trả lại báo cáo").click()
    expect(dialog.get_by_text("Hãy ghi lý do.")).to_be_visible()
    console.assert_accessible("return dialog")
    dialog.get_by_label(re.compile("Lý do trả lại")).fill("Thiếu đường dẫn minh chứng quý II.")
    dialog.get_by_role("button", name="Trả lại báo cáo").click()
    expect(outcome).to_contain_text("Đã trả lại báo cáo Báo Gia Lai · Quý 2/2021")

    with console.as_admin_api() as api:
        assert api.get(f"/api/v1/reports/{accepted['id']}").json()["status"] == "accepted"
        again = api.get(f"/api/v1/reports/{returned['id']}").json()
        assert again["status"] == "returned"
        assert again["review_reason"] == "Thiếu đường dẫn minh chứng quý II."

    page.goto(stack.url + f"plans/{stack.plan['id']}/audit")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nhật ký thay đổi")
    expect(page.get_by_role("list", name="Các mục nhật ký")).to_contain_text("task.created")
    console.assert_accessible("audit journal")


def test_the_officer_imports_a_plan_file_with_a_progress_bar(console: Any) -> None:
    console.sign_in("officer")
    page = console.page
    page.get_by_role("link", name="Nhập kế hoạch từ tệp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập kế hoạch từ tệp")
    page.get_by_role("button", name="Nhập kế hoạch").click()
    expect(page.get_by_text("Hãy chọn một tệp.")).to_be_visible()
    page.locator("input[type=file]").set_input_files(str(PLAN_FILE))
    page.get_by_role("button", name="Nhập kế hoạch").click()
    # The demo loader imported this very file: the import says nothing changed.
    expect(page.get_by_role("status").filter(has_text="25/KH-STTTT")).to_be_visible()
    console.assert_accessible("import")
    console.screenshot("officer-import")


def tab_to(page: Any, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element reads `text` (as a keyboard user finds it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.innerText?.trim()") == text:
            return
    raise AssertionError(f"{text!r} is not reachable with Tab")


def test_the_officer_signs_in_and_reviews_with_the_keyboard_only(console: Any) -> None:
    stack = console.stack
    task = unit_task(stack, "local_officer")
    report = submit_report(stack, "local_officer", task["task_id"], "2021-Q1",
                           "Quý I: báo cáo của Phòng VH&TT Pleiku, duyệt bằng bàn phím.")
    account = stack.accounts["officer"]
    page = console.open(f"reviews?plan={stack.plan['id']}")
    page.get_by_role("button", name="Đăng nhập").wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "username"
    page.keyboard.type(account.username)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "password"
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Duyệt báo cáo")
    card = page.get_by_role("article").filter(has_text=report["narrative"])
    expect(card).to_be_visible()
    card.get_by_role("button", name="Chấp nhận").focus()
    # From the start of the page, as a keyboard user would: the skip link first.
    page.evaluate("() => document.activeElement.blur()")
    tab_to(page, "Bỏ qua, đến nội dung chính")
    page.keyboard.press("Enter")
    for _ in range(200):
        page.keyboard.press("Tab")
        inside = page.evaluate(
            "(narrative) => { const a = document.activeElement;"
            " const card = a && a.closest('article');"
            " return !!card && card.innerText.includes(narrative)"
            " && a.innerText.trim() === 'Chấp nhận'; }", report["narrative"])
        if inside:
            break
    else:
        raise AssertionError("the accept button of the report is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("review-outcome")).to_contain_text("Đã chấp nhận báo cáo")
