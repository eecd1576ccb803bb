"""The gazetteer from the kept dataset: both sides of the 2025 reform, the old-to-new
mapping, and names shared by several provinces."""

from datetime import date

import pytest

from services.monitoring.domain.pipeline import DATA_DIR, Pipeline
from services.monitoring.domain.places import Gazetteer, GazetteerError, load_places
from services.monitoring.domain.text import normalise


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return Gazetteer.from_data(load_places(DATA_DIR / "places.yaml"))


def ids(g: Gazetteer, text: str, **kw: object) -> list[str]:
    return list(dict.fromkeys(m.place_id for m in g.find(normalise(text), **kw)))  # type: ignore[arg-type]


def test_every_province_and_commune_on_both_sides_of_the_reform(g: Gazetteer) -> None:
    kinds = [p for p in g.places.values() if p.type == "province"]
    assert len([p for p in kinds if p.valid_to is None]) == 34
    assert len(kinds) == 63
    assert len([p for p in g.places.values()
                if p.valid_from == date(2025, 7, 1)]) > 3000  # communes after the reform
    assert len([p for p in g.places.values() if p.valid_to == date(2025, 6, 30)
                and p.type in ("commune", "ward", "township")]) == 10035


def test_a_commune_created_in_2025_is_found_and_lies_in_gia_lai(g: Gazetteer) -> None:
    [pid] = ids(g, "Công an xã Ia Hrú bắt giữ hai đối tượng")
    assert g.places[pid].valid_from == date(2025, 7, 1)
    assert g.ancestors(pid) == ["gia_lai", "vn"]


def test_a_district_before_the_reform_has_dated_parents(g: Gazetteer) -> None:
    assert ids(g, "xã Ia Blang, huyện Chư Sê") == ["gia_lai.huyen_chu_se.xa_ia_blang", "chu_se"]
    assert g.ancestors("gia_lai.huyen_chu_se.xa_ia_blang", date(2021, 2, 25)) == [
        "chu_se", "gia_lai", "vn"]
    assert g.parent("an_nhon", date(2021, 2, 25)) == "binh_dinh"
    assert g.parent("an_nhon", date(2025, 7, 1)) == "gia_lai"
    assert not g.places["binh_dinh"].valid_on(date(2025, 7, 1))


def test_old_units_map_to_the_new_ones(g: Gazetteer) -> None:
    assert g.successors("gia_lai.huyen_chu_se.xa_ia_blang") == ("gia_lai.xa_chu_se",)
    assert "phuong_pleiku" in g.successors("pleiku")
    assert g.successors("binh_dinh") == ("gia_lai",)
    assert "gia_lai.huyen_chu_se.xa_ia_blang" in g.predecessors("gia_lai.xa_chu_se")


def test_a_ward_of_the_same_name_in_another_province_is_not_gia_lais(g: Gazetteer) -> None:
    # Gia Lai has a phường Thống Nhất and a phường An Phú; so have other provinces
    bien_hoa = ids(g, "Công an phường Thống Nhất, TP Biên Hòa, tỉnh Đồng Nai")
    assert bien_hoa[0].startswith("dong_nai.") and "phuong_thong_nhat" not in bien_hoa
    assert ids(g, "Công an phường An Phú (Hà Nội) cho biết") == ["ha_noi"]
    assert ids(g, "Công an phường An Phú, tỉnh Gia Lai") == ["gia_lai.phuong_an_phu", "gia_lai"]
    # nothing points elsewhere: a Gia Lai outlet's "phường Thống Nhất" is Gia Lai's
    assert ids(g, "UBND phường Thống Nhất đình chỉ cơ sở") == ["phuong_thong_nhat"]


def test_a_bare_shared_name_needs_context(g: Gazetteer) -> None:
    # Tam Quan is a ward of Gia Lai, and a name borne elsewhere too
    assert ids(g, "Một vụ việc ở Tam Quan") == []
    assert ids(g, "Một vụ việc ở Tam Quan, Hoài Nhơn") == ["gia_lai.phuong_tam_quan",
                                                           "hoai_nhon"]
    assert ids(g, "Một vụ việc ở Tam Quan", context=["gia_lai"]) == ["gia_lai.phuong_tam_quan"]
    # a name no other unit of the country bears needs none
    assert ids(g, "Một vụ việc ở Ia Hrú") == ["gia_lai.xa_ia_hru"]
    assert ids(g, "bảo đảm an toàn giao thông ở Gia Lai") == ["gia_lai"]  # no_bare
    assert ids(g, "luat su bien ho cho bi cao") == []  # bare names need diacritics


def test_official_names_take_their_span_before_bare_names(g: Gazetteer) -> None:
    assert ids(g, "Công an thành phố Quy Nhơn bắt giữ") == ["quy_nhon"]  # not "An Thành"


def test_without_diacritics_short_and_bare_names_are_not_guessed(g: Gazetteer) -> None:
    assert ids(g, "cong an xa dang hoa giai mau thuan giua hai ho") == []
    assert ids(g, "chinh quyen va hoi phu nu xa ho tro gia dinh") == []
    assert ids(g, "bat tam giam P V D 24 tuoi o Ha Noi") == ["ha_noi"]
    # an outlet's name typed plainly in a text with diacritics is still the outlet
    assert g.find(normalise("Doc tren Bao Gia Lai", "Mình vừa đọc một bài hướng dẫn hay")) == []


def test_the_old_or_the_new_unit_by_the_items_day(g: Gazetteer) -> None:
    text = "Công an phường Hội Phú, TP Pleiku"
    assert ids(g, text, day=date(2024, 5, 1))[0] == "gia_lai.thanh_pho_pleiku.phuong_hoi_phu"
    assert ids(g, text, day=date(2026, 5, 1))[0] == "phuong_hoi_phu"


def test_the_default_place_applies_unless_the_text_points_elsewhere(g: Gazetteer) -> None:
    def applies(text: str) -> bool:
        return g.default_applies("pleiku", g.find(normalise(text), context=["pleiku"]))

    assert applies("Cướp giật trên đường Trần Phú") and applies("Công an tỉnh Gia Lai cho biết")
    assert not applies("Cướp giật ở Hà Nội") and not applies("Cướp giật ở Chư Sê")
    assert not g.default_applies("nowhere", [])


def test_an_unknown_dataset_unit_in_our_layer_is_an_error() -> None:
    data = load_places(DATA_DIR / "places.yaml")
    with pytest.raises(GazetteerError, match="unknown dataset unit"):
        Gazetteer.from_data({**data, "places": [{"id": "x", "unit": "gia_lai.nowhere"}]})


def test_the_pipeline_reports_a_default_place_with_its_ancestors(pipeline: Pipeline) -> None:
    from services.monitoring.domain.pipeline import Item

    quiet = pipeline.analyse(Item("a", "Cướp giật", "Cướp giật trên đường Trần Phú",
                                  default_place="pleiku"))
    assert quiet.places == () and quiet.place_ids == ("pleiku", "gia_lai", "vn")
    elsewhere = pipeline.analyse(Item("b", "Cướp giật", "Cướp giật ở Hà Nội hôm qua",
                                      default_place="pleiku"))
    assert elsewhere.place_ids == ("ha_noi", "vn")


def test_a_new_commune_named_before_the_reform_lies_where_its_parts_lay(g: Gazetteer) -> None:
    # "xã Ân Hảo" was made in 2025 from Ân Hảo Đông and Ân Hảo Tây (Hoài Ân, Bình Định)
    assert g.ancestors("gia_lai.xa_an_hao", date(2024, 3, 27)) == ["hoai_an", "binh_dinh", "vn"]
    assert g.ancestors("gia_lai.xa_an_hao", date(2026, 1, 1)) == ["gia_lai", "vn"]


def test_without_diacritics_a_bare_name_counts_when_it_cannot_be_words(g: Gazetteer) -> None:
    # "sol" and "kon" are no Vietnamese syllables; "bien ho" may be "biện hộ"
    assert ids(g, "Tet nay xom minh o Ia Sol ko vui ti nao") == [
        "gia_lai.huyen_phu_thien.xa_ia_sol"]
    assert ids(g, "ba con Kon Gang oi mai ra dau lang") == ["gia_lai.xa_kon_gang"]
    assert ids(g, "toi nay keo o bo ho Bien Ho nha ae") == []
