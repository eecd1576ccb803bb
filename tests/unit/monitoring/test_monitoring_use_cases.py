"""Monitoring's use cases on the in-memory unit of work, in milliseconds: registering and
leasing sources, what polls do to a source's health, alerts officers act on, the taxonomy
edited at run time, what plans' events teach and the coverage counted."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from fake_unit_of_work import InMemoryDocuments
from monitoring_fakes import fake_context

from services.contracts import monitoring
from services.contracts.errors import DomainError
from services.contracts.events.plans import PlanClosed, PlanIssued, TaskAssigned
from services.monitoring.domain import Alert, PollOutcome
from services.monitoring.use_cases import alerts, coverage, plans, polling, sources, topics

pytestmark = pytest.mark.unit

NOW = datetime(2021, 3, 10, 8, 30, tzinfo=UTC)
FEED = "http://93.184.216.34/rss"


def register(ctx, source_id: str = "bgl-rss", url: str | None = FEED, kind: str = "feed",
             **fields) -> monitoring.SourceReply:
    return sources.upsert_source(monitoring.UpsertSourceRequest(source=monitoring.SourceModel(
        id=source_id, name="Báo Gia Lai", kind=kind, url=url, outlet_unit_id="bao-gia-lai",
        **fields), actor="can-bo-01"), ctx)


def later(ctx, seconds: float):
    return dataclasses.replace(ctx, now=lambda: NOW + timedelta(seconds=seconds))


def test_a_source_is_registered_due_at_once_and_a_new_url_starts_over() -> None:
    ctx = fake_context(NOW)
    first = register(ctx, poll_interval_seconds=600)
    assert (first.next_poll_at, first.current_interval_seconds, first.healthy) == (NOW, 600, True)
    stored = ctx.uow.documents["sources"]["bgl-rss"]
    stored.update(etag='"v1"', next_poll_at=NOW + timedelta(hours=1))
    same_url = register(later(ctx, 60), poll_interval_seconds=600, trust=0.9)
    assert same_url.trust == 0.9 and same_url.next_poll_at == NOW + timedelta(hours=1)
    moved = register(later(ctx, 120), url="http://93.184.216.34/rss2")
    assert moved.next_poll_at == NOW + timedelta(seconds=120)
    assert ctx.uow.documents["sources"]["bgl-rss"]["etag"] is None


@pytest.mark.parametrize(("url", "kind", "reason"), [
    (None, "feed", None), ("http://10.0.0.1/feed", "feed", "private"),
    ("http://169.254.169.254/", "page", "cloud_metadata")])
def test_a_source_no_fetch_could_reach_is_refused(url, kind, reason) -> None:
    ctx = fake_context(NOW)
    with pytest.raises(DomainError) as refused:
        register(ctx, url=url, kind=kind)
    assert refused.value.code == "validation_failed"
    assert refused.value.details.get("reason") == reason
    assert refused.value.details["errors"][0]["loc"] == ["source", "url"]
    assert ctx.uow.documents["sources"] == {}


def test_due_sources_are_leased_most_overdue_first_once_each() -> None:
    ctx = fake_context(NOW)
    for source_id, due_in in (("b", -600), ("a", -60), ("later", 60)):
        register(dataclasses.replace(ctx, now=lambda d=due_in: NOW + timedelta(seconds=d)),
                 source_id)
    register(ctx, "social", url=None, kind="social")
    claimed = []
    while (source := polling.claim_due_source(ctx)) is not None:
        claimed.append(source.id)
        assert source.lease_until == NOW + timedelta(seconds=polling.LEASE_SECONDS)
    assert claimed == ["b", "a"]
    # once the lease has expired the source is due again
    assert polling.claim_due_source(later(ctx, polling.LEASE_SECONDS + 1)).id == "b"


def poll(ctx, outcome: str, stored: int = 0, **extra) -> monitoring.PollResult:
    result = monitoring.PollResult(source_id="bgl-rss", outcome=outcome, stored=stored)
    polling.record_poll("bgl-rss", PollOutcome(outcome, stored=stored, **extra), result, ctx)
    return result


def test_failing_polls_back_off_and_make_the_source_unhealthy_with_one_alert() -> None:
    ctx = fake_context(NOW, max_failures=3)
    register(ctx, poll_interval_seconds=600)
    for _ in range(4):
        poll(ctx, "timeout")
    source = ctx.uow.documents["sources"]["bgl-rss"]
    assert source["consecutive_failures"] == 4 and not source["healthy"]
    assert source["health_reason"] == "4 consecutive failures"
    assert source["current_interval_seconds"] == 4800  # doubled each time, at most 8x
    (alert,) = ctx.uow.documents["alerts"].values()
    assert (alert["_id"], alert["kind"]) == ("al-src-bgl-rss-1", "source_health")
    assert [e.type for e in ctx.uow.documents.outbox] == ["monitoring.alert_raised"]
    # a poll that works again makes it healthy; failing again is a second alert
    assert poll(ctx, "ok", stored=2, etag='"v2"').next_poll_at is not None
    assert ctx.uow.documents["sources"]["bgl-rss"]["healthy"]
    assert ctx.uow.documents["sources"]["bgl-rss"]["items_total"] == 2
    poll(ctx, "http_410")
    assert sorted(ctx.uow.documents["alerts"]) == ["al-src-bgl-rss-1", "al-src-bgl-rss-2"]


def test_a_source_silent_beyond_its_rhythm_is_marked_once() -> None:
    ctx = fake_context(NOW)
    register(ctx)
    ctx.uow.documents["sources"]["bgl-rss"].update(last_item_at=NOW,
                                                   typical_gap_seconds=3600.0)
    assert polling.scan_health(later(ctx, 3 * 3600)) == 0
    assert polling.scan_health(later(ctx, 7 * 3600)) == 1
    assert polling.scan_health(later(ctx, 8 * 3600)) == 0
    source = ctx.uow.documents["sources"]["bgl-rss"]
    assert not source["healthy"] and source["health_reason"].startswith("silent for 7.0 h")
    assert list(ctx.uow.documents["alerts"]) == ["al-src-bgl-rss-1"]


def raised(ctx, title: str = "harmful_gia_lai: Kêu gọi tụ tập") -> str:
    alert = Alert.for_rule("harmful_gia_lai", "high", "it-1", title, ["place:gia_lai"], NOW)
    with ctx.uow as uow:
        uow.alerts.add(alert)
        uow.commit()
    return alert.id


def act(ctx, alert_id: str, action: str) -> monitoring.AlertReply:
    return alerts.act_on_alert(monitoring.AlertActionRequest(alert_id=alert_id, action=action,
                                                    actor="can-bo-01", note="đã xử lý"), ctx)


def test_an_alert_is_acknowledged_then_resolved_and_a_retry_answers_the_same() -> None:
    ctx = fake_context(NOW)
    alert_id = raised(ctx)
    acked = act(ctx, alert_id, "acknowledge")
    assert acked.status == "acknowledged" and acked.history[0]["actor"] == "can-bo-01"
    assert act(ctx, alert_id, "acknowledge").history == acked.history  # a retry
    assert act(ctx, alert_id, "resolve").status == "resolved"
    with pytest.raises(DomainError) as refused:
        act(ctx, alert_id, "acknowledge")
    assert refused.value.code == "invalid_transition"
    with pytest.raises(DomainError) as missing:
        act(ctx, "al-khong-co", "resolve")
    assert missing.value.code == "not_found"
    listed = alerts.list_alerts(monitoring.ListAlertsRequest(status="resolved"), ctx)
    assert [a.id for a in listed.items] == [alert_id]


def test_a_second_alert_of_the_same_story_is_refused_as_a_repeat() -> None:
    ctx = fake_context(NOW)
    raised(ctx)
    raised(ctx, "harmful_gia_lai: tin lại")
    assert len(ctx.uow.documents["alerts"]) == 1 and len(ctx.uow.documents.outbox) == 1


def test_topics_and_rules_are_edited_and_announce_a_new_version() -> None:
    ctx = fake_context(NOW)
    topic = monitoring.TopicModel(id="land", label="Đất đai", terms={"tranh chấp đất": 0.9})
    topics.upsert_topic(monitoring.UpsertTopicRequest(topic=topic, actor="can-bo-01"), ctx)
    assert [t.id for t in topics.list_topics(ctx)] == ["land"]
    with pytest.raises(DomainError) as invalid:
        topics.upsert_topic(monitoring.UpsertTopicRequest(topic=monitoring.TopicModel(
            id="broken", label="Hỏng", rules=[{"id": "x", "query": '("unclosed'}])), ctx)
    assert invalid.value.code == "validation_failed" and "invalid topic" in invalid.value.message
    rule = monitoring.AlertRuleModel(id="keyword-land", keywords=["tranh chấp"], max_per_hour=2)
    alerts.upsert_alert_rule(monitoring.UpsertAlertRuleRequest(rule=rule), ctx)
    assert alerts.delete_alert_rule(monitoring.AlertRuleRef(rule_id=rule.id), ctx)["deleted"]
    with pytest.raises(DomainError):
        alerts.delete_alert_rule(monitoring.AlertRuleRef(rule_id=rule.id), ctx)
    assert topics.delete_topic(monitoring.TopicRef(topic_id="land"), ctx)["deleted"]
    assert ctx.uow.state.versions() == {"topics": 2, "rules": 2}


def test_assignments_follow_the_plan_s_topics_until_the_plan_closes() -> None:
    ctx = fake_context(NOW)
    plans.on_task_assigned(TaskAssigned(
        task_id="t1", plan_id="p1", plan_number="25/KH", title="Tuyên truyền",
        lead_unit_id="bao-gia-lai", coordinating_unit_ids=["dai-ptth"], topics=[]), ctx)
    plans.on_plan_issued(PlanIssued(plan_id="p1", number="25/KH", issuer_unit_id="so-tttt",
                                    title="Kế hoạch", year=2021, topics=["drugs"]), ctx)
    assigned = plans.list_assignments(monitoring.ListAssignmentsRequest(plan_id="p1"), ctx)
    assert [(a["unit_id"], a["topics"]) for a in assigned] == [
        ("bao-gia-lai", ["drugs"]), ("dai-ptth", ["drugs"])]
    # reassigned to its lead only: the coordinator's assignment goes
    plans.on_task_assigned(TaskAssigned(
        task_id="t1", plan_id="p1", plan_number="25/KH", title="Tuyên truyền",
        lead_unit_id="bao-gia-lai", topics=[]), ctx)
    assert [a["unit_id"] for a in plans.list_assignments(
        monitoring.ListAssignmentsRequest(plan_id="p1"), ctx)] == ["bao-gia-lai"]
    plans.on_plan_closed(PlanClosed(plan_id="p1", number="25/KH", status="closed"), ctx)
    assert plans.list_assignments(monitoring.ListAssignmentsRequest(plan_id="p1"), ctx) == []
    assert plans.watched_plan("p1", ctx)["status"] == "closed"
    with pytest.raises(DomainError):
        plans.watched_plan("p2", ctx)


def test_coverage_sums_the_daily_counters_by_week_and_counts_a_story_once() -> None:
    documents = InMemoryDocuments()
    told = {"2021-03-15": ["s1", "s2"], "2021-03-21": ["s2"], "2021-03-22": ["s3", "s4"]}
    for day, count in (("2021-03-15", 2), ("2021-03-21", 1), ("2021-03-22", 4)):
        documents["counts"][f"day|{day}"] = {"_id": f"day|{day}", "day": day, "coverage": {
            "bao-gia-lai|drugs": count, "dai-ptth|drugs": 1},
            "stories": {"bao-gia-lai|drugs": told[day], "dai-ptth|drugs": ["s1"]}}
    ctx = fake_context(NOW, documents)
    weekly = coverage.coverage(
        monitoring.CoverageRequest(period="week", outlet_unit_id="bao-gia-lai"), ctx)
    assert [(r.period_key, r.items, r.stories) for r in weekly.rows] == [
        ("2021-W11", 3, 2), ("2021-W12", 4, 2)]
    export = coverage.coverage_csv(
        monitoring.CoverageRequest(period="month", topic="drugs"), ctx)
    assert export.content.splitlines()[1:] == ["month,2021-03,bao-gia-lai,drugs,7,4",
                                               "month,2021-03,dai-ptth,drugs,3,1"]
