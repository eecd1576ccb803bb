from datetime import date, timedelta

from services.monitoring.domain.alerts import (
    AlertGate,
    DailyCounts,
    detect_spike,
    evaluate_rules,
    parse_alert_rules,
)
from services.monitoring.domain.pipeline import DATA_DIR, load_data_file

RULES = parse_alert_rules(load_data_file(DATA_DIR / "alert_rules.yaml"))


def test_rules_match_topic_place_and_score() -> None:
    fired = evaluate_rules(
        RULES,
        item_id="i1",
        cluster_id="c1",
        topics={"drugs": 0.9},
        places=["chu_se", "gia_lai"],
        harmful=0.1,
    )
    assert [c.rule_id for c in fired] == ["drugs_gia_lai"]
    assert "place:gia_lai" in fired[0].reasons
    assert evaluate_rules(RULES, item_id="i", cluster_id="c", topics={"drugs": 0.9},
                          places=["quy_nhon_x"], harmful=0.0) == []


def test_one_story_raises_one_alert_and_rate_limit() -> None:
    gate = AlertGate()
    [cand] = evaluate_rules(RULES, item_id="i1", cluster_id="c1", topics={"drugs": 0.9},
                            places=["gia_lai"], harmful=0.0)
    assert gate.admit(cand, now=0.0, max_per_hour=2) is None
    copy = cand.__class__(cand.rule_id, "i2", "c1", cand.severity, cand.reasons)
    assert gate.admit(copy, now=10.0, max_per_hour=2) == "duplicate_story"
    other = cand.__class__(cand.rule_id, "i3", "c2", cand.severity, cand.reasons)
    third = cand.__class__(cand.rule_id, "i4", "c3", cand.severity, cand.reasons)
    assert gate.admit(other, now=20.0, max_per_hour=2) is None
    assert gate.admit(third, now=30.0, max_per_hour=2) == "rate_limited"
    assert gate.admit(third, now=3700.0, max_per_hour=2) is None
    restored = AlertGate.from_dict(gate.to_dict())
    assert restored.admit(copy, now=3800.0, max_per_hour=2) == "duplicate_story"


def test_spike_detection() -> None:
    assert detect_spike("drugs", 20, [3, 4, 2, 5, 3, 4, 3]).is_spike
    assert not detect_spike("drugs", 6, [3, 4, 2, 5, 3, 4, 3]).is_spike
    assert not detect_spike("drugs", 4, [0, 0, 0, 0]).is_spike  # below the minimum count
    assert not detect_spike("drugs", 50, [1]).is_spike  # not enough history


def test_daily_counts_spike_and_persistence() -> None:
    counts = DailyCounts()
    start = date(2026, 11, 1)
    for d in range(14):
        counts.add("drugs", start + timedelta(days=d), 2 + d % 2)
    today = start + timedelta(days=14)
    counts.add("drugs", today, 12)
    assert counts.spike("drugs", today).is_spike
    restored = DailyCounts.from_dict(counts.to_dict())
    assert restored.history("drugs", today, 3) == [3, 2, 3]
    restored.prune(today + timedelta(days=100))
    assert restored.counts == {}
