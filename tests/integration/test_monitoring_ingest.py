"""Push ingestion against the real database and broker: persistence, duplicates, events
through the outbox relay, coverage, alerts (deduplicated, rate-limited), CSV export, and the
dedup index surviving a restart."""

from __future__ import annotations

import csv
import io
import json
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from kombu import Connection, Exchange, Queue

from services.contracts import monitoring
from services.contracts.events.plans import PlanClosed, PlanIssued, TaskAssigned
from services.monitoring.domain import local_day, normalise_url
from services.monitoring.fetching import Fetcher
from services.monitoring.ingestion import WRITE_CHUNK, Ingestion, item_id_for, write_chunks
from services.monitoring.repositories import (
    OUTBOX_COLLECTIONS,
    MongoMonitoringUnitOfWork,
    ensure_indexes,
)
from services.monitoring.repositories.counts import COUNTS
from services.monitoring.repositories.items import ITEM_EVENTS, ITEMS
from services.monitoring.repositories.reference import STATE
from services.monitoring.use_cases.alerts import (
    act_on_alert,
    delete_alert_rule,
    list_alert_rules,
    list_alerts,
    upsert_alert_rule,
)
from services.monitoring.use_cases.context import Context
from services.monitoring.use_cases.coverage import coverage as coverage_of
from services.monitoring.use_cases.coverage import coverage_csv
from services.monitoring.use_cases.items import list_items, push
from services.monitoring.use_cases.plans import on_plan_closed, on_plan_issued, on_task_assigned
from services.monitoring.use_cases.sources import upsert_source
from services.monitoring.use_cases.topics import list_topics, upsert_topic
from services.runtime.outbox import EventPublisher, OutboxRelay
from services.runtime.staged_events import STAGED_GRACE_SECONDS, StagedEvents

DRUGS_TITLE = "Triệt phá đường dây mua bán ma túy đá tại Pleiku"
DRUGS_BODY = ("Công an tỉnh Gia Lai vừa triệt phá đường dây mua bán trái phép chất ma túy đá tại "
              "thành phố Pleiku, bắt giữ 3 đối tượng, thu giữ 200 gam ma túy tổng hợp và nhiều "
              "dụng cụ sử dụng ma túy. Vụ việc đang được cơ quan công an điều tra mở rộng, xử lý "
              "nghiêm theo quy định của pháp luật.")
HARMFUL_TITLE = "Kêu gọi bà con tập trung đòi lại đất"
HARMFUL_BODY = ("Bà con ở Pleiku, Gia Lai ơi, chính quyền cướp đất của dân để giao cho công ty. "
                "Ngày mai tất cả tập trung trước trụ sở xã, kêu gọi biểu tình đòi lại đất! Đừng "
                "tin chính quyền, chúng nó toàn quan tham. Chia sẻ ngay cho mọi người cùng biết!!!")


@pytest.fixture(scope="module")
def db(infra: Any) -> Any:
    database = infra.database(f"monitoring_ingest_{uuid.uuid4().hex[:6]}")
    ensure_indexes(database)
    return database


def started(db: Any, publish: Any = None) -> Ingestion:
    """A process's ingestion, started as the service starts it (seeds, dedup index)."""
    ingestion = Ingestion(lambda: MongoMonitoringUnitOfWork(db), publish=publish)
    ingestion.start()
    return ingestion


def context_of(db: Any, ingestion: Ingestion, fetcher: Fetcher, now: Any) -> Context:
    return Context(MongoMonitoringUnitOfWork(db), ingestion, fetcher, now)


@pytest.fixture(scope="module")
def ctx(db: Any) -> Context:
    return context_of(db, started(db), Fetcher(allowlist=[]), lambda: datetime.now(UTC))


@pytest.fixture
def events(infra: Any, db: Any) -> Iterator[Any]:
    """Relay the outbox to the real broker and read what a consumer bound to
    monitoring.events receives."""
    with Connection(infra.amqp_uri) as conn:
        queue = Queue(f"test-monitoring-{uuid.uuid4().hex[:6]}",
                      exchange=Exchange("monitoring.events", type="topic", durable=True),
                      routing_key="monitoring.#", auto_delete=True)
        publisher = EventPublisher(infra.amqp_uri, "monitoring")
        publisher.declare_topology()
        queue(conn.default_channel).declare()
        relay = OutboxRelay(db, OUTBOX_COLLECTIONS, publisher, batch_size=100)

        def drain() -> list[dict[str, Any]]:
            relay.flush()
            got = []
            while (message := queue(conn.default_channel).get(no_ack=True)) is not None:
                got.append(json.loads(message.body))
            return got

        yield drain
        publisher.close()


def pushed(title: str, body: str, **extra: Any) -> monitoring.PushedItem:
    return monitoring.PushedItem(title=title, body=body, **extra)


def test_batch_is_stored_classified_deduplicated_and_announced(db, ctx, events):
    events()  # earlier leftovers
    run = uuid.uuid4().hex[:6]
    items = [
        pushed(DRUGS_TITLE, DRUGS_BODY, url=f"https://baogialai.example/{run}/ma-tuy.html?utm_source=fb",
               published_at="10/03/2021 08:30", outlet_unit_id="bao-gia-lai", channel="press"),
        # a near-copy (another outlet republishing with a changed ending)
        pushed("Pleiku: bắt đường dây ma túy đá", DRUGS_BODY.replace("theo quy định của pháp luật",
                                                                      "theo pháp luật hiện hành"),
               url=f"https://other.example/{run}/copy.html"),
        # the same URL again (tracking parameter and trailing slash differ): an exact repeat
        pushed(DRUGS_TITLE, DRUGS_BODY, url=f"https://baogialai.example/{run}/ma-tuy.html/"),
        pushed("", "   "),  # nothing to analyse
    ]
    result = push(items, ctx)
    outcomes = [(x.outcome, x.reason) for x in result.results]
    assert outcomes == [("stored", None), ("stored", None), ("duplicate", "exact_repeat"),
                        ("rejected", "empty")]
    original, copy = result.results[0].item_id, result.results[1].item_id
    assert result.results[1].duplicate_of == original
    assert result.results[2].item_id == original

    stored = db[ITEMS].find_one({"_id": original})
    assert stored["published_at"].isoformat() == "2021-03-10T01:30:00+00:00"
    assert stored["day"] == "2021-03-10" and stored["cluster_id"] == original
    assert stored["topic_ids"] == ["drugs"] and {"pleiku", "gia_lai"} <= set(stored["place_ids"])
    assert len(stored["content_hash"]) == 64 and "\x00" in stored["text"]

    # retrying the whole push is idempotent
    again = push(items[:2], ctx)
    assert [x.outcome for x in again.results] == ["duplicate", "duplicate"]
    assert db[ITEMS].count_documents({"_id": {"$in": [original, copy]}}) == 2

    published = [e for e in events() if e["type"] == "monitoring.item_classified"]
    by_item = {e["data"]["item_id"]: e["data"] for e in published}
    assert set(by_item) >= {original, copy}
    assert by_item[copy]["duplicate_of"] == original
    assert by_item[original]["topics"][0]["topic"] == "drugs"
    assert by_item[original]["content_hash"] == stored["content_hash"]
    # a subscriber reads the verdict, the channel and the story without asking the API
    assert by_item[original]["channel"] == "press" and by_item[copy]["channel"] is None
    assert by_item[original]["harmful"] is False
    assert by_item[original]["harmful_threshold"] == stored["harmful_threshold"]
    assert by_item[copy]["cluster_id"] == by_item[original]["cluster_id"] == original
    # the events travelled in the batch's events document, not on the items
    assert "_outbox" not in db[ITEMS].find_one({"_id": original})
    assert db[ITEM_EVENTS].count_documents({"_outbox_pending": True}) == 0

    search = list_items(monitoring.ListItemsRequest(text="MA TUÝ ĐÁ", cluster_id=original), ctx)
    assert {i.id for i in search.items} == {original, copy}
    by_place = list_items(monitoring.ListItemsRequest(place_id="pleiku", topic="drugs",
                                               date_from=date(2021, 3, 10),
                                               date_to=date(2021, 3, 10)), ctx)
    assert [i.id for i in by_place.items] == [original]


def test_unknown_source_and_bad_values_are_rejected_with_reasons(ctx):
    result = push([pushed("Tin", "Nội dung", source_id="khong-ton-tai"),
                     pushed("Tin", "Nội dung", published_at="không phải ngày"),
                     pushed("Tin", "Nội dung", url="ftp://example.org/x")], ctx)
    assert [x.reason for x in result.results] == ["unknown_source", "bad_published_at",
                                                  "bad_url"]
    assert result.stored == 0 and result.rejected == 3


def test_coverage_matched_for_an_assigned_outlet_and_counted(db, ctx, events):
    events()
    run = uuid.uuid4().hex[:6]
    outlet = f"dai-ptth-{run}"
    plan_id = f"plan-{run}"
    on_task_assigned(TaskAssigned(
        task_id=f"task-{run}", plan_id=plan_id, plan_number="25/KH",
        title="Tuyên truyền phòng chống ma túy", lead_unit_id=outlet, topics=[]), ctx)
    on_plan_issued(PlanIssued(
        plan_id=plan_id, number="25/KH", issuer_unit_id="so-tttt", title="Kế hoạch", year=2021,
        topics=["drugs"]), ctx)
    body = DRUGS_BODY.replace("200 gam", f"{len(run)} kg")
    source = monitoring.SourceModel(id=f"fanpage-{run}", name="Fanpage Đài PT-TH", kind="social",
                           channel="social", outlet_unit_id=outlet)
    upsert_source(monitoring.UpsertSourceRequest(source=source), ctx)
    result = push([pushed(DRUGS_TITLE + f" ({run})", body, guid=f"fb:{run}:1",
                            source_id=source.id, published_at="2021-03-15T09:00:00+07:00"),
                     pushed("Thời tiết Gia Lai hôm nay", "Trời nắng nhẹ, nhiệt độ 25 độ C.",
                            guid=f"fb:{run}:2", source_id=source.id,
                            published_at="2021-03-15T10:00:00+07:00")], ctx)
    assert result.stored == 2
    item_id = result.results[0].item_id
    coverage = [e["data"] for e in events() if e["type"] == "monitoring.coverage_matched"]
    assert coverage == [{
        "item_id": item_id, "task_id": f"task-{run}", "plan_id": plan_id,
        "outlet_unit_id": outlet, "topic": "drugs", "url": None,
        "title": DRUGS_TITLE + f" ({run})", "published_at": "2021-03-15T09:00:00+07:00",
        "content_hash": db[ITEMS].find_one({"_id": item_id})["content_hash"]}]

    weekly = coverage_of(monitoring.CoverageRequest(period="week", outlet_unit_id=outlet), ctx)
    assert [(x.topic, x.period_key, x.items, x.stories) for x in weekly.rows] == [
        ("drugs", "2021-W11", 1, 1)]
    export = coverage_csv(
        monitoring.CoverageRequest(period="month", outlet_unit_id=outlet), ctx)
    assert list(csv.reader(io.StringIO(export.content))) == [
        ["period", "period_key", "outlet_unit_id", "topic", "items", "stories"],
        ["month", "2021-03", outlet, "drugs", "1", "1"]]

    # once the plan is closed, the outlet's articles are no longer evidence for it
    on_plan_closed(
        PlanClosed(plan_id=plan_id, number="25/KH", status="closed"), ctx)
    later = push([pushed(DRUGS_TITLE + " (tiếp)", body + " Cập nhật mới nhất.",
                           guid=f"fb:{run}:3", source_id=source.id)], ctx)
    assert later.stored == 1
    assert not [e for e in events() if e["type"] == "monitoring.coverage_matched"]


def test_one_story_raises_one_alert_with_evidence(db, ctx, events):
    events()
    run = uuid.uuid4().hex[:6]
    copies = [pushed(HARMFUL_TITLE, HARMFUL_BODY + f" #{n}", guid=f"zalo:{run}:{n}")
              for n in range(6)]
    result = push(copies, ctx)
    assert result.stored == 6
    alerts = [e["data"] for e in events() if e["type"] == "monitoring.alert_raised"
              and e["data"]["kind"] == "rule"]
    rules = sorted(a["rule_id"] for a in alerts)
    assert rules == ["harmful_any", "harmful_gia_lai"]  # not 12: one per rule and story
    alert = next(a for a in alerts if a["rule_id"] == "harmful_gia_lai")
    assert alert["kind"] == "rule" and alert["severity"] == "high"
    assert alert["harmful_score"] >= 0.6 and "place:gia_lai" in alert["reasons"]
    original = result.results[0].item_id
    assert alert["evidence"][0]["item_id"] == original
    assert alert["evidence"][0]["content_hash"] == db[ITEMS].find_one(
        {"_id": original})["content_hash"]

    listed = list_alerts(monitoring.ListAlertsRequest(status="open", kind="rule"), ctx)
    assert alert["alert_id"] in [a.id for a in listed.items]
    acked = act_on_alert(monitoring.AlertActionRequest(alert_id=alert["alert_id"],
                                                action="acknowledge", actor="can-bo-01"), ctx)
    assert acked.status == "acknowledged" and acked.history[0]["actor"] == "can-bo-01"
    resolved = act_on_alert(monitoring.AlertActionRequest(alert_id=alert["alert_id"],
                                                   action="resolve"), ctx)
    assert resolved.status == "resolved"


def test_rules_are_data_and_rate_limited(ctx, events):
    events()
    run = uuid.uuid4().hex[:6]
    rule = monitoring.AlertRuleModel(id=f"keyword-{run}", keywords=[f"từkhóa{run}"], max_per_hour=2,
                            severity="warning")
    upsert_alert_rule(monitoring.UpsertAlertRuleRequest(rule=rule), ctx)
    stories = [pushed(f"Chuyện số {n} {run}",
                      f"Nội dung hoàn toàn khác nhau số {n} {'abc ' * n} có từkhóa{run} "
                      f"và {uuid.uuid4().hex}", guid=f"{run}:{n}") for n in range(4)]
    assert push(stories, ctx).stored == 4
    raised = [e["data"] for e in events() if e["type"] == "monitoring.alert_raised"
              and e["data"]["rule_id"] == rule.id]
    assert len(raised) == 2  # max_per_hour
    assert rule.id in [x.id for x in list_alert_rules(ctx)]
    delete_alert_rule(monitoring.AlertRuleRef(rule_id=rule.id), ctx)
    assert push([pushed("Thêm", f"có từkhóa{run} lần nữa {uuid.uuid4().hex}",
                          guid=f"{run}:x")], ctx).stored == 1
    assert not [e for e in events() if e["type"] == "monitoring.alert_raised"
                and e["data"]["rule_id"] == rule.id]


def test_topics_are_editable_at_run_time(db, ctx):
    run = uuid.uuid4().hex[:6]
    word = f"chữđặcbiệt{run}"
    topic = monitoring.TopicModel(id=f"custom_{run}", label="Chủ đề thử", terms={word: 0.9})
    upsert_topic(monitoring.UpsertTopicRequest(topic=topic), ctx)
    assert topic.id in [t.id for t in list_topics(ctx)]
    result = push([pushed("Tin mới", f"Bài viết nói về {word} ở Gia Lai.",
                            guid=f"topic:{run}")], ctx)
    assert db[ITEMS].find_one({"_id": result.results[0].item_id})["topic_ids"] == [
        topic.id]
    with pytest.raises(Exception, match="invalid topic"):
        upsert_topic(monitoring.UpsertTopicRequest(topic=monitoring.TopicModel(
            id=f"broken_{run}", label="Hỏng", rules=[{"id": "x", "query": '("unclosed'}])), ctx)


def test_dedup_index_survives_a_restart(db, ctx):
    run = uuid.uuid4().hex[:6]
    body = DRUGS_BODY + f" Mã vụ án {run}."
    first = push([pushed(DRUGS_TITLE, body, url=f"https://a.example/{run}")], ctx)
    fresh = context_of(db, started(db), ctx.fetcher, ctx.now)
    copy = push([pushed("Tin lại", body.replace("điều tra mở rộng", "điều tra thêm"),
                          url=f"https://b.example/{run}")], fresh)
    assert copy.results[0].outcome == "stored"
    root = first.results[0].duplicate_of or first.results[0].item_id  # copies link to the root
    assert copy.results[0].duplicate_of == root


def test_a_spike_over_the_baseline_raises_one_alert(db, ctx, events):
    events()
    run = uuid.uuid4().hex[:6]
    word = f"hiệntượng{run}"
    topic = monitoring.TopicModel(id=f"spike_{run}", label="Thử đột biến", terms={word: 0.9})
    upsert_topic(monitoring.UpsertTopicRequest(topic=topic), ctx)
    today = local_day(datetime.now(UTC))
    db[STATE].update_one({"_id": "counting"}, {"$set": {"since": "2000-01-01"}})
    for back in range(1, 8):  # a quiet week: one item a day
        day = date.fromordinal(today.toordinal() - back).isoformat()
        db[COUNTS].update_one({"_id": f"day|{day}"}, {"$set": {"day": day},
                                                        "$inc": {f"topic.{topic.id}": 1}},
                                upsert=True)
    fresh = context_of(db, started(db), ctx.fetcher, ctx.now)
    bursts = [pushed(f"Tin {n}", f"Câu chuyện riêng số {n} về {word} {uuid.uuid4().hex}",
                     guid=f"spike:{run}:{n}") for n in range(7)]
    assert push(bursts[:3], fresh).stored == 3
    assert push(bursts[3:], fresh).stored == 4
    spikes = [e["data"] for e in events() if e["type"] == "monitoring.alert_raised"
              and e["data"]["kind"] == "spike" and e["data"]["topic"] == topic.id]
    assert len(spikes) == 1  # once per key and day, although two batches crossed the limit
    assert "today:7" in spikes[0]["reasons"] and spikes[0]["evidence"]


def test_a_batch_larger_than_a_chunk_is_announced_once_per_item(db, ctx, events):
    events()
    run = uuid.uuid4().hex[:6]
    count = WRITE_CHUNK * 2 + 7  # chunks written while the next is analysed
    items = [pushed(f"Tin {n} {run}", f"Nội dung riêng số {n} {uuid.uuid4().hex} ở Gia Lai.",
                    guid=f"chunks:{run}:{n}") for n in range(count)]
    result = push(items, ctx)
    assert result.stored == count
    assert [x.index for x in result.results] == list(range(count))
    published = [e for e in events() if e["type"] == "monitoring.item_classified"]
    assert sorted(e["subject"] for e in published) == sorted(x.item_id for x in result.results)
    assert len({e["id"] for e in published}) == count
    batches = {d["event_batch"] for d in db[ITEMS].find(
        {"_id": {"$in": [x.item_id for x in result.results]}}, {"event_batch": 1})}
    assert len(batches) == len(write_chunks(items)) > 2


def direct_context(db: Any, publish: Any) -> Context:
    """An ingestion that publishes item events itself, as the service's does."""
    return context_of(db, started(db, publish), Fetcher(allowlist=[]),
                      lambda: datetime.now(UTC))


def test_item_events_go_straight_to_the_broker_when_it_takes_them(db, infra, events):
    events()  # earlier leftovers
    run = uuid.uuid4().hex[:6]
    count = WRITE_CHUNK + 3
    items = [pushed(f"Tin {n} {run}", f"Nội dung trực tiếp số {n} {uuid.uuid4().hex} ở Pleiku.",
                    guid=f"direct:{run}:{n}") for n in range(count)]
    publisher = EventPublisher(infra.amqp_uri, "monitoring")
    try:
        result = push(items, direct_context(db, publisher.publish_envelopes))
    finally:
        publisher.close()
    ids = [x.item_id for x in result.results]
    assert result.stored == count
    batches = {d["event_batch"] for d in db[ITEMS].find({"_id": {"$in": ids}},
                                                           {"event_batch": 1})}
    assert len(batches) == len(write_chunks(items)) > 1
    # nothing was left for the relay or the recovery sweep: the staged documents are gone
    assert db[ITEM_EVENTS].count_documents({"_id": {"$in": sorted(batches)}}) == 0
    published = [e for e in events() if e["type"] == "monitoring.item_classified"]
    assert sorted(e["subject"] for e in published) == sorted(ids)
    assert len({e["id"] for e in published}) == count


def test_item_events_wait_in_the_outbox_while_the_broker_is_unreachable(db, events):
    events()
    run = uuid.uuid4().hex[:6]
    unreachable = EventPublisher(f"amqp://guest:guest@127.0.0.1:{closed_port()}//",
                                 "monitoring")
    attempts: list[int] = []

    def publish(envelopes: Any) -> None:
        attempts.append(len(envelopes))
        unreachable.publish_envelopes(envelopes)

    ctx = direct_context(db, publish)
    try:
        result = push([pushed(DRUGS_TITLE, DRUGS_BODY + f" Vụ {run}.", guid=f"down:{run}"),
                         pushed(HARMFUL_TITLE, HARMFUL_BODY, guid=f"down2:{run}")], ctx)
        later = push([pushed("Tin sau", f"Một tin khác {run} ở Pleiku.", guid=f"down3:{run}")],
                       ctx)
    finally:
        unreachable.close()
    assert result.stored == 2 and later.stored == 1  # the broker being down fails no push
    # once refused, the next batch went to the outbox without trying the broker again
    assert attempts == [2]
    ids = [x.item_id for x in (*result.results, *later.results)]
    for item in db[ITEMS].find({"_id": {"$in": ids}}, {"event_batch": 1}):
        waiting = db[ITEM_EVENTS].find_one({"_id": item["event_batch"]})
        assert waiting["_outbox_pending"] is True and "staged_at" not in waiting
    announced = [e for e in events() if e["subject"] in ids]  # the relay's turn
    assert sorted(e["subject"] for e in announced
                  if e["type"] == "monitoring.item_classified") == sorted(ids)


def closed_port() -> int:
    """A local port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_events_of_a_worker_that_died_mid_batch_are_released_by_the_sweep(
        db, ctx, events, monkeypatch):
    events()
    run = uuid.uuid4().hex[:6]

    def die(self: StagedEvents, events_id: str, announced: list[Any]) -> None:
        raise ConnectionError("worker killed after storing its items")

    with monkeypatch.context() as patched:
        patched.setattr(StagedEvents, "release", die)
        with pytest.raises(ConnectionError):
            push([pushed(DRUGS_TITLE, DRUGS_BODY + f" Vụ {run}.", guid=f"dead:{run}",
                           outlet_unit_id="bao-gia-lai")], ctx)
    item = db[ITEMS].find_one({"guid": f"dead:{run}"})
    assert item is not None  # stored, but its events are staged, not pending
    assert not [e for e in events() if e["subject"] == item["_id"]]
    # within the grace period a worker may still be writing: the sweep leaves it alone
    assert ctx.ingestion.release_staged_events() == 0
    later = datetime.now(UTC) + timedelta(seconds=STAGED_GRACE_SECONDS + 1)
    assert ctx.ingestion.release_staged_events(now=later) == 1
    announced = [e for e in events() if e["subject"] == item["_id"]]
    assert [e["type"] for e in announced] == ["monitoring.item_classified"]
    assert announced[0]["data"]["content_hash"] == item["content_hash"]
    # once relayed, the sweep deletes the emptied events document
    assert ctx.ingestion.release_staged_events(now=later) == 0
    assert db[ITEM_EVENTS].find_one({"_id": item["event_batch"]}) is None


def test_a_sweep_racing_a_slow_worker_repeats_the_same_event_ids(ctx, events, monkeypatch):
    events()
    run = uuid.uuid4().hex[:6]
    release = StagedEvents.release
    later = datetime.now(UTC) + timedelta(seconds=STAGED_GRACE_SECONDS + 1)

    def sweep_first(self: StagedEvents, events_id: str, announced: list[Any]) -> None:
        monkeypatch.setattr(StagedEvents, "release", release)
        assert self.sweep(now=later) == 1  # takes the chunk first
        release(self, events_id, announced)  # the worker then finds it released

    monkeypatch.setattr(StagedEvents, "release", sweep_first)
    result = push([pushed(DRUGS_TITLE, DRUGS_BODY + f" Vụ {run}.", guid=f"slow:{run}")],
                    ctx)
    item_id = result.results[0].item_id
    announced = [e for e in events() if e["subject"] == item_id]
    assert len(announced) == 2 and announced[0]["id"] == announced[1]["id"]


def test_near_copies_in_one_batch_keep_their_original_after_a_restart(db, ctx):
    run = uuid.uuid4().hex[:6]
    # a story of its own (the other tests' stories would make it a copy itself)
    words = [uuid.uuid4().hex[:5] for _ in range(40)]
    body = " ".join(words)
    # URLs whose ids sort the other way round than the items arrive: the rebuild must follow
    # the arrival order, not the ids
    original_url = copy_url = ""
    for n in range(100):
        original_url, copy_url = f"https://a.example/{run}/{n}", f"https://b.example/{run}/{n}"
        if item_id_for([f"url:{normalise_url(copy_url)}"]) < item_id_for(
                [f"url:{normalise_url(original_url)}"]):
            break
    first = push([pushed("Tin gốc", body, url=original_url),
                    pushed("Tin lại", body.replace(words[-1], "thêm"), url=copy_url)], ctx)
    original = first.results[0].item_id
    assert first.results[1].duplicate_of == original
    fresh = context_of(db, started(db), ctx.fetcher, ctx.now)
    third = push([pushed("Tin lần ba", body.replace(words[0], "kỹ"),
                           url=f"https://c.example/{run}")], fresh)
    assert third.results[0].duplicate_of == original
