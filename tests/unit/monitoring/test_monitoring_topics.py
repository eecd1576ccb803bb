import pytest

from services.monitoring.domain.pipeline import Pipeline
from services.monitoring.domain.query import QuerySyntaxError, parse_query
from services.monitoring.domain.text import normalise
from services.monitoring.domain.topics import TOPIC_IDS, TopicClassifier


def topics_of(pipeline: Pipeline, text: str) -> dict[str, float]:
    return {m.topic: m.confidence for m in pipeline.classifier.classify(normalise(text))}


def test_all_twelve_topics_are_defined(pipeline: Pipeline) -> None:
    assert set(pipeline.classifier.topics) == set(TOPIC_IDS)


def test_drugs_and_false_friends(pipeline: Pipeline) -> None:
    assert "drugs" in topics_of(pipeline, "Bắt quả tang đối tượng tàng trữ ma tuý đá")
    assert topics_of(pipeline, "Anh nói mọi việc mà tùy em quyết định") == {}
    assert topics_of(pipeline, "Bài toán ma trận khó") == {}
    assert topics_of(pipeline, "Các đội đá bóng giao hữu") == {}


def test_folded_match_only_without_diacritics_and_with_lower_confidence(
    pipeline: Pipeline,
) -> None:
    plain = topics_of(pipeline, "Cong an bat giu doi tuong tang tru ma tuy")
    accented = topics_of(pipeline, "Công an bắt giữ đối tượng tàng trữ ma túy")
    assert 0 < plain["drugs"] < accented["drugs"]
    [match] = pipeline.classifier.classify(normalise("cong an thu giu ma tuy tai nha"))
    assert match.folded


def test_trafficking_vs_trade_in_produce(pipeline: Pipeline) -> None:
    assert "human_trafficking" in topics_of(pipeline, "Khởi tố vụ án buôn bán người qua biên giới")
    assert "human_trafficking" not in topics_of(pipeline, "Thị trường buôn bán nông sản sôi động")
    assert "human_trafficking" not in topics_of(pipeline, "Hoạt động mua bán người dân tự trồng")


def test_bank_lending_is_not_loan_sharking(pipeline: Pipeline) -> None:
    bank = "Ngân hàng Chính sách xã hội cho vay với lãi suất ưu đãi cho hộ nghèo"
    assert "loan_sharking" not in topics_of(pipeline, bank)
    shark = "Đối tượng cho vay với lãi suất cao 3.000 đồng/triệu/ngày rồi đòi nợ thuê"
    assert "loan_sharking" in topics_of(pipeline, shark)


def test_matches_report_evidence(pipeline: Pipeline) -> None:
    [match] = pipeline.classifier.classify(normalise("Triệt phá sới bạc, bắt 12 con bạc"))
    assert match.topic == "gambling"
    assert set(match.terms) == {"sới bạc", "con bạc"}
    assert 0.5 <= match.confidence <= 1.0


def test_exclusions_and_rules_from_data() -> None:
    data = {
        "defaults": {"threshold": 0.5},
        "topics": {
            "loan_sharking": {
                "terms": {"cho vay": 0.2},
                "exclude": ["cho vay ưu đãi"],
                "rules": [{"id": "r1", "query": '"cho vay" NEAR/3 "lãi suất cao"', "weight": 0.7}],
            }
        },
    }
    clf = TopicClassifier.from_data(data)
    [m] = clf.classify(normalise("nhóm cho vay với lãi suất cao"))
    assert m.rules == ("r1",)
    assert clf.classify(normalise("cho vay rồi sau nhiều ngày mới bàn tới lãi suất cao")) == []
    assert clf.classify(normalise("gói cho vay ưu đãi")) == []


def spans(query: str, text: str) -> bool:
    from services.monitoring.domain.query import phrase_spans

    node = parse_query(query)
    tokens = normalise(text).tokens
    found = phrase_spans(tokens, node.phrases())
    return bool(node.evaluate(found, " ".join))


def test_query_language() -> None:
    assert spans('"cho vay" NEAR/5 "lãi cao"', "cho vay tiền với lãi cao")
    assert not spans('"cho vay" NEAR/1 "lãi cao"', "cho vay tiền với mức lãi cao")
    assert spans("ma AND (túy OR tuý) NOT trận", "ma túy")
    assert not spans("ma AND NOT trận", "ma trận")
    assert spans('"đánh bạc" OR "cá độ"', "tham gia cá độ")
    with pytest.raises(QuerySyntaxError):
        parse_query('("cho vay" OR')
    with pytest.raises(QuerySyntaxError):
        parse_query("")


def test_a_killing_told_without_naming_it_but_not_a_crash_with_a_runaway_driver(
    pipeline: Pipeline,
) -> None:
    killing = ("Người vợ nằm bất động trên nền nhà với nhiều vết thương, người chồng bỏ đi. "
               "Công an huy động chó nghiệp vụ truy lùng, nghi phạm bị bắt khi đang lẩn trốn.")
    crash = ("Xe tải va chạm với xe máy khiến anh N. tử vong tại chỗ. Sau khi gây tai nạn, "
             "tài xế bỏ trốn; công an đang truy lùng nghi phạm.")
    assert "murder" in topics_of(pipeline, killing)
    assert "murder" not in topics_of(pipeline, crash)


def test_minors_as_the_accused_and_pupils_attacking_classmates_are_youth_crime(
    pipeline: Pipeline,
) -> None:
    assert "youth_crime" in topics_of(pipeline, "Tòa xử 4 bị cáo chưa thành niên gây rối")
    assert "youth_crime" in topics_of(pipeline, "Nam sinh lớp 9 đâm bạn cùng lớp trọng thương")
    # a young victim does not make the offender young
    assert "youth_crime" not in topics_of(pipeline, "Bé gái 15 tuổi bị người hàng xóm xâm hại")
