"""Fixtures of the console's browser tests: the session platform with the demo data, the
built console, one user per role created through the API, and Debian's Chromium."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from stack import browser as chromium
from stack.demo import load_demo_data

# The unit each unit-scoped role belongs to (seed units of Gia Lai).
PASSWORD = re.compile(r"^Mật khẩu")
EDITOR_UNIT = "bao-gia-lai"
LOCAL_UNIT = "pvhtt-pleiku"


@dataclass(frozen=True)
class Account:
    role: str
    username: str
    password: str
    unit_id: str | None
    display_name: str


@dataclass(frozen=True)
class ConsoleStack:
    gateway_url: str
    plan: dict[str, Any]
    accounts: dict[str, Account]

    @property
    def url(self) -> str:
        return f"{self.gateway_url}/console/"


def create_account(api: httpx.Client, role: str, unit_id: str | None,
                   display_name: str) -> Account:
    username = f"{role.replace('_', '-')}-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(16)
    reply = api.post("/api/v1/users", json={"username": username, "password": password,
                                            "role": role, "unit_id": unit_id,
                                            "display_name": display_name})
    reply.raise_for_status()
    return Account(role, username, password, unit_id, display_name)


@pytest.fixture(scope="session")
def console_stack(platform: Any, infra: Any, api: httpx.Client) -> ConsoleStack:
    chromium.ensure_console_built()
    plan = load_demo_data(infra.amqp_uri)
    accounts = {
        "admin": Account("admin", infra.admin_username, infra.admin_password, None, "admin"),
        "officer": create_account(api, "officer", None, "Nguyễn Văn Cán Bộ"),
        "outlet_editor": create_account(api, "outlet_editor", EDITOR_UNIT,
                                        "Ban biên tập Báo Gia Lai"),
        "local_officer": create_account(api, "local_officer", LOCAL_UNIT,
                                        "Phòng VH&TT Pleiku"),
        "translator": create_account(api, "translator", None, "Rơ Mah H'Linh"),
        "viewer": create_account(api, "viewer", None, "Lãnh đạo Sở"),
    }
    return ConsoleStack(platform.gateway_url, plan, accounts)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


class Console:
    """One browser context (fresh storage) on the console, with the helpers tests share."""

    def __init__(self, stack: ConsoleStack, page: Any) -> None:
        self.stack = stack
        self.page = page

    def open(self, path: str = "") -> Any:
        self.page.goto(self.stack.url + path.lstrip("/"))
        return self.page

    def sign_in(self, role: str, path: str = "") -> Account:
        account = self.stack.accounts[role]
        page = self.open(path)
        page.get_by_role("textbox", name="Tên đăng nhập").fill(account.username)
        page.get_by_label(PASSWORD).fill(account.password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_test_id("user-menu").wait_for()
        return account

    def sign_out(self) -> None:
        self.page.get_by_test_id("user-menu").click()
        self.page.get_by_test_id("sign-out").click()
        self.page.get_by_role("button", name="Đăng nhập").wait_for()

    def assert_accessible(self, screen: str) -> None:
        violations = chromium.axe_violations(self.page)
        assert not violations, f"{screen}: {chromium.describe_violations(violations)}"

    def screenshot(self, name: str, full_page: bool = False) -> None:
        chromium.screenshot(self.page, name, full_page)

    def as_admin_api(self) -> httpx.Client:
        return as_account(self.stack, "admin")


def new_console(browser: Any, stack: ConsoleStack, viewport: dict[str, int]) -> Iterator[Console]:
    context = browser.new_context(viewport=viewport, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh",
                                  is_mobile=viewport == chromium.PHONE,
                                  has_touch=viewport == chromium.PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield Console(stack, page)
    finally:
        context.close()


@pytest.fixture()
def console(chromium_browser: Any, console_stack: ConsoleStack) -> Iterator[Console]:
    """The console on a desktop screen."""
    yield from new_console(chromium_browser, console_stack, chromium.DESKTOP)


@pytest.fixture()
def phone_console(chromium_browser: Any, console_stack: ConsoleStack) -> Iterator[Console]:
    """The console on a phone-sized screen (390 x 844), touch."""
    yield from new_console(chromium_browser, console_stack, chromium.PHONE)


def as_account(stack: ConsoleStack, role: str) -> httpx.Client:
    """An httpx client of the gateway signed in as the role's account."""
    from tests.conftest import gateway_token

    account = stack.accounts[role]
    token = gateway_token(stack.gateway_url, account.username, account.password)
    return httpx.Client(base_url=stack.gateway_url, timeout=15,
                        headers={"Authorization": f"Bearer {token}"})


def submit_report(stack: ConsoleStack, role: str, task_id: str, period_key: str,
                  narrative: str) -> dict[str, Any]:
    """A progress report sent through the API as the role's unit (test data for review)."""
    with as_account(stack, role) as client:
        account = stack.accounts[role]
        reply = client.post(f"/api/v1/plans/{stack.plan['id']}/tasks/{task_id}/reports", json={
            "unit_id": account.unit_id, "period_key": period_key, "narrative": narrative,
            "counts": [{"channel": "press", "metric": "articles", "count": 14,
                        "topic": "drugs"}],
            "links": [{"url": "https://baogialai.example.org/bai-viet/phong-chong-ma-tuy",
                       "kind": "article"}]})
        assert reply.status_code == 201, reply.text
        report: dict[str, Any] = reply.json()
        return report


def unit_task(stack: ConsoleStack, role: str) -> dict[str, Any]:
    """The first task of the demo plan the role's unit leads."""
    with as_account(stack, role) as client:
        tasks = client.get(f"/api/v1/plans/{stack.plan['id']}/tasks",
                           params={"limit": 200}).json()["items"]
    unit = stack.accounts[role].unit_id
    task: dict[str, Any] = next(t for t in tasks if t["lead_unit_id"] == unit)
    return task
