"""Monitoring end to end, through the real processes: plans' events teach monitoring which
outlet covers which topic; a feed on a local HTTP server is polled; pushed items are stored,
deduplicated and announced; coverage and alerts come out as events."""

from __future__ import annotations

import functools
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from kombu import Connection, Exchange, Queue

from services.contracts.errors import ServiceError
from services.contracts.events.plans import PlanIssued, TaskAssigned
from stack import testkit

RUN = uuid.uuid4().hex[:6]
OUTLET = f"bao-gia-lai-{RUN}"
PLAN_ID = f"plan-e2e-{RUN}"
TASK_ID = f"task-e2e-{RUN}"

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Báo Gia Lai</title>
<item><title>Triệt phá đường dây mua bán ma túy đá tại Pleiku</title>
<link>{base}/bai/ma-tuy-{run}.html</link><guid>e2e-{run}-1</guid>
<pubDate>Wed, 10 Mar 2021 08:30:00 +0700</pubDate>
<description>Công an tỉnh Gia Lai vừa triệt phá đường dây mua bán trái phép chất ma túy đá tại
thành phố Pleiku, bắt giữ 3 đối tượng, thu giữ 200 gam ma túy tổng hợp ({run}).</description>
</item>
<item><title>Hội nghị giao ban báo chí quý I</title><link>{base}/bai/giao-ban-{run}.html</link>
<guid>e2e-{run}-2</guid><pubDate>Thu, 11 Mar 2021 14:00:00 +0700</pubDate>
<description>Sở Thông tin và Truyền thông tổ chức giao ban báo chí quý I năm 2021.</description>
</item></channel></rss>"""

HARMFUL = ("Bà con ở Pleiku, Gia Lai ơi, chính quyền cướp đất của dân để giao cho công ty. Ngày "
           "mai tất cả tập trung trước trụ sở xã, kêu gọi biểu tình đòi lại đất! Đừng tin chính "
           "quyền, chúng nó toàn quan tham. Chia sẻ ngay cho mọi người cùng biết!!!")

# This flow's patience; the helper is the shared one.
eventually = functools.partial(testkit.eventually, seconds=30.0, interval=0.3)


@pytest.fixture(scope="module")
def feed_server() -> Iterator[str]:
    etag = f'"{RUN}"'

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/rss":
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                body = FEED.format(base=base, run=RUN).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", etag)
            elif self.path == "/redirect":
                body = b""
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            else:
                body = b"not found"
                self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def listener(platform: Any, infra: Any) -> Iterator[Any]:
    """A private queue bound to monitoring.events: what any consumer would receive."""
    with Connection(infra.amqp_uri) as conn:
        queue = Queue(f"test-e2e-monitoring-{RUN}",
                      exchange=Exchange("monitoring.events", type="topic", durable=True),
                      routing_key="monitoring.#", auto_delete=True)
        queue(conn.default_channel).declare()
        seen: list[dict[str, Any]] = []

        def received(event_type: str, **match: Any) -> list[dict[str, Any]]:
            while (message := queue(conn.default_channel).get(no_ack=True)) is not None:
                seen.append(json.loads(message.body))
            return [e["data"] for e in seen if e["type"] == event_type
                    and all(e["data"].get(k) == v for k, v in match.items())]

        yield received


def publish(infra: Any, routing_key: str, envelope: dict[str, Any]) -> None:
    with Connection(infra.amqp_uri) as conn:
        conn.Producer().publish(
            json.dumps(envelope).encode(), routing_key=routing_key,
            exchange=Exchange("plans.events", type="topic", durable=True),
            content_type="application/json", content_encoding="utf-8", delivery_mode=2)


def test_plan_events_then_polling_yield_classified_items_and_coverage(
        platform, infra, rpc, feed_server, listener):
    issued = PlanIssued(plan_id=PLAN_ID, number=f"{RUN}/KH-STTTT", issuer_unit_id="so-tttt",
                        title="Kế hoạch tuyên truyền phòng, chống tội phạm năm 2021", year=2021,
                        topics=["drugs", "human_trafficking"]).to_envelope()
    task = TaskAssigned(task_id=TASK_ID, plan_id=PLAN_ID, plan_number=f"{RUN}/KH-STTTT",
                        title="Mở chuyên mục phòng chống ma túy",
                        lead_unit_id=OUTLET).to_envelope()
    publish(infra, "plan.issued", issued.model_dump(mode="json"))
    publish(infra, "task.assigned", task.model_dump(mode="json"))
    # The two events go to two queues and may be applied in either order: wait for both.
    for event_id in (issued.id, task.id):
        eventually(lambda event_id=event_id: rpc.call(
            "monitoring", "ops_event_status", event_id=event_id)[0]["status"] == "done" or 1 / 0)
    assignments = eventually(lambda: rpc.call("monitoring", "list_assignments",
                                              outlet_unit_id=OUTLET) or 1 / 0)
    assert assignments[0]["topics"] == ["drugs", "human_trafficking"]  # the plan's topics

    source = rpc.call("monitoring", "upsert_source", source={
        "id": f"bgl-rss-{RUN}", "name": "Báo Gia Lai (RSS)", "kind": "feed",
        "url": f"{feed_server}/rss", "outlet_unit_id": OUTLET,
        "collections": ["bao-chi-dia-phuong"], "poll_interval_seconds": 600})
    assert source["healthy"] and source["next_poll_at"]
    # poll_now (the timer may have polled the new source already: then all are repeats)
    first = rpc.call("monitoring", "poll_now", source_id=source["id"])
    assert first["outcome"] in ("ok", "not_modified"), first
    again = rpc.call("monitoring", "poll_now", source_id=source["id"])
    assert again["outcome"] == "not_modified" and again["stored"] == 0  # conditional GET
    items = rpc.call("monitoring", "list_items", source_id=source["id"])["items"]
    assert len(items) == 2
    drugs = next(i for i in items if i["guid"] == f"e2e-{RUN}-1")
    assert [t["topic"] for t in drugs["topics"]] == ["drugs"]
    assert drugs["outlet_unit_id"] == OUTLET and "pleiku" in drugs["place_ids"]

    classified = eventually(lambda: listener("monitoring.item_classified",
                                             item_id=drugs["id"]) or 1 / 0)
    assert classified[0]["content_hash"] == drugs["content_hash"]
    coverage = eventually(lambda: listener("monitoring.coverage_matched",
                                           item_id=drugs["id"]) or 1 / 0)
    assert coverage == [{**coverage[0], "task_id": TASK_ID, "plan_id": PLAN_ID,
                         "outlet_unit_id": OUTLET, "topic": "drugs"}]
    other = next(i for i in items if i["guid"] == f"e2e-{RUN}-2")
    assert not listener("monitoring.coverage_matched", item_id=other["id"])

    stats = rpc.call("monitoring", "coverage", period="month", outlet_unit_id=OUTLET)
    assert stats["rows"] == [{"outlet_unit_id": OUTLET, "topic": "drugs", "period": "month",
                              "period_key": "2021-03", "items": 1, "stories": 1}]
    export = rpc.call("monitoring", "export_coverage_csv", period="day", outlet_unit_id=OUTLET)
    assert export["content"].splitlines()[1] == f"day,2021-03-10,{OUTLET},drugs,1,1"


def test_pushes_are_idempotent_and_one_story_raises_one_alert(platform, rpc, listener):
    items = [{"title": "Kêu gọi bà con tập trung đòi lại đất", "body": f"{HARMFUL} ({n})",
              "guid": f"zalo:{RUN}:{n}", "published_at": "2 giờ trước"} for n in range(5)]
    first = rpc.call("monitoring", "push_items", items=items)
    assert (first["stored"], first["duplicates"]) == (5, 0)
    original = first["results"][0]["item_id"]
    assert {r["duplicate_of"] for r in first["results"][1:]} == {original}
    retry = rpc.call("monitoring", "push_items", items=items)
    assert (retry["stored"], retry["duplicates"]) == (0, 5)
    single = rpc.call("monitoring", "push_item", item=items[0])
    assert single["outcome"] == "duplicate" and single["item_id"] == original

    alerts = eventually(lambda: listener("monitoring.alert_raised",
                                         rule_id="harmful_gia_lai") or 1 / 0)
    mine = [a for a in alerts if a["evidence"][0]["item_id"] == original]
    assert len(mine) == 1 and mine[0]["severity"] == "high"
    listed = rpc.call("monitoring", "list_alerts", status="open", kind="rule")["items"]
    assert mine[0]["alert_id"] in [a["id"] for a in listed]
    acked = rpc.call("monitoring", "act_on_alert", alert_id=mine[0]["alert_id"],
                     action="acknowledge", actor="can-bo-01")
    assert acked["status"] == "acknowledged"


def test_bad_input_is_refused(platform, rpc, feed_server):
    with pytest.raises(ServiceError) as too_many:
        rpc.call("monitoring", "push_items", items=[{"title": "x", "body": "y"}] * 501)
    assert too_many.value.code == "validation_failed"
    with pytest.raises(ServiceError) as too_big:
        rpc.call("monitoring", "push_item", item={"title": "x", "body": "y" * 200_001})
    assert too_big.value.code == "validation_failed"
    with pytest.raises(ServiceError) as unknown:
        rpc.call("monitoring", "poll_now", source_id="khong-co")
    assert unknown.value.code == "not_found"

    source = rpc.call("monitoring", "upsert_source", source={
        "id": f"redirect-{RUN}", "name": "Chuyển hướng", "kind": "feed",
        "url": f"{feed_server}/redirect", "enabled": False})
    refused = rpc.call("monitoring", "poll_now", source_id=source["id"])
    assert refused["outcome"] == "refused" and "169.254.169.254" in refused["detail"]
    assert rpc.call("monitoring", "get_source", source_id=source["id"])["healthy"] is False


def test_the_timer_polls_due_sources(platform, rpc, feed_server):
    source = rpc.call("monitoring", "upsert_source", source={
        "id": f"timer-{RUN}", "name": "Nguồn hẹn giờ", "kind": "feed",
        "url": f"{feed_server}/missing", "poll_interval_seconds": 600})

    def polled() -> dict[str, Any]:
        state = rpc.call("monitoring", "get_source", source_id=source["id"])
        assert state["last_polled_at"], state
        return dict(state)

    state = eventually(polled, seconds=60)
    assert state["last_outcome"] == "http_404" and state["consecutive_failures"] == 1
