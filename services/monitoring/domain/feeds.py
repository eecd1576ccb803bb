"""RSS 2.0 and Atom parsing with stdlib ElementTree (DOCTYPE/ENTITY refused)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from html import unescape

from .dates import DateParseError, parse_date

__all__ = ["FeedError", "FeedItem", "ParsedFeed", "SkippedEntry", "parse_feed", "strip_html"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


class FeedError(ValueError):
    """The document is not a usable feed (malformed XML, forbidden DTD, unknown format)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FeedItem:
    guid: str | None
    link: str | None
    title: str
    summary: str
    content: str
    published: datetime | None


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    index: int
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    format: str  # "rss" | "atom"
    title: str
    items: tuple[FeedItem, ...]
    skipped: tuple[SkippedEntry, ...]


def strip_html(text: str) -> str:
    """Drop tags and decode entities; collapse whitespace."""
    return " ".join(unescape(_TAGS.sub(" ", text)).split())


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _date(value: str, now: datetime | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_date(value, now=now)
    except DateParseError:
        return None


def _rss_item(node: ET.Element, now: datetime | None) -> FeedItem:
    title = strip_html(_text(node.find("title")))
    link = _text(node.find("link")) or None
    guid = _text(node.find("guid")) or None
    summary = strip_html(_text(node.find("description")))
    content = strip_html(_text(node.find(_CONTENT)))
    published = _date(_text(node.find("pubDate")) or _text(node.find(_DC_DATE)), now)
    return FeedItem(guid, link, title, summary, content, published)


def _atom_entry(node: ET.Element, now: datetime | None) -> FeedItem:
    title = strip_html(_text(node.find(f"{_ATOM}title")))
    link: str | None = None
    for candidate in node.findall(f"{_ATOM}link"):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            link = candidate.get("href")
            break
    guid = _text(node.find(f"{_ATOM}id")) or None
    summary = strip_html(_text(node.find(f"{_ATOM}summary")))
    content = strip_html(_text(node.find(f"{_ATOM}content")))
    published = _date(
        _text(node.find(f"{_ATOM}published")) or _text(node.find(f"{_ATOM}updated")), now
    )
    return FeedItem(guid, link, title, summary, content, published)


def parse_feed(data: bytes | str, *, now: datetime | None = None) -> ParsedFeed:
    """Parse RSS 2.0 or Atom. Bad entries are skipped with a reason; bad XML raises FeedError."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if _FORBIDDEN.search(raw):
        raise FeedError("forbidden_dtd", "DOCTYPE/ENTITY declarations are not accepted")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise FeedError("malformed_xml", str(exc)) from exc
    items: list[FeedItem] = []
    skipped: list[SkippedEntry] = []
    if root.tag == "rss" or root.find("channel") is not None:
        channel = root.find("channel")
        if channel is None:
            raise FeedError("unknown_format", "rss without channel")
        fmt, title, nodes, build = (
            "rss",
            _text(channel.find("title")),
            channel.findall("item"),
            _rss_item,
        )
    elif root.tag == f"{_ATOM}feed":
        fmt, title = "atom", _text(root.find(f"{_ATOM}title"))
        nodes, build = root.findall(f"{_ATOM}entry"), _atom_entry
    else:
        raise FeedError("unknown_format", f"root element {root.tag!r}")
    for index, node in enumerate(nodes):
        try:
            item = build(node, now)
        except Exception as exc:
            skipped.append(SkippedEntry(index, f"error: {exc}"))
            continue
        if not item.link and not item.guid:
            skipped.append(SkippedEntry(index, "no link or guid"))
        elif not item.title and not item.summary and not item.content:
            skipped.append(SkippedEntry(index, "no title or text"))
        else:
            items.append(item)
    return ParsedFeed(fmt, title, tuple(items), tuple(skipped))
