"""Notices in the console, in a real browser: an officer composes a notice to a unit of the
2021 plan and watches the editor's acknowledgement arrive without reloading; the editor reads
and acknowledges it on a phone."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from playwright.sync_api import expect

from stack.console_testkit import ConsoleStack, patient, wait_until_settled

EDITOR_UNIT = "bao-gia-lai"
# What a server round trip may take on a loaded two-core machine (expect's default is 5 s).
SLOW = 30_000



@pytest.fixture(autouse=True, scope="module")
def settled(console_stack: ConsoleStack) -> None:
    wait_until_settled(console_stack)


def compose_to_editor_unit(console: Any, subject: str) -> str:
    """Fills the compose form for the 2021 plan and Báo Gia Lai, sends it, returns the id."""
    page = console.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Soạn văn bản gửi đơn vị")
    page.get_by_role("textbox", name="Trích yếu").fill(subject)
    page.get_by_role("textbox", name="Nội dung").fill(
        "Đề nghị Báo Gia Lai tăng thời lượng tuyên truyền về tác hại của ma túy.")
    page.get_by_role("combobox", name="Thuộc kế hoạch (không bắt buộc)").click()
    page.get_by_role("option", name="25/KH-STTTT (2021)").click(timeout=SLOW)
    expect(page.get_by_label("Cơ cấu tổ chức tại ngày")).to_have_value("2021-02-25")
    units = page.get_by_role("combobox", name="Đơn vị nhận", exact=True)
    units.click()
    units.fill("Báo Gia Lai")
    page.get_by_role("option", name="Báo Gia Lai", exact=True).click(timeout=SLOW)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("recipient-count")).to_contain_text("Sẽ gửi tới 1 đơn vị",
                                                                   timeout=SLOW)
    page.get_by_role("button", name="Gửi văn bản").click()
    expect(page).to_have_url(re.compile(r"/console/notices/[^/]+$"), timeout=SLOW)
    return page.url.rsplit("/", 1)[1]


@pytest.mark.timeout(300)
def test_the_officer_sees_the_editors_acknowledgement_arrive_live(console: Any,
                                                                   phone_console: Any) -> None:
    patient(console, phone_console)
    console.sign_in("officer", "notices/new")
    console.assert_accessible("compose")
    subject = f"Hướng dẫn tuyên truyền phòng, chống ma túy (số {secrets.token_hex(3)})"
    notice_id = compose_to_editor_unit(console, subject)
    officer = console.page
    expect(officer.get_by_role("heading", level=1)).to_have_text(subject, timeout=SLOW)
    expect(officer.get_by_test_id("ack-progress")).to_have_text("Đã xác nhận 0/1 đơn vị")
    expect(officer.get_by_role("table", name=re.compile("Tình hình nhận"))).to_be_visible()
    console.assert_accessible("notice")

    phone_console.sign_in("outlet_editor", "inbox")
    editor = phone_console.page
    card = editor.get_by_role("article").filter(has_text=subject)
    expect(card).to_be_visible(timeout=SLOW)
    phone_console.assert_accessible("inbox (phone)")
    card.get_by_role("button", name=f"Xác nhận đã nhận: {subject}").click()
    expect(card.get_by_test_id("acknowledged")).to_contain_text("Đã xác nhận lúc", timeout=SLOW)
    card.scroll_into_view_if_needed()
    phone_console.screenshot("inbox-phone")

    # No reload: the SSE stream brings notification.acknowledged to the officer's page.
    expect(officer.get_by_test_id("live-ack")).to_contain_text("vừa xác nhận", timeout=SLOW)
    expect(officer.get_by_test_id("ack-progress")).to_have_text("Đã xác nhận 1/1 đơn vị")
    expect(officer.get_by_test_id(f"ack-{EDITOR_UNIT}").first).to_contain_text("Đã xác nhận")
    console.screenshot("notice-acknowledged")
    assert notice_id


def tab_to(page: Any, target: Any, limit: int = 80) -> None:
    """Presses Tab until `target` has the focus, as a keyboard-only person would."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


@pytest.mark.timeout(300)
def test_compose_send_and_acknowledge_with_the_keyboard_only(console: Any,
                                                            phone_console: Any) -> None:
    patient(console, phone_console)
    console.sign_in("officer", "notices/new")
    page = console.page
    subject = f"Hướng dẫn dùng bàn phím (số {secrets.token_hex(3)})"
    tab_to(page, page.get_by_role("textbox", name="Trích yếu"))
    page.keyboard.type(subject)
    page.keyboard.press("Tab")
    page.keyboard.type("Nội dung gõ hoàn toàn bằng bàn phím.")
    tab_to(page, page.get_by_role("combobox", name="Thuộc kế hoạch (không bắt buộc)"))
    page.keyboard.type("2021")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Cơ cấu tổ chức tại ngày")).to_have_value("2021-02-25")
    tab_to(page, page.get_by_role("combobox", name="Đơn vị nhận", exact=True))
    page.keyboard.type("Báo Gia Lai")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("recipient-count")).to_contain_text("Sẽ gửi tới 1 đơn vị",
                                                                   timeout=SLOW)
    tab_to(page, page.get_by_role("button", name="Gửi văn bản"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(subject, timeout=SLOW)

    phone_console.sign_in("outlet_editor", "inbox")
    editor = phone_console.page
    button = editor.get_by_role("button", name=f"Xác nhận đã nhận: {subject}")
    tab_to(editor, button, limit=200)
    editor.keyboard.press("Enter")
    card = editor.get_by_role("article").filter(has_text=subject)
    expect(card.get_by_test_id("acknowledged")).to_contain_text("Đã xác nhận lúc", timeout=SLOW)
