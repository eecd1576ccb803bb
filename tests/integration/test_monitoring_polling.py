"""Polling sources against a real local HTTP server and the real database: feeds, articles,
conditional GET, encodings, size limits, timeouts, 404/410, robots.txt, SSRF on redirects."""

from __future__ import annotations

import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from services.contracts import monitoring
from services.contracts.errors import DomainError
from services.monitoring.domain import Source
from services.monitoring.fetching import Fetcher, FetchError
from services.monitoring.ingestion import Ingestion
from services.monitoring.repositories import MongoMonitoringUnitOfWork, ensure_indexes
from services.monitoring.repositories.alerts import ALERTS
from services.monitoring.repositories.items import ITEM_EVENTS, ITEMS
from services.monitoring.repositories.sources import SOURCES
from services.monitoring.use_cases.context import Context
from services.monitoring.use_cases.polling import claim_due_source, poll_source
from services.monitoring.use_cases.sources import upsert_source

Reply = tuple[int, dict[str, str], bytes]

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Báo Gia Lai - Pháp luật</title>
<item><title>Triệt phá đường dây mua bán ma túy đá tại Pleiku</title>
<link>{base}/bai/ma-tuy-pleiku.html</link><guid>bgl-{run}-1</guid>
<pubDate>Wed, 10 Mar 2021 08:30:00 +0700</pubDate>
<description>Công an tỉnh Gia Lai vừa triệt phá đường dây mua bán trái phép chất ma túy
đá tại thành phố Pleiku, thu giữ 200 gam ma túy tổng hợp.</description></item>
<item><title>Cảnh giác với thủ đoạn lừa đảo qua mạng</title>
<link>{base}/bai/lua-dao.html</link><guid>bgl-{run}-2</guid>
<pubDate>Thứ tư, 10/03/2021, 09:15 (GMT+7)</pubDate>
<description>Tội phạm công nghệ cao giả danh cơ quan công an gọi điện lừa đảo chiếm đoạt
tài sản của người dân huyện Chư Sê.</description></item>
<item><title>Mục không có đường dẫn</title><description>bỏ qua</description></item>
</channel></rss>"""

ATOM_1258 = """<?xml version="1.0" encoding="windows-1258"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Cổng thông tin huyện</title>
<entry><title>Tuyên truyền phòng chống mua bán người ở xã biên giới</title>
<id>urn:portal:{run}:1</id><link href="{base}/tin/mua-ban-nguoi.html"/>
<updated>2021-03-11T10:00:00+07:00</updated>
<summary>Huyện Đức Cơ tổ chức tuyên truyền phòng, chống mua bán người cho bà con
dân tộc thiểu số ở các xã biên giới.</summary></entry></feed>"""

ARTICLE = """<html><head><meta charset="iso-8859-1"><title>Article</title>
<meta property="article:published_time" content="2021-03-12T07:00:00+07:00"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>Café crème à Pleiku</h1>
{paragraphs}</article><footer>© 2021</footer></body></html>"""

NOT_ARTICLE = """<html><head><meta charset="utf-8"><title>Chuyên mục</title></head><body>
<ul><li><a href="/a">Tin 1</a></li><li><a href="/b">Tin 2</a></li></ul></body></html>"""


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Encode as windows-1258 does: precomposed base letters, tones as combining marks."""
    out = []
    for char in text:
        marks = unicodedata.normalize("NFD", char)
        tones = "".join(m for m in marks if m in TONES)
        out.append(unicodedata.normalize("NFC", "".join(m for m in marks if m not in TONES))
                   + tones)
    return "".join(out).encode("cp1258")


class FixtureServer:
    """A real HTTP server (on 127.0.0.1 unless told) with programmable routes; records what it
    received."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], Reply]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                route = server.routes.get(self.path.split("?")[0])
                status, headers, body = route(self) if route else (404, {}, b"not found")
                if status == 0:
                    return  # the route wrote the response itself
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    s = FixtureServer()
    yield s
    s.close()


@pytest.fixture(scope="module")
def db(infra: Any) -> Any:
    database = infra.database(f"monitoring_poll_{uuid.uuid4().hex[:6]}")
    ensure_indexes(database)
    return database


def context_of(db: Any, fetcher: Fetcher, now: Any, ingestion: Ingestion | None = None
               ) -> Context:
    if ingestion is None:
        ingestion = Ingestion(lambda: MongoMonitoringUnitOfWork(db))
        ingestion.start()
    return Context(MongoMonitoringUnitOfWork(db), ingestion, fetcher, now)


@pytest.fixture(scope="module")
def ctx(db: Any) -> Context:
    fetcher = Fetcher(allowlist=["127.0.0.0/8", "::1"], timeout=2.0, max_bytes=200_000,
                      politeness=0.0)
    return context_of(db, fetcher, lambda: datetime.now(UTC))


def add_source(db: Any, ctx: Context, url: str, kind: str = "feed",
               **extra: Any) -> dict[str, Any]:
    source = monitoring.SourceModel(id=f"src-{uuid.uuid4().hex[:8]}", name="Nguồn thử nghiệm",
                                    kind=kind, url=url, outlet_unit_id="bao-gia-lai", **extra)
    upsert_source(monitoring.UpsertSourceRequest(source=source), ctx)
    found = db[SOURCES].find_one({"_id": source.id})
    assert found is not None
    return found


def stored_source(ctx: Context, source_id: str) -> Source:
    source = ctx.uow.sources.find(source_id)
    assert source is not None
    return source


def poll(ctx: Context, source_id: str) -> monitoring.PollResult:
    return poll_source(stored_source(ctx, source_id), ctx)


def test_rss_is_ingested_then_answered_304_on_conditional_get(server, db, ctx):
    run = uuid.uuid4().hex[:6]
    body = RSS.format(base=server.base, run=run).encode()
    etag = f'"v-{run}"'

    def feed(req: BaseHTTPRequestHandler) -> Reply:
        if req.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": etag}, body

    server.routes[f"/{run}/rss"] = feed
    source = add_source(db, ctx, f"{server.base}/{run}/rss", collections=["an-ninh-trat-tu"])

    first = poll(ctx, source["_id"])
    assert (first.outcome, first.fetched, first.stored) == ("ok", 2, 2)
    items = {d["guid"]: d for d in db[ITEMS].find({"source_id": source["_id"]})}
    drugs = items[f"bgl-{run}-1"]
    assert "drugs" in drugs["topic_ids"] and "pleiku" in drugs["place_ids"]
    assert drugs["outlet_unit_id"] == "bao-gia-lai" and drugs["source_kind"] == "feed"
    assert drugs["published_at"].isoformat() == "2021-03-10T01:30:00+00:00"
    # the Vietnamese date format of the second item is parsed too
    assert items[f"bgl-{run}-2"]["published_at"].isoformat() == "2021-03-10T02:15:00+00:00"
    assert drugs["content_hash"] and "ma" in drugs["text"].split()
    announced = db[ITEM_EVENTS].find_one({"_id": drugs["event_batch"]})["_outbox"]
    assert [e["type"] for e in announced if e["subject"] == drugs["_id"]] == [
        "monitoring.item_classified"]

    second = poll(ctx, source["_id"])
    assert second.outcome == "not_modified" and second.stored == 0
    assert server.requests[-1][1].get("If-None-Match") == etag
    stored = db[SOURCES].find_one({"_id": source["_id"]})
    assert stored["healthy"] and stored["consecutive_failures"] == 0
    assert stored["items_total"] == 2 and stored["etag"] == etag


def test_windows_1258_atom_feed_and_latin1_article_are_decoded(server, db, ctx):
    run = uuid.uuid4().hex[:6]
    atom = cp1258(ATOM_1258.format(base=server.base, run=run))
    server.routes[f"/{run}/atom"] = lambda req: (200, {"Content-Type": "application/atom+xml"},
                                                 atom)
    source = add_source(db, ctx, f"{server.base}/{run}/atom")
    assert poll(ctx, source["_id"]).stored == 1
    item = db[ITEMS].find_one({"source_id": source["_id"]})
    assert item["title"] == "Tuyên truyền phòng chống mua bán người ở xã biên giới"
    assert "human_trafficking" in item["topic_ids"]

    paragraphs = "".join(f"<p>Le café crème de Pleiku est très apprécié, numéro {i}. "
                         "Les habitants en boivent chaque matin près du marché.</p>"
                         for i in range(8))
    html = ARTICLE.format(paragraphs=paragraphs).encode("latin-1")
    server.routes[f"/{run}/article.html"] = lambda req: (200, {"Content-Type": "text/html"},
                                                         html)
    page = add_source(db, ctx, f"{server.base}/{run}/article.html", kind="page")
    result = poll(ctx, page["_id"])
    assert (result.outcome, result.stored) == ("ok", 1)
    article = db[ITEMS].find_one({"source_id": page["_id"]})
    assert article["title"] == "Café crème à Pleiku"
    assert "très apprécié" in article["excerpt"] and "Home" not in article["excerpt"]
    assert article["published_at"].isoformat() == "2021-03-12T00:00:00+00:00"


@pytest.mark.parametrize(("status", "outcome", "healthy"), [(404, "http_404", True),
                                                            (410, "http_410", False)])
def test_404_and_410_mark_the_source(server, db, ctx, status, outcome, healthy):
    run = uuid.uuid4().hex[:6]
    server.routes[f"/{run}/gone"] = lambda req: (status, {}, b"gone")
    source = add_source(db, ctx, f"{server.base}/{run}/gone")
    result = poll(ctx, source["_id"])
    assert (result.outcome, result.http_status) == (outcome, status)
    stored = db[SOURCES].find_one({"_id": source["_id"]})
    assert stored["last_outcome"] == outcome and stored["consecutive_failures"] == 1
    assert stored["healthy"] is healthy
    alerts = list(db[ALERTS].find({"source_id": source["_id"]}))
    assert len(alerts) == (0 if healthy else 1)
    if not healthy:
        assert alerts[0]["kind"] == "source_health"
        assert alerts[0]["_outbox"][0]["type"] == "monitoring.alert_raised"


def test_repeated_failures_make_the_source_unhealthy_once(server, db, ctx):
    run = uuid.uuid4().hex[:6]
    server.routes[f"/{run}/broken"] = lambda req: (200, {"Content-Type": "application/xml"},
                                                   b"<rss><channel><item>")
    source = add_source(db, ctx, f"{server.base}/{run}/broken")
    outcomes = [poll(ctx, source["_id"]).outcome for _ in range(6)]
    assert outcomes == ["malformed"] * 6
    stored = db[SOURCES].find_one({"_id": source["_id"]})
    assert not stored["healthy"] and "6 consecutive failures" in stored["health_reason"]
    assert stored["current_interval_seconds"] > stored["poll_interval_seconds"]
    assert db[ALERTS].count_documents({"source_id": source["_id"]}) == 1


def test_faults_are_outcomes_not_crashes(server, db, ctx):
    run = uuid.uuid4().hex[:6]
    huge = b"<html><body>" + b"<p>" + b"x" * 300_000 + b"</p></body></html>"

    def chunked_huge(req: BaseHTTPRequestHandler) -> Reply:
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.end_headers()  # no Content-Length: the limit is counted while reading
        try:
            for _ in range(40):
                req.wfile.write(b"y" * 10_000)
        except OSError:
            pass  # the client gave up at its limit
        return 0, {}, b""

    def slow(req: BaseHTTPRequestHandler) -> Reply:
        time.sleep(4)
        return 200, {"Content-Type": "application/rss+xml"}, b"<rss/>"

    server.routes[f"/{run}/huge"] = lambda req: (200, {"Content-Type": "text/html"}, huge)
    server.routes[f"/{run}/chunked"] = chunked_huge
    server.routes[f"/{run}/slow"] = slow
    server.routes[f"/{run}/menu"] = lambda req: (200, {"Content-Type": "text/html"},
                                                 NOT_ARTICLE.encode())
    expected = {"huge": "too_large", "chunked": "too_large", "slow": "timeout",
                "menu": "not_article"}
    ids = []
    for path, outcome in expected.items():
        kind = "feed" if path == "slow" else "page"
        source = add_source(db, ctx, f"{server.base}/{run}/{path}", kind=kind)
        ids.append(source["_id"])
        result = poll(ctx, source["_id"])
        assert result.outcome == outcome, (path, result)
    assert db[ITEMS].count_documents({"source_id": {"$in": ids}}) == 0
    stored = list(db[SOURCES].find({"_id": {"$in": ids}}))
    assert sorted(s["last_outcome"] for s in stored) == sorted(expected.values())
    started = time.monotonic()  # the deadline is total, not per read
    with pytest.raises(FetchError, match="timeout"):
        ctx.fetcher.get(f"{server.base}/{run}/slow")
    assert time.monotonic() - started < 3.0


def test_redirects_to_private_addresses_are_refused_before_connecting(server, db, ctx):
    run = uuid.uuid4().hex[:6]
    for target in ("http://10.0.0.1/feed", "http://169.254.169.254/latest/meta-data/",
                   "http://[::ffff:192.168.1.1]/x"):
        server.routes[f"/{run}/redirect"] = lambda req, t=target: (302, {"Location": t}, b"")
        source = add_source(db, ctx, f"{server.base}/{run}/redirect")
        result = poll(ctx, source["_id"])
        assert result.outcome == "refused", result
        assert target.split("/")[2].strip("[]") in (result.detail or "")

    strict = Fetcher(allowlist=[], timeout=2.0, politeness=0.0)
    with pytest.raises(FetchError) as refused:
        strict.get(f"{server.base}/{run}/redirect")
    assert refused.value.outcome == "refused" and "loopback" in refused.value.detail


FORBIDDEN_SOURCE_URLS = {
    "http://10.0.0.1/feed": "private", "http://169.254.169.254/": "cloud_metadata",
    "http://2130706433/": "ip_not_canonical",
    "http://[::ffff:127.0.0.1]/": "ipv4_embedded_loopback",
    "http://metadata.google.internal/computeMetadata/v1/": "cloud_metadata",
    "http://127.0.0.2/rss": "loopback"}


def test_sources_to_forbidden_addresses_are_refused_at_registration(db, ctx):
    strict = context_of(db, Fetcher(allowlist=["127.0.0.3"], politeness=0.0), ctx.now,
                        ctx.ingestion)
    for url, reason in FORBIDDEN_SOURCE_URLS.items():
        source_id = f"src-{uuid.uuid4().hex[:8]}"
        with pytest.raises(DomainError) as refused:
            upsert_source(monitoring.UpsertSourceRequest(source=monitoring.SourceModel(
                id=source_id, name="Nguồn nội bộ", kind="feed", url=url)), strict)
        assert refused.value.code == "validation_failed", url
        assert refused.value.details["reason"] == reason, (url, refused.value.details)
        assert f"url not allowed: {reason}" in refused.value.message
        assert db[SOURCES].find_one({"_id": source_id}) is None
    # The allowlist still admits its hosts, and a name that does not resolve yet is kept for
    # the fetch to check.
    for url in ("http://127.0.0.3:9/rss", "https://khong-ton-tai.invalid/rss"):
        upsert_source(monitoring.UpsertSourceRequest(source=monitoring.SourceModel(
            id=f"src-{uuid.uuid4().hex[:8]}", name="Nguồn", kind="feed", url=url)), strict)


def test_every_redirect_hop_is_checked_against_a_per_host_allowlist(server):
    """Only 127.0.0.1 is allowed: the feed server there redirects (once within itself, then)
    to a real server on 127.0.0.2, which is refused before it is connected to."""
    run = uuid.uuid4().hex[:6]
    other = FixtureServer("127.0.0.2")
    try:
        other.routes[f"/{run}/secret"] = lambda req: (200, {}, b"internal")
        server.routes[f"/{run}/hop1"] = lambda req: (302, {"Location": f"/{run}/hop2"}, b"")
        server.routes[f"/{run}/hop2"] = lambda req: (
            301, {"Location": f"{other.base}/{run}/secret"}, b"")
        fetcher = Fetcher(allowlist=["127.0.0.1"], timeout=2.0, politeness=0.0)
        with pytest.raises(FetchError) as refused:
            fetcher.get(f"{server.base}/{run}/hop1")
        assert refused.value.outcome == "refused"
        assert refused.value.detail == f"loopback: {other.base}/{run}/secret"
        assert [p for p, _ in server.requests if p.startswith(f"/{run}/")] == [
            f"/{run}/hop1", f"/{run}/hop2"]
        assert other.requests == []
        # the same server is reachable where the allowlist covers it
        opened = Fetcher(allowlist=["127.0.0.0/8"], timeout=2.0, politeness=0.0)
        assert opened.get(f"{server.base}/{run}/hop1").body == b"internal"
    finally:
        other.close()


def test_robots_txt_is_respected_and_cached(server, db, ctx):
    run = uuid.uuid4().hex[:6]
    fetcher = Fetcher(allowlist=["127.0.0.0/8"], timeout=2.0, politeness=0.0,
                      user_agent="CampaignMonitor/0.1")
    robots = f"User-agent: *\nDisallow: /{run}/private\n".encode()
    before = len(server.requests)
    server.routes["/robots.txt"] = lambda req: (200, {"Content-Type": "text/plain"}, robots)
    assert not fetcher.allowed_by_robots(f"{server.base}/{run}/private/feed")
    assert fetcher.allowed_by_robots(f"{server.base}/{run}/public/feed")
    fetched = [p for p, _ in server.requests[before:] if p == "/robots.txt"]
    assert len(fetched) == 1  # cached per origin

    scoped = context_of(db, fetcher, ctx.now, ctx.ingestion)
    source = add_source(db, ctx, f"{server.base}/{run}/private/feed")
    assert poll(scoped, source["_id"]).outcome == "robots_disallowed"
    assert not any(p.startswith(f"/{run}/private") for p, _ in server.requests)


def test_politeness_spaces_requests_to_one_host(server):
    run = uuid.uuid4().hex[:6]
    server.routes[f"/{run}/p"] = lambda req: (200, {}, b"ok")
    fetcher = Fetcher(allowlist=["127.0.0.0/8"], timeout=2.0, politeness=0.3)
    started = time.monotonic()
    for _ in range(3):
        assert fetcher.get(f"{server.base}/{run}/p").status == 200
    assert time.monotonic() - started >= 0.6


def test_due_sources_are_leased_most_overdue_first_and_only_once(infra):
    db = infra.database(f"monitoring_claim_{uuid.uuid4().hex[:6]}")
    ensure_indexes(db)
    now = datetime.now(UTC)
    clock = Context(MongoMonitoringUnitOfWork(db), Ingestion(lambda: MongoMonitoringUnitOfWork(db)),
                    Fetcher(allowlist=[]), lambda: now)
    for name, overdue, lease in (("a", 60, "released"), ("b", 600, None), ("c", 6000, "held"),
                                 ("d", 30, "expired"), ("e", -60, None)):
        fields: dict[str, Any] = {"_id": name, "kind": "feed", "enabled": True,
                                  "url": f"http://127.0.0.1/{name}",
                                  "next_poll_at": now - timedelta(seconds=overdue)}
        if lease == "held":
            fields["lease_until"] = now + timedelta(seconds=60)
        elif lease == "expired":
            fields["lease_until"] = now - timedelta(seconds=1)
        elif lease == "released":  # what record_poll leaves
            fields["lease_until"] = None
        db[SOURCES].insert_one(fields)
    db[SOURCES].insert_one({"_id": "off", "kind": "feed", "enabled": False,
                              "next_poll_at": now - timedelta(days=1)})
    db[SOURCES].insert_one({"_id": "push", "kind": "social", "enabled": True,
                              "next_poll_at": now - timedelta(days=1)})
    claimed = []
    while (source := claim_due_source(clock)) is not None:
        claimed.append(source.id)
        assert source.lease_until > now
    # c is leased by another poller, e is not due yet, off and push are not polled
    assert claimed == ["b", "a", "d"]
    assert db[SOURCES].find_one({"_id": "a"})["lease_until"] > now
