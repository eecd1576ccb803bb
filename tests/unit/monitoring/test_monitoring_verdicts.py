"""What an item's analysis says clearly: each topic's score against its threshold (below it,
a candidate, not assigned), the harmful flag with its score, threshold and reasons; and the
thresholds officers read and set, each change kept with who and when."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from monitoring_fakes import fake_context

from services.contracts import monitoring
from services.contracts import monitoring_thresholds as mt
from services.contracts.errors import DomainError
from services.monitoring.domain import Item, Pipeline
from services.monitoring.repositories.items import harmful_verdict, topic_hit
from services.monitoring.use_cases import alerts, topics

pytestmark = pytest.mark.unit

NOW = datetime(2021, 3, 10, 8, 30, tzinfo=UTC)
TOPICS = {"defaults": {"threshold": 0.5}, "topics": {
    "drugs": {"label": "Ma túy", "terms": {"ma túy": 0.3}},
    "gambling": {"label": "Cờ bạc", "threshold": 0.6, "terms": {"đánh bạc": 0.9}},
    "murder": {"label": "Giết người", "terms": {"án mạng": 0.1}}}}
HARMFUL = {"threshold": 0.4, "signals": {"panic": {"kind": "rumour", "weight": 0.5,
                                                   "phrases": ["hoảng loạn"]}}}


def analysed(text: str, harmful: dict | None = None):
    pipeline = Pipeline.from_data(TOPICS, {"places": []}, harmful or HARMFUL)
    return pipeline.analyse(Item("a", "", text))


def test_a_topic_below_its_threshold_is_a_candidate_not_an_assigned_topic() -> None:
    analysis = analysed("Bắt nhóm đánh bạc, nghi có ma túy, không có án mạng")
    assert [t.topic for t in analysis.topics] == ["gambling"]
    # 0.3 is under drugs' 0.5 but above the floor; murder's 0.1 is under the floor
    assert [(t.topic, t.confidence) for t in analysis.candidates] == [("drugs", 0.3)]
    assert analysis.thresholds == {"drugs": 0.5, "gambling": 0.6, "murder": 0.5}
    summary = analysis.to_dict()
    assert summary["candidates"][0]["threshold"] == 0.5
    assert summary["harmful"]["threshold"] == 0.4


def test_the_harmful_flag_follows_the_threshold_the_scorer_was_given() -> None:
    text = "Dân hoảng loạn bỏ chạy"
    assert analysed(text).harmful.harmful  # 0.5 ≥ 0.4
    stricter = analysed(text, {**HARMFUL, "threshold": 0.6})
    assert not stricter.harmful.harmful and stricter.harmful_threshold == 0.6


def test_a_stored_verdict_reads_back_with_score_threshold_and_reasons() -> None:
    hit = topic_hit({"topic": "drugs", "confidence": 0.3, "terms": ["ma túy"],
                     "rules": ["drugs_deal"], "threshold": 0.5}, assigned=False)
    assert (hit.score, hit.threshold, hit.assigned) == (0.3, 0.5, False)
    assert hit.reasons == ["term:ma túy", "rule:drugs_deal"]
    stored = harmful_verdict({"harmful_score": 0.55, "harmful_threshold": 0.6,
                              "harmful_signals": [{"signal": "panic", "kind": "rumour",
                                                   "evidence": "hoảng loạn", "weight": 0.5}]})
    assert (stored.flag, stored.score, stored.threshold) == (False, 0.55, 0.6)
    assert stored.reasons[0].evidence == "hoảng loạn"
    # items stored before thresholds were kept: the default threshold, reasons from strings
    old = harmful_verdict({"harmful_score": 0.55, "harmful_reasons": ["panic:hoảng loạn"]})
    assert (old.flag, old.threshold) == (True, monitoring.DEFAULT_HARMFUL_THRESHOLD)
    assert (old.reasons[0].signal, old.reasons[0].evidence) == ("panic", "hoảng loạn")


def seeded():
    ctx = fake_context(NOW)
    ctx.uow.documents["state"]["taxonomy"] = {"_id": "taxonomy", "defaults": {"threshold": 0.5}}
    ctx.uow.documents["state"]["thresholds"] = {"_id": "thresholds", "harmful_default": 0.5}
    for topic_id, spec in TOPICS["topics"].items():
        ctx.uow.documents["topics"][topic_id] = {"_id": topic_id, **spec}
    alerts.upsert_alert_rule(monitoring.UpsertAlertRuleRequest(rule=monitoring.AlertRuleModel(
        id="harmful_high", min_harmful=0.8)), ctx)
    return ctx


def test_thresholds_are_read_with_defaults_and_the_alert_rules_own_bars() -> None:
    ctx = seeded()
    read = topics.thresholds(ctx)
    assert (read.harmful, read.harmful_default, read.topic_default) == (0.5, 0.5, 0.5)
    assert {(t.topic, t.threshold, t.own) for t in read.topics} == {
        ("drugs", 0.5, False), ("gambling", 0.6, True), ("murder", 0.5, False)}
    assert [(r.rule_id, r.min_harmful) for r in read.alert_rules] == [("harmful_high", 0.8)]
    assert read.history == [] and read.candidate_floor == monitoring.CANDIDATE_FLOOR
    # the listing shows the threshold in force, never null
    assert {t.id: t.threshold for t in topics.list_topics(ctx)} == {
        "drugs": 0.5, "gambling": 0.6, "murder": 0.5}


def test_setting_thresholds_is_kept_with_who_and_when_and_announced() -> None:
    ctx = seeded()
    versions = ctx.uow.state.versions()
    after = topics.set_thresholds(mt.SetThresholdsRequest(
        topics={"drugs": 0.25}, harmful=0.45, actor="can-bo-01"), ctx)
    assert after.harmful == 0.45
    assert {t.topic: (t.threshold, t.own) for t in after.topics}["drugs"] == (0.25, True)
    assert [(c.what, c.before, c.after, c.by, c.at) for c in after.history] == [
        ("harmful", 0.5, 0.45, "can-bo-01", NOW), ("topic:drugs", 0.5, 0.25, "can-bo-01", NOW)]
    bumped = ctx.uow.state.versions()
    assert bumped["topics"] == versions.get("topics", 0) + 1
    assert bumped["harmful"] == versions.get("harmful", 0) + 1
    assert ctx.uow.documents["topics"]["drugs"]["updated_by"] == "can-bo-01"


def test_an_unknown_topic_or_nothing_to_set_is_refused_and_nothing_changes() -> None:
    ctx = seeded()
    with pytest.raises(DomainError) as unknown:
        topics.set_thresholds(mt.SetThresholdsRequest(
            topics={"drugs": 0.3, "nope": 0.3}, harmful=0.1), ctx)
    assert unknown.value.code == "not_found"
    with pytest.raises(DomainError) as empty:
        topics.set_thresholds(mt.SetThresholdsRequest(), ctx)
    assert empty.value.code == "validation_failed"
    read = topics.thresholds(ctx)
    assert read.harmful == 0.5 and read.history == []
    assert ctx.uow.documents["topics"]["drugs"].get("threshold") is None
