from datetime import date

from services.monitoring.domain.pipeline import Pipeline
from services.monitoring.domain.text import normalise


def ids(pipeline: Pipeline, text: str) -> list[str]:
    return pipeline.gazetteer.place_ids(normalise(text))


def test_variants(pipeline: Pipeline) -> None:
    assert ids(pipeline, "huyện Đăk Đoa và Đak Đoa, Dak Doa") == ["dak_doa"]
    assert ids(pipeline, "huyện K'Bang") == ["kbang"]
    assert ids(pipeline, "huyện Kbang") == ["kbang"]
    assert ids(pipeline, "TP Pleiku và thị xã An Khê") == ["pleiku", "an_khe"]


def test_no_false_positives_on_fragments(pipeline: Pipeline) -> None:
    assert ids(pipeline, "Ia và Chư là những âm tiết thường gặp") == []
    assert ids(pipeline, "Theo Báo Gia Lai") == []
    assert ids(pipeline, "nhà Tây Sơn trong lịch sử") == []


def test_surface_and_folded(pipeline: Pipeline) -> None:
    [m] = pipeline.gazetteer.find(normalise("cong an huyen chu se dieu tra vu viec"))
    assert (m.place_id, m.surface, m.folded) == ("chu_se", "huyen chu se", True)


def test_longest_variant_wins(pipeline: Pipeline) -> None:
    assert ids(pipeline, "phường Quy Nhơn Nam") == ["phuong_quy_nhon_nam"]


def test_dated_parents_follow_the_2025_merger(pipeline: Pipeline) -> None:
    g = pipeline.gazetteer
    assert g.parent("quy_nhon", date(2021, 2, 25)) == "binh_dinh"
    assert g.parent("quy_nhon", date(2025, 7, 1)) == "gia_lai"
    assert not g.places["chu_se"].valid_on(date(2025, 7, 1))
    assert g.place_ids(normalise("huyện Chư Sê"), on=date(2026, 1, 1)) == []


def test_a_bare_name_is_the_older_unit_unless_the_ward_of_that_name_is_named_too(
        pipeline: Pipeline) -> None:
    assert ids(pipeline, "Tin nóng ở Ayun Pa") == ["ayun_pa"]
    assert ids(pipeline, "Cá độ ở Ayun Pa: Công an phường Ayun Pa vào cuộc") == [
        "phuong_ayun_pa"]
    assert ids(pipeline, "Ca do o Ayun Pa, cong an phuong Ayun Pa vao cuoc") == [
        "phuong_ayun_pa"]
    # the older unit named as such stays, beside the ward
    assert ids(pipeline, "thành phố Pleiku cũ nay là phường Pleiku") == [
        "pleiku", "phuong_pleiku"]


def test_a_ward_whose_name_extends_another_place_is_found_by_its_bare_name(
        pipeline: Pipeline) -> None:
    assert ids(pipeline, "Triệt phá đường dây ở Quy Nhơn Nam") == ["phuong_quy_nhon_nam"]
    assert ids(pipeline, "Tin ở Quy Nhơn") == ["quy_nhon"]
