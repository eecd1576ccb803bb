"""Story clusters (issue 20, point 5): retellings join the story of the first item that told
it, two stories of one kind in one place stay apart, and the index's entries travel as rows."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from story_pairs import DIFFERENT, RETOLD, Story

from services.monitoring.domain import (
    DedupIndex,
    Item,
    Pipeline,
    StoryIndex,
    evaluate_rules,
    parse_alert_rules,
)
from services.monitoring.domain.anchors import anchors_of, conflicts
from services.monitoring.domain.stories import KEPT_TERMS, StoryFeatures, StoryVectoriser


def item(ident: str, story: Story, body: str | None = None) -> Item:
    published = datetime.fromisoformat(story[2])
    return Item(ident, story[0], story[1] if body is None else body, published=published,
                seen_at=published.timestamp())


@pytest.fixture()
def fresh(pipeline_data: tuple[dict, dict, dict]) -> Pipeline:
    return Pipeline.from_data(*pipeline_data, dedup=DedupIndex(window_seconds=None),
                              stories=StoryIndex(window_seconds=None))


@pytest.mark.parametrize(("first", "second"), RETOLD, ids=[p[0][0][:30] for p in RETOLD])
def test_a_story_retold_in_other_words_joins_the_story_of_its_first_item(
        fresh: Pipeline, first: Story, second: Story) -> None:
    origin = fresh.analyse(item("a", first))
    retold = fresh.analyse(item("b", second))
    assert origin.cluster_id == "a" and origin.story is not None and origin.story.origin is None
    assert retold.duplicate.original_id is None  # not a near-copy: told in other words
    assert retold.cluster_id == "a"
    assert retold.story is not None and retold.story.reasons[0].startswith("cosine:")


@pytest.mark.parametrize(("first", "second"), DIFFERENT, ids=[p[1][0][:30] for p in DIFFERENT])
def test_two_stories_of_one_kind_in_one_place_stay_apart(
        fresh: Pipeline, first: Story, second: Story) -> None:
    fresh.analyse(item("a", first))
    other = fresh.analyse(item("b", second))
    assert other.cluster_id == "b"


def test_a_near_copy_joins_the_story_of_its_original_and_so_does_a_copy_of_a_retelling(
        fresh: Pipeline) -> None:
    (first, second) = RETOLD[0]
    fresh.analyse(item("a", first))
    fresh.analyse(item("b", second))
    copy = fresh.analyse(item("c", second, second[1] + " Theo báo địa phương."))
    assert copy.duplicate.original_id == "b"
    assert copy.cluster_id == "a" and copy.story is not None
    assert copy.story.reasons == ("near_copy",)


def test_without_stories_the_cluster_is_the_near_copy_cluster(
        pipeline_data: tuple[dict, dict, dict]) -> None:
    plain = Pipeline.from_data(*pipeline_data, stories=False)
    (first, second) = RETOLD[0]
    plain.analyse(item("a", first))
    assert plain.analyse(item("b", second)).cluster_id == "b"


def test_anchors_read_places_dates_ages_quantities_and_initials() -> None:
    found = anchors_of("Bắt đối tượng", "Ngày 12/3/2026, bắt N.V.T. (34 tuổi) chở 2.000 viên "
                       "ma túy, tuyên 12 năm tù; quốc lộ 14 đoạn qua xã.", ["ia_grai"],
                       year=2026)
    assert set(found) == {"p:ia_grai", "d:2026-03-12", "i:nvt", "a:34", "q:vien:2000",
                          "q:nam tu:12"}


def test_anchors_count_people_in_one_kind_and_read_social_spellings() -> None:
    press = anchors_of("Tạm giữ 6 học sinh", "Khoảng 12 em hẹn nhau; 10 đối tượng bỏ trốn, "
                       "Rơ Mah T. (28 tuổi) chở 3 kg, tiền công 20 triệu đồng.", [],
                       local=["xa_ia_dom"])
    social = anchors_of("Tóm 2 ông", "1 ông 28t chở 3 ký, trả 20tr; 12 người, 6 người.", [])
    assert {"q:nguoi:6", "q:nguoi:12", "q:nguoi:10", "l:xa_ia_dom"} <= set(press)
    assert {"a:28", "q:kg:3", "q:trieu:20"} <= set(press) & set(social)
    assert conflicts(press, social, frozenset(), frozenset()) == []
    # a club's name is no person's initials ("Hoàng Anh Gia Lai")
    assert not [a for a in anchors_of("Hoàng Anh Gia Lai thắng", "", []) if a[0] == "i"]


def test_a_place_named_before_the_reform_agrees_with_what_it_became(
        fresh: Pipeline) -> None:
    pleiku, ward = "pleiku", "phuong_pleiku"
    assert ward in fresh.gazetteer.across_reform(pleiku)
    assert pleiku in fresh.gazetteer.across_reform(ward)


def test_conflicting_anchors_veto_and_say_why() -> None:
    mine = ("a:34", "d:2026-03-12", "p:ia_grai")
    assert conflicts(mine, ("a:34", "d:2026-03-14"), frozenset(), frozenset()) == []
    why = conflicts(mine, ("a:27", "d:2026-03-19"), frozenset(), frozenset())
    assert {w.split(":", 1)[0] for w in why} == {"a", "d"}
    # a place inside the other's place agrees; two communes do not
    assert conflicts(("p:phuong_hoi_phu",), ("p:pleiku",), frozenset({"pleiku", "gia_lai"}),
                     frozenset({"gia_lai"})) == []
    assert conflicts(("p:ia_grai",), ("p:chu_se",), frozenset({"gia_lai"}),
                     frozenset({"gia_lai"}))


def test_entries_restored_in_another_index_find_the_same_story(
        pipeline_data: tuple[dict, dict, dict]) -> None:
    one = Pipeline.from_data(*pipeline_data, dedup=DedupIndex(window_seconds=None),
                             stories=StoryIndex(window_seconds=None))
    (first, second) = RETOLD[1]
    one.analyse(item("a", first))
    assert one.stories is not None
    rows = [{"item_id": "a", "seen_at": 0.0, **one.stories.entries(["a"])["a"]}]
    other = StoryIndex(window_seconds=None)
    other.restore(rows)
    prepared = one.prepare(item("b", second))
    assert other.register("b", prepared.story, 0.0).cluster_id == "a"


def test_the_window_and_the_size_bound_evict_the_oldest(
        pipeline_data: tuple[dict, dict, dict]) -> None:
    index = StoryIndex(window_seconds=86400.0, max_items=2)
    vectoriser = StoryVectoriser()
    for n, (first, _) in enumerate(RETOLD[:3]):
        index.register(f"i{n}", vectoriser.features(
            Pipeline.from_data(*pipeline_data, stories=False).prepare(
                item(f"i{n}", first)).text.folded, (), ()), 1000.0 + n)
    assert len(index) == 2 and "i0" not in index
    index.evict(now=1000.0 + 2 * 86400.0)
    assert len(index) == 0
    index.forget("i2")  # gone already: nothing to take back


def test_a_rule_counting_stories_alerts_once_per_story_and_one_counting_items_per_copy(
        ) -> None:
    rules = parse_alert_rules({"rules": [{"id": "per_item", "places": ["ia_grai"]},
                                         {"id": "per_story", "places": ["ia_grai"],
                                          "count": "stories"}]})
    about = {c.rule_id: c.cluster_id for c in evaluate_rules(
        rules, item_id="b", cluster_id="b", story_id="a", topics={}, places=["ia_grai"],
        harmful=0.0)}
    assert about == {"per_item": "b", "per_story": "a"}
    with pytest.raises(ValueError, match="count"):
        parse_alert_rules({"rules": [{"id": "x", "count": "stories-and-more"}]})


def _features(first_term: int, anchors: tuple[str, ...]) -> StoryFeatures:
    terms = np.arange(first_term, first_term + KEPT_TERMS, dtype=np.uint32)
    weights = np.full(KEPT_TERMS, 1 / np.sqrt(KEPT_TERMS), dtype=np.float32)
    return StoryFeatures(terms, weights, anchors, frozenset())


@pytest.mark.parametrize(("shared", "linked"), [
    (("a:15",), False),  # an age alone: 15 and 17 recur in youth-crime stories
    (("a:15", "a:17"), False),  # ages are one fact however many agree
    (("l:x",), False),  # a commune alone: many stories a week happen in one
    (("q:nguoi:2",), False),  # a small count alone
    (("a:15", "d:2026-03-01"), True),  # with a date, the age corroborates
    (("d:2026-03-01",), True),
])
def test_weak_anchors_alone_cannot_carry_a_link_with_a_middling_cosine(
        shared: tuple[str, ...], linked: bool) -> None:
    index = StoryIndex(window_seconds=None)
    index.register("a", _features(1, shared), 0.0)
    found = index.register("b", _features(1 + KEPT_TERMS // 2, shared), 1.0)  # cosine 0.5
    assert (found.cluster_id == "a") is linked
