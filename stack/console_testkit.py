"""What the console's browser tests share (the fixtures are in tests/e2e/conftest.py): the
accounts per role, a browser page on the console with sign-in, axe and screenshot helpers,
and test data sent through the API as a unit would."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from stack import browser as chromium

PASSWORD_LABEL = re.compile(r"^Mật khẩu")
# The unit each unit-scoped role belongs to (seed units of Gia Lai).
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


def token_of(stack: ConsoleStack, account: Account) -> str:
    reply = httpx.post(f"{stack.gateway_url}/api/v1/auth/token",
                       json={"username": account.username, "password": account.password},
                       timeout=60)
    reply.raise_for_status()
    token: str = reply.json()["access_token"]
    return token


def as_account(stack: ConsoleStack, role: str) -> httpx.Client:
    """An httpx client of the gateway signed in as the role's account."""
    token = token_of(stack, stack.accounts[role])
    return httpx.Client(base_url=stack.gateway_url, timeout=60,
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
        page.get_by_label(PASSWORD_LABEL).fill(account.password)
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


def new_console(browser: Any, stack: ConsoleStack,
                viewport: dict[str, int]) -> Iterator[Console]:
    phone = viewport == chromium.PHONE
    context = browser.new_context(viewport=viewport, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh", is_mobile=phone,
                                  has_touch=phone)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield Console(stack, page)
    finally:
        context.close()


def wait_until_settled(stack: ConsoleStack, timeout: float = 180.0) -> None:
    """Waits until every service answers /readyz quickly three times in a row: right after
    the demo plan is issued, notifications is busy planning hundreds of deliveries, and a
    browser test started then measures the machine's load, not the console."""
    import time

    deadline = time.monotonic() + timeout
    healthy = 0
    while healthy < 3 and time.monotonic() < deadline:
        try:
            ok = httpx.get(f"{stack.gateway_url}/readyz", timeout=5).status_code == 200
        except httpx.HTTPError:
            ok = False
        healthy = healthy + 1 if ok else 0
        time.sleep(1 if ok else 3)


def patient(*consoles: Console, timeout_ms: int = 30_000) -> None:
    """Gives each page's actions (sign-in included) longer than the default 15 s: tests that
    send notices through every service run while the machine is shared with other work."""
    for console in consoles:
        console.page.set_default_timeout(timeout_ms)


def post_until_served(api: httpx.Client, path: str, body: dict[str, Any],
                      wait_s: float = 90.0) -> httpx.Response:
    """POST, again after Retry-After while the gateway answers 503 (a service still busy
    with the demo plan's deliveries), at most `wait_s`; other answers are returned as is."""
    import time

    deadline = time.monotonic() + wait_s
    while True:
        reply = api.post(path, json=body, timeout=60)
        if reply.status_code != 503 or time.monotonic() > deadline:
            return reply
        time.sleep(float(reply.headers.get("Retry-After") or 2))
