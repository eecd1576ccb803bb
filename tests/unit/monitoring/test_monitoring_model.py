"""The learned model: training, inference, serialisation, and its combination with the rules."""

from __future__ import annotations

import io

import numpy as np
import pytest

from services.monitoring.domain.combined import Cues, combine, find_cues, on_rule_scale
from services.monitoring.domain.harmful import HarmfulScore, Reason
from services.monitoring.domain.model import LabelScore, ModelDataError, ModelScores, TextModel
from services.monitoring.domain.pipeline import Item, Pipeline, shipped_model
from services.monitoring.domain.text import normalise
from services.monitoring.domain.topics import TopicMatch
from services.monitoring.domain.training import (
    Labelled,
    TrainingError,
    evaluate,
    held_out_split,
    no_worse,
    train_model,
)

DRUGS = ["Bắt đối tượng mua bán ma túy đá tại {}", "Triệt phá điểm bán lẻ ma túy ở {}",
         "Phát hiện nhóm thanh niên sử dụng ma túy ở {}"]
GAMBLING = ["Bắt nhóm đánh bạc ăn tiền ở {}", "Triệt phá sới bạc xóc đĩa tại {}",
            "Bắt quả tang đánh bạc bằng hình thức đá gà ở {}"]
PLAIN = ["Khánh thành cầu dân sinh ở {}", "Hội chợ nông sản mở cửa tại {}",
         "Nông dân {} trúng mùa cà phê"]
PLACES = ["Pleiku", "Chư Sê", "Đức Cơ", "An Khê", "Kông Chro"]


def labelled() -> list[Labelled]:
    out = []
    for topic, texts in (("drugs", DRUGS), ("gambling", GAMBLING), ("", PLAIN)):
        for n, text in enumerate(texts):
            for place in PLACES:
                key = f"{topic or 'none'}-{n}-{place}"
                out.append(Labelled(key, text.format(place), "Tin từ cơ sở.",
                                    frozenset({topic} - {""}), topic == "gambling" and n == 2,
                                    key))
    return out


@pytest.fixture(scope="module")
def model() -> TextModel:
    return train_model(labelled(), "t-1", min_df=1)


def test_the_model_learns_each_topic_and_gives_its_features(model: TextModel) -> None:
    drugs = model.scores(normalise("Bắt đối tượng bán ma túy", "Ở thôn 3."))
    plain = model.scores(normalise("Khánh thành trường học", "Ở thôn 3."))
    assert drugs.labels["drugs"].assigned and not drugs.labels["gambling"].assigned
    assert any("ma tuy" in f for f in drugs.labels["drugs"].reasons)
    assert not any(s.assigned for s in plain.labels.values())


def test_text_without_diacritics_has_the_features_of_text_with_them(model: TextModel) -> None:
    marked = normalise("Bắt nhóm đánh bạc ăn tiền ở Pleiku")
    bare = normalise("Bat nhom danh bac an tien o Pleiku")
    assert bare.lacks_diacritics and not marked.lacks_diacritics
    assert np.array_equal(model.syllables.keys(marked), model.syllables.keys(bare))


def test_serialised_bytes_give_the_same_scores(model: TextModel) -> None:
    again = TextModel.from_bytes(model.to_bytes())
    doc = normalise("Triệt phá sới bạc", "Công an bắt 12 người đánh bạc.")
    first, second = model.scores(doc), again.scores(doc)
    assert again.version == "t-1" and again.meta["items"] == len(labelled())
    for label, score in first.labels.items():
        assert second.labels[label].probability == pytest.approx(score.probability, abs=2e-3)
        assert second.labels[label].reasons == score.reasons


def test_bytes_that_are_not_a_model_are_refused() -> None:
    with pytest.raises(ModelDataError):
        TextModel.from_bytes(b"not a zip")
    pickled = io.BytesIO()  # an object array would need pickle to load: never allowed
    np.savez(pickled, header=np.array([{"format": "x"}], dtype=object))
    with pytest.raises(ModelDataError):
        TextModel.from_bytes(pickled.getvalue())


def test_training_needs_enough_items() -> None:
    with pytest.raises(TrainingError):
        train_model(labelled()[:5], "t-2")


def test_the_held_out_split_is_stable_and_keeps_copies_with_originals() -> None:
    items = labelled()
    copy = Labelled("copy", "x", "y", frozenset(), False, items[0].story)
    train, test = held_out_split([*items, copy])
    assert held_out_split([*items, copy]) == (train, test)
    assert 0 < len(test) < len(train)
    assert (copy in test) == (items[0] in test)


def _scores(**probabilities: float) -> ModelScores:
    return ModelScores("v", {label: LabelScore(label, p, 0.6, (f"{label} feature",))
                             for label, p in probabilities.items()})


QUIET = HarmfulScore(0.1, False, ())


def test_the_model_adds_a_topic_the_rules_missed_on_the_rules_scale() -> None:
    topics, candidates, harmful = combine(
        [], QUIET, _scores(drugs=0.8, gambling=0.3, harmful=0.2),
        {"drugs": 0.5, "gambling": 0.5}, 0.5, Cues())
    assert [(t.topic, t.confidence) for t in topics] == [("drugs", on_rule_scale(0.8, 0.6, 0.5))]
    assert [t.topic for t in candidates] == ["gambling"] and harmful is QUIET


def test_a_threshold_officers_raise_holds_for_the_model_too() -> None:
    topics, candidates, _ = combine([], QUIET, _scores(drugs=0.8), {"drugs": 0.999}, 0.5,
                                    Cues())
    assert topics == () and [t.topic for t in candidates] == ["drugs"]


def test_a_rule_match_stays_whatever_the_model_says() -> None:
    rule = TopicMatch("gambling", 0.7, ("đánh bạc",), (), False)
    topics, _, _ = combine([rule], QUIET, _scores(gambling=0.05), {"gambling": 0.5}, 0.5,
                           Cues())
    assert topics == (rule,)


def test_denial_stops_the_model_raising_a_topic_or_harm() -> None:
    doc = normalise("Công an bác bỏ tin đồn thất thiệt về bắt cóc trẻ em")
    cues = find_cues(doc)
    assert "bác bỏ" in cues.denial and "tin đồn thất thiệt" in cues.denial
    topics, _, harmful = combine([], QUIET, _scores(human_trafficking=0.9, harmful=0.9),
                                 {"human_trafficking": 0.5}, 0.5, cues)
    assert topics == () and harmful is QUIET


def test_prevention_keeps_the_topic_but_is_not_harmful() -> None:
    cues = find_cues(normalise("Tuyen truyen phong chong ma tuy trong truong hoc"))
    assert cues.prevention and not cues.denial
    topics, _, harmful = combine([], QUIET, _scores(drugs=0.9, harmful=0.9), {"drugs": 0.5},
                                 0.5, cues)
    assert [t.topic for t in topics] == ["drugs"] and not harmful.harmful


def test_the_model_flags_harm_the_rules_missed_with_its_features_as_reason() -> None:
    rules = HarmfulScore(0.2, False, (Reason("phone", "lure", "0901234567", 0.2),))
    _, _, harmful = combine([], rules, _scores(harmful=0.75), {}, 0.5, Cues())
    assert harmful.harmful and harmful.score == on_rule_scale(0.75, 0.6, 0.5)
    reason = harmful.reasons[-1]
    assert reason.signal == "model" and "harmful feature" in reason.evidence


def test_the_rule_scale_maps_the_model_threshold_onto_the_rule_threshold() -> None:
    assert on_rule_scale(0.6, 0.6, 0.45) == 0.45
    assert on_rule_scale(0.0, 0.6, 0.45) == 0.0 and on_rule_scale(1.0, 0.6, 0.45) == 1.0
    values = [on_rule_scale(p / 20, 0.6, 0.45) for p in range(21)]
    assert values == sorted(values)


def test_the_shipped_model_runs_in_the_pipeline() -> None:
    model = shipped_model()
    assert model is not None
    pipeline = Pipeline.from_directory()
    analysis = pipeline.analyse(Item("m1", "Bat nhom thanh nien hut ma tuy trong quan karaoke",
                                     "Cong an phuong kiem tra, phat hien 6 nguoi duong tinh."))
    assert "drugs" in [t.topic for t in analysis.topics]
    summary = analysis.to_dict()["model"]
    assert summary["version"] == model.version and summary["labels"]["drugs"]["features"]


def test_a_version_is_kept_active_only_if_f1_and_harmful_recall_hold(model: TextModel) -> None:
    pipeline = Pipeline.from_directory(with_model=False)
    held_out = labelled()[::4]
    alone = evaluate(pipeline.classifier, pipeline.scorer, None, held_out)
    both = evaluate(pipeline.classifier, pipeline.scorer, model, held_out)
    assert alone["items"] == both["items"] == len(held_out)
    assert both["topics_recall"] >= alone["topics_recall"]
    assert no_worse(both, both)
    assert not no_worse({**both, "harmful_recall": both["harmful_recall"] - 0.1}, both)
    assert not no_worse({**both, "topics_micro_f1": both["topics_micro_f1"] - 0.01}, both)
