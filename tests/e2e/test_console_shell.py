"""The console's frame in a real browser: sign-in in Vietnamese, landing by role, errors in
words a person understands, an expired session returning to where the person was."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from stack.console_testkit import PASSWORD_LABEL as PASSWORD


def test_an_officer_signs_in_in_vietnamese_and_lands_on_the_campaign_overview(console: Any) -> None:
    page = console.open()
    expect(page).to_have_url(re.compile(r"/console/sign-in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Điều hành chiến dịch thông tin")
    console.assert_accessible("sign-in")
    console.screenshot("sign-in")
    console.sign_in("officer")
    expect(page).to_have_url(re.compile(r"/console/overview$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan chiến dịch")
    console.sign_out()
    expect(page).to_have_url(re.compile(r"/console/sign-in"))


def test_a_wrong_password_is_explained_and_the_form_stays(console: Any) -> None:
    page = console.open()
    username = console.stack.accounts["officer"].username
    page.get_by_role("textbox", name="Tên đăng nhập").fill(username)
    page.get_by_label(PASSWORD).fill("không-phải-mật-khẩu")
    page.get_by_role("button", name="Đăng nhập").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(alert).to_contain_text("Kiểm tra lại")
    expect(page.get_by_role("textbox", name="Tên đăng nhập")).to_have_value(username)


def test_each_role_lands_on_its_own_first_screen(console: Any) -> None:
    landing = {"admin": "overview", "officer": "overview", "viewer": "overview",
               "outlet_editor": "my-unit", "local_officer": "my-unit"}
    for role, path in landing.items():
        console.sign_in(role)
        expect(console.page).to_have_url(re.compile(rf"/console/{path}$"))
        console.sign_out()


def test_an_expired_session_signs_in_again_and_returns_where_the_person_was(console: Any) -> None:
    console.sign_in("officer", "profile")
    page = console.page
    expect(page).to_have_url(re.compile(r"/console/profile$"))
    # The gateway no longer accepts the token (as after AUTH_TOKEN_TTL_SECONDS).
    page.evaluate("""() => {
        const s = JSON.parse(sessionStorage.getItem('console.session'));
        s.token = s.token.slice(0, -4) + 'AAAA';
        sessionStorage.setItem('console.session', JSON.stringify(s));
    }""")
    page.reload()
    expect(page.get_by_text("Phiên làm việc đã hết hạn")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/console/sign-in\?next=%2Fprofile"))
    account = console.stack.accounts["officer"]
    page.get_by_role("textbox", name="Tên đăng nhập").fill(account.username)
    page.get_by_label(PASSWORD).fill(account.password)
    page.get_by_label(PASSWORD).press("Enter")
    expect(page).to_have_url(re.compile(r"/console/profile$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ cá nhân")


def test_english_is_one_switch_away_and_stays_chosen(console: Any) -> None:
    page = console.open()
    page.get_by_text("EN", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Information campaign console")
    expect(page.get_by_role("textbox", name="Username")).to_be_visible()
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.get_by_text("VI", exact=True).click()
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
