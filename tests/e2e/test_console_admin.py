"""Administration and role boundaries in a real browser: an admin creates a user (a weak
password explained under the field) and an API key shown once; each role sees only the
screens and controls it may use on the notices, translation, monitoring and admin screens;
axe-core finds no serious or critical violation on them."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from playwright.sync_api import expect

from stack.console_testkit import ConsoleStack, patient, wait_until_settled

SLOW = 30_000
MENU = {"notices": "Văn bản chỉ đạo", "inbox": "Hộp thư văn bản", "translations": "Dịch văn bản",
        "items": "Tin bài theo dõi", "alerts": "Cảnh báo", "sources": "Nguồn tin",
        "taxonomy": "Chủ đề và quy tắc cảnh báo", "users": "Người dùng", "keys": "Khóa API",
        "webhooks": "Webhook"}
SEES = {
    "admin": {"notices", "translations", "items", "alerts", "sources", "taxonomy", "users", "keys",
              "webhooks"},
    "officer": {"notices", "translations", "items", "alerts", "sources", "taxonomy"},
    "viewer": {"items", "alerts", "sources"},
    "translator": {"translations"},
    "outlet_editor": {"inbox"},
    "local_officer": {"inbox", "items"},
}


@pytest.fixture(autouse=True, scope="module")
def settled(console_stack: ConsoleStack) -> None:
    wait_until_settled(console_stack)


@pytest.mark.timeout(300)
def test_an_admin_creates_a_user_and_an_api_key_shown_once(console: Any) -> None:
    patient(console)
    console.sign_in("admin", "admin/users")
    page = console.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Người dùng và vai trò")
    console.assert_accessible("users")
    page.get_by_role("button", name="Tạo người dùng").first.click()
    dialog = page.get_by_role("dialog")
    username = f"bien-tap-{secrets.token_hex(3)}"
    dialog.get_by_role("textbox", name="Tên đăng nhập").fill(username)
    dialog.get_by_role("textbox", name="Tên hiển thị").fill("Ban biên tập Đài PT-TH Gia Lai")
    password = dialog.get_by_label(re.compile("^Mật khẩu ban đầu"))
    password.fill("ngan")
    dialog.get_by_role("button", name="Tạo người dùng").click()
    expect(dialog).to_contain_text("Mật khẩu cần ít nhất 12 ký tự")
    password.fill("123456789012")  # long enough, but a run of neighbouring keys
    dialog.get_by_role("button", name="Tạo người dùng").click()
    expect(dialog).to_contain_text("mật khẩu quá dễ đoán", timeout=SLOW)
    console.assert_accessible("create user (weak password)")
    console.screenshot("admin-weak-password")
    password.fill("Rừng thông Pleiku mùa mưa 2021")
    dialog.get_by_role("button", name="Tạo người dùng").click()
    expect(dialog.get_by_role("status")).to_contain_text(f"Đã tạo tài khoản {username}",
                                                        timeout=SLOW)
    dialog.get_by_role("button", name="Đóng").last.click()
    expect(page.get_by_role("table", name="Danh sách người dùng")).to_contain_text(username)

    console.open("admin/api-keys")
    expect(page.get_by_role("heading", level=1)).to_have_text("Khóa API cho hệ thống khác")
    page.get_by_role("button", name="Tạo khóa API").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Tên hệ thống dùng khóa").fill("Cổng thông tin điện tử tỉnh")
    dialog.get_by_role("combobox", name=re.compile("^Quyền được cấp")).click()
    page.get_by_role("option", name="events:read").click()
    page.keyboard.press("Escape")
    dialog.get_by_role("button", name="Tạo khóa API").click()
    secret = page.get_by_test_id("secret-value")
    expect(secret).to_contain_text("cpk_", timeout=SLOW)
    key = secret.inner_text().strip()
    expect(page.get_by_role("button", name="Sao chép")).to_be_visible()
    console.assert_accessible("api key shown once")
    console.screenshot("admin-api-key-once")
    page.get_by_role("button", name="Tôi đã lưu, đóng lại").click()
    expect(page.get_by_test_id("secret-value")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("table", name="Danh sách khóa API")).to_contain_text(
        "Cổng thông tin điện tử tỉnh")
    assert key not in page.content()


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_sees_only_the_screens_and_controls_it_may_use(console: Any,
                                                                 role: str) -> None:
    patient(console)
    console.sign_in(role)
    page = console.page
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("link").first.wait_for()
    shown = {name for name, text in MENU.items()
             if nav.get_by_role("link", name=text, exact=True).count()}
    assert shown == SEES[role]
    if "notices" not in SEES[role]:
        console.open("notices/new")
        expect(page.get_by_role("heading", level=1)).to_have_text("Không có trang này")
    if "alerts" in SEES[role]:
        console.open("alerts")
        expect(page.get_by_role("heading", level=1)).to_have_text("Cảnh báo")
        page.get_by_role("table").or_(page.get_by_text("Chưa có dữ liệu.")).first.wait_for()
        writes = page.get_by_role("button", name=re.compile("^(Tiếp nhận|Đã xử lý)")).count()
        assert (writes > 0 or page.get_by_role("table").count() == 0) if role in (
            "admin", "officer") else writes == 0
        console.assert_accessible(f"alerts ({role})")
    if "sources" in SEES[role]:
        console.open("sources")
        expect(page.get_by_role("heading", level=1)).to_have_text("Nguồn tin được theo dõi")
        register = page.get_by_role("button", name="Đăng ký nguồn tin")
        expect(register).to_have_count(1 if role in ("admin", "officer") else 0)
        console.assert_accessible(f"sources ({role})")
