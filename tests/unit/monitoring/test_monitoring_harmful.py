from services.monitoring.domain.pipeline import Pipeline
from services.monitoring.domain.text import normalise


def score(pipeline: Pipeline, text: str):  # type: ignore[no-untyped-def]
    return pipeline.scorer.score(normalise(text), text)


def test_recruitment_with_contact_lure_is_harmful(pipeline: Pipeline) -> None:
    result = score(
        pipeline,
        "Vay tiền nhanh không cần thế chấp, giải ngân trong ngày. Liên hệ Zalo 0911.222.333!!",
    )
    assert result.harmful
    kinds = {r.kind for r in result.reasons}
    assert {"recruitment", "lure"} <= kinds
    assert 0.0 <= result.score <= 1.0


def test_rumour_and_incitement_are_harmful(pipeline: Pipeline) -> None:
    assert score(pipeline, "Nghe nói chính quyền giấu, chia sẻ gấp cho mọi người!!!").harmful
    assert score(pipeline, "Kêu gọi bà con tập trung biểu tình, tẩy chay chính quyền").harmful


def test_factual_crime_reporting_is_not_harmful(pipeline: Pipeline) -> None:
    report = (
        "Công an huyện Chư Sê bắt giữ đối tượng nhận cược bóng đá. TAND tỉnh tuyên phạt "
        "bị cáo 5 năm tù về tội tổ chức đánh bạc."
    )
    result = score(pipeline, report)
    assert not result.harmful
    assert any(r.kind == "reporting" for r in result.reasons)


def test_ordinary_text_scores_zero(pipeline: Pipeline) -> None:
    result = score(pipeline, "Nông dân thu hoạch cà phê, giá tăng cao.")
    assert result.score == 0.0 and result.reasons == ()
