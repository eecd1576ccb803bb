import pytest

from services.monitoring.domain.feeds import FeedError, parse_feed

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Báo</title>
<item><title>Bắt giữ &lt;b&gt;đối tượng&lt;/b&gt;</title><link>https://b.vn/1</link>
<guid>g-1</guid><description>Tóm tắt</description>
<content:encoded><![CDATA[<p>Nội dung <b>đầy đủ</b></p>]]></content:encoded>
<pubDate>Tue, 25 Nov 2026 08:30:00 +0700</pubDate></item>
<item><title>Không có liên kết</title></item>
<item><title>Ngày hỏng</title><link>https://b.vn/3</link><pubDate>hôm nào đó</pubDate></item>
</channel></rss>""".encode()

ATOM = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><id>urn:1</id><title>Tin</title><link href="https://a.vn/1"/>
<updated>2026-11-25T08:30:00+07:00</updated><summary>Tóm tắt</summary></entry></feed>""".encode()


def test_rss_items_and_skips() -> None:
    feed = parse_feed(RSS)
    assert feed.format == "rss"
    first = feed.items[0]
    assert (first.guid, first.link, first.title) == ("g-1", "https://b.vn/1", "Bắt giữ đối tượng")
    assert first.content == "Nội dung đầy đủ"
    assert first.published is not None and first.published.hour == 8
    assert feed.items[1].published is None  # unparseable date kept as None
    assert [s.reason for s in feed.skipped] == ["no link or guid"]


def test_atom() -> None:
    [entry] = parse_feed(ATOM).items
    assert (entry.guid, entry.link, entry.summary) == ("urn:1", "https://a.vn/1", "Tóm tắt")


def test_billion_laughs_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><rss>&lol;</rss>'
    with pytest.raises(FeedError) as err:
        parse_feed(bomb)
    assert err.value.reason == "forbidden_dtd"


def test_malformed_xml_raises_typed_error() -> None:
    with pytest.raises(FeedError) as err:
        parse_feed(b"<rss><channel><item></channel>")
    assert err.value.reason == "malformed_xml"
    with pytest.raises(FeedError):
        parse_feed(b"<html></html>")
