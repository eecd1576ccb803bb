"""Monitoring in a real browser: the item feed (virtualised, cursor pages) with an item's
matched terms and reasons, an officer correcting an item's labels, and a source whose
private URL is refused with the reason under the field."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from stack.console_testkit import ConsoleStack, patient, post_until_served, wait_until_settled

SLOW = 30_000


@pytest.fixture(autouse=True, scope="module")
def settled(console_stack: ConsoleStack) -> None:
    wait_until_settled(console_stack)


def push_items(api: httpx.Client, count: int, tag: str) -> None:
    items = [{"title": f"Công an Gia Lai triệt phá đường dây mua bán ma túy số {i} ({tag})",
              "body": "Công an tỉnh Gia Lai bắt giữ các đối tượng mua bán trái phép chất ma túy "
                      f"tại Pleiku. Thu giữ nhiều gói ma túy đá. Vụ số {i}.",
              "url": f"https://baogialai.example.org/{tag}/ma-tuy-{i}.html",
              "published_at": "2021-03-10T08:30:00+07:00", "outlet_unit_id": "bao-gia-lai"}
             for i in range(count)]
    for start in range(0, count, 250):
        reply = post_until_served(api, "/api/v1/items/batch", {"items": items[start:start + 250]})
        reply.raise_for_status()


def test_the_feed_shows_why_an_item_was_classified(console: Any, api: httpx.Client) -> None:
    tag = secrets.token_hex(3)
    push_items(api, 40, tag)
    patient(console)
    console.sign_in("officer", "items")
    page = console.page
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tin bài trên báo chí và không gian mạng")
    page.get_by_role("textbox", name="Tìm trong nội dung").fill(tag)
    rows = page.get_by_test_id("item-row")
    expect(rows.first).to_contain_text(tag, timeout=SLOW)
    console.assert_accessible("items")
    console.screenshot("items-feed")
    rows.first.click()
    drawer = page.get_by_role("dialog", name="Chi tiết tin bài")
    expect(drawer.get_by_test_id("matched-topics")).to_contain_text("ma túy", timeout=SLOW)
    console.assert_accessible("item detail")
    console.screenshot("item-detail")


def test_an_officer_corrects_an_item_s_labels(console: Any, api: httpx.Client) -> None:
    tag = secrets.token_hex(3)
    # a story of its own, not a near-copy of the feed's items (the feed shows originals)
    post_until_served(api, "/api/v1/items", {"item": {
        "title": f"Bắt đối tượng tàng trữ ma túy ở Chư Sê ({tag})",
        "body": f"Sáng nay, lực lượng chức năng huyện Chư Sê phát hiện một người đàn ông cất "
                f"giấu ma túy trong nhà kho, thu giữ cân điện tử và tiền mặt. Mã {tag}.",
        "url": f"https://baogialai.example.org/{tag}/chu-se.html",
        "outlet_unit_id": "bao-gia-lai"}}).raise_for_status()
    patient(console)
    console.sign_in("officer", "items")
    page = console.page
    page.get_by_role("textbox", name="Tìm trong nội dung").fill(tag)
    rows = page.get_by_test_id("item-row")
    expect(rows.first).to_contain_text(tag, timeout=SLOW)
    rows.first.click()
    drawer = page.get_by_role("dialog", name="Chi tiết tin bài")
    labels = drawer.get_by_role("region", name="Cán bộ xác nhận hoặc sửa nhãn")
    harmful = labels.get_by_role("switch", name="Tin xấu độc")
    expect(harmful).not_to_be_checked(timeout=SLOW)  # the machine's flag, to correct
    harmful.check(force=True)
    labels.get_by_role("textbox", name="Ghi chú").fill("Tin đồn gây hoang mang")
    labels.get_by_role("button", name="Lưu nhãn").click()
    expect(labels.get_by_role("status")).to_contain_text("Đã lưu bởi", timeout=SLOW)
    console.assert_accessible("item labels")
    console.screenshot("item-labels")
    item_id = api.get("/api/v1/items", params={"text": tag}).json()["items"][0]["id"]
    [label] = [x for x in api.get("/api/v1/labels", params={"limit": 200}).json()["items"]
               if x["item_id"] == item_id]
    assert label["labels"]["harmful"] is True and "drugs" in label["labels"]["topics"]
    assert label["labels"]["note"] == "Tin đồn gây hoang mang"


def test_a_private_source_url_is_refused_with_its_reason(console: Any) -> None:
    patient(console)
    console.sign_in("officer", "sources")
    page = console.page
    page.get_by_role("button", name="Đăng ký nguồn tin").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Mã nguồn (chữ thường, số, gạch ngang)").fill(
        f"noi-bo-{secrets.token_hex(3)}")
    dialog.get_by_role("textbox", name="Tên nguồn").fill("Trang nội bộ")
    url = dialog.get_by_role("textbox", name="Địa chỉ (URL)")
    url.fill("ftp://baogialai.com.vn/rss")
    dialog.get_by_role("button", name="Đăng ký nguồn tin").click()
    expect(dialog).to_contain_text("Địa chỉ phải bắt đầu bằng http:// hoặc https://")
    url.fill("http://10.0.0.1/rss")
    dialog.get_by_role("button", name="Đăng ký nguồn tin").click()
    expect(dialog).to_contain_text("địa chỉ mạng nội bộ", timeout=SLOW)
    console.assert_accessible("source registration (refused URL)")
    console.screenshot("source-refused-url")
