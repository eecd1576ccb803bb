"""The translator's path in a real browser: the queue of notices needing Jrai or Bahnar, the
side-by-side editor (stacked on a phone), submitting; an officer returns it with a reason from
the notice's screen, and the translator sees that reason."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from stack.console_testkit import ConsoleStack, patient, post_until_served, wait_until_settled

EDITOR_UNIT = "bao-gia-lai"  # reads Vietnamese, Jrai and Bahnar
# What a server round trip may take on a loaded two-core machine (expect's default is 5 s).
SLOW = 30_000



@pytest.fixture(autouse=True, scope="module")
def settled(console_stack: ConsoleStack) -> None:
    wait_until_settled(console_stack)


def notice_needing_translations(api: httpx.Client, plan_id: str) -> dict[str, Any]:
    number = secrets.token_hex(3)
    reply = post_until_served(api, "/api/v1/notices", {  # a retry is the same notice
        "idempotency_key": f"console-test-{number}",
        "subject": f"Tuyên truyền phòng, chống mua bán người (số {number})",
        "body": "Đề nghị tuyên truyền tới đồng bào dân tộc thiểu số về thủ đoạn mua bán người.",
        "recipients": [EDITOR_UNIT], "plan_id": plan_id, "translation_policy": "vi_first"})
    reply.raise_for_status()
    notice: dict[str, Any] = reply.json()
    return notice


def load_until_visible(page: Any, row: Any, pages: int = 10) -> None:
    """The queue is oldest request first: "Tải thêm" until the row is there."""
    expect(page.get_by_test_id("translation-row").first).to_be_visible(timeout=15_000)
    for _ in range(pages):
        if row.count():
            break
        more = page.get_by_role("button", name="Tải thêm")
        if not more.count():
            break
        shown = page.get_by_test_id("translation-row").count()
        more.click()
        expect(page.get_by_test_id("translation-row")).not_to_have_count(shown, timeout=SLOW)
    expect(row).to_be_visible(timeout=10_000)


@pytest.mark.timeout(300)
def test_translate_be_returned_with_a_reason_and_see_it(console: Any, phone_console: Any,
                                                       api: httpx.Client) -> None:
    patient(console, phone_console)
    notice = notice_needing_translations(api, console.stack.plan["id"])
    subject = notice["subject"]

    console.sign_in("translator")
    page = console.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản cần dịch")
    page.locator("label").filter(has_text="Tiếng Jrai").click()
    expect(page.get_by_role("radio", name="Tiếng Jrai")).to_be_checked()
    row = page.get_by_test_id("translation-row").filter(has_text=subject)
    load_until_visible(page, row)
    console.assert_accessible("translation queue")
    console.screenshot("translation-queue")
    row.get_by_role("link", name=f"Dịch: {subject}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dịch sang tiếng Jrai", timeout=SLOW)
    source = page.get_by_role("region", name="Bản gốc tiếng Việt")
    target = page.get_by_role("region", name="Bản dịch tiếng Jrai")
    expect(source).to_contain_text(subject)
    # Side by side on a desktop: the original on the left, the translation on the right.
    assert source.bounding_box()["x"] < target.bounding_box()["x"]
    page.get_by_role("textbox", name="Trích yếu (tiếng Jrai)").fill(
        "Pơtô pơhiăp kơ tơlơi sĭ mơnuih")
    page.get_by_role("textbox", name="Nội dung (tiếng Jrai)").fill(
        "Pơtô brơi ană plei kơ hơdră mơnuih sĭ mơnuih.")
    console.assert_accessible("translation editor")
    console.screenshot("translation-editor")
    page.get_by_role("button", name="Gửi bản dịch để duyệt").click()
    submitted = page.get_by_role("status").filter(has_text="Đã gửi bản dịch")
    expect(submitted).to_be_visible(timeout=SLOW)

    # The officer returns it with a reason, from the notice's screen.
    phone_console.page.set_viewport_size({"width": 1366, "height": 860})
    phone_console.sign_in("officer", f"notices/{notice['id']}")
    officer = phone_console.page
    jrai = officer.get_by_test_id("translation-jra")
    expect(jrai).to_contain_text("Chờ duyệt", timeout=SLOW)
    expect(jrai).to_contain_text("Pơtô pơhiăp kơ tơlơi sĭ mơnuih")
    jrai.get_by_role("button", name="Trả lại").click()
    dialog = officer.get_by_role("dialog")
    dialog.get_by_role("textbox").fill("Thuật ngữ 'mua bán người' dịch chưa đúng")
    dialog.get_by_role("button", name="Trả lại").click()
    expect(jrai).to_contain_text("Bị trả lại", timeout=SLOW)
    expect(jrai).to_contain_text("Thuật ngữ 'mua bán người' dịch chưa đúng")

    # The translator sees the reason in the queue and in the editor.
    console.open("translations")
    page.get_by_role("tab", name="Bị trả lại").click()
    row = page.get_by_test_id("translation-row").filter(has_text=subject)
    load_until_visible(page, row)
    expect(row.get_by_test_id("rejection-reason")).to_contain_text("dịch chưa đúng")
    row.get_by_role("link", name=f"Sửa và gửi lại: {subject}").click()
    expect(page.get_by_test_id("rejection-reason")).to_contain_text("dịch chưa đúng")
    expect(page.get_by_role("textbox", name="Trích yếu (tiếng Jrai)")).to_have_value(
        "Pơtô pơhiăp kơ tơlơi sĭ mơnuih")


def test_the_editor_stacks_the_original_above_the_translation_on_a_phone(
        phone_console: Any, api: httpx.Client) -> None:
    patient(phone_console)
    notice = notice_needing_translations(api, phone_console.stack.plan["id"])
    phone_console.sign_in("translator", f"translations/{notice['id']}/bdq")
    page = phone_console.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Dịch sang tiếng Bahnar")
    source = page.get_by_role("region", name="Bản gốc tiếng Việt")
    target = page.get_by_role("region", name="Bản dịch tiếng Bahnar")
    expect(source).to_contain_text(notice["subject"])
    assert source.bounding_box()["y"] < target.bounding_box()["y"]
    assert target.bounding_box()["width"] <= 390
    phone_console.assert_accessible("translation editor (phone)")
    phone_console.screenshot("translation-editor-phone")
