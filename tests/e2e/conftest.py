"""Fixtures of the console's browser tests: the session platform with the demo data, the
built console, one user per role created through the API, and Debian's Chromium. What the
tests share besides fixtures is in stack/console_testkit.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from stack import browser as chromium
from stack.console_testkit import (
    EDITOR_UNIT,
    LOCAL_UNIT,
    Account,
    Console,
    ConsoleStack,
    create_account,
    new_console,
)
from stack.demo import load_demo_data


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


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """One browser per test module, not per session: Playwright's sync API leaves its event loop
    marked running on this thread while it is open, so any later `asyncio.run` in the same
    pytest process (gateway tests, the platform's fixtures) would fail."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def console(console_stack: ConsoleStack, chromium_browser: Any) -> Iterator[Console]:
    """The console on a desktop screen."""
    yield from new_console(chromium_browser, console_stack, chromium.DESKTOP)


@pytest.fixture()
def phone_console(console_stack: ConsoleStack, chromium_browser: Any) -> Iterator[Console]:
    """The console on a phone-sized screen (390 x 844), touch."""
    yield from new_console(chromium_browser, console_stack, chromium.PHONE)
