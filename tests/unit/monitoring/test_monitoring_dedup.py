import pytest

from services.monitoring.domain.dedup import (
    DedupIndex,
    estimate_bytes_per_item,
    normalise_url,
)
from services.monitoring.domain.text import normalise

ARTICLE = (
    "Công an huyện Chư Sê vừa bắt giữ hai đối tượng tàng trữ trái phép chất ma túy tại một "
    "nhà trọ ở thị trấn. Tang vật thu giữ gồm 6 gói ma túy đá cùng cân tiểu ly và nhiều túi "
    "nylon. Hai đối tượng khai nhận mua ma túy về để sử dụng và bán lại kiếm lời. Vụ việc đang "
    "được cơ quan điều tra tiếp tục làm rõ theo quy định của pháp luật."
)
COPY = (
    "GIA LAI - Công an huyện Chư Sê bắt giữ 2 đối tượng tàng trữ trái phép chất ma túy tại một "
    "nhà trọ ở thị trấn. Tang vật thu giữ gồm 6 gói ma túy đá cùng cân tiểu ly và nhiều túi "
    "nylon. Hai người khai nhận mua ma túy về để sử dụng và bán lại kiếm lời. Vụ việc đang "
    "được cơ quan điều tra tiếp tục làm rõ theo quy định của pháp luật. (Theo Báo Gia Lai)"
)
OTHER = (
    "Nông dân tỉnh Gia Lai đang vào vụ thu hoạch cà phê với năng suất bình quân đạt 3,5 tấn "
    "mỗi héc ta. Giá cà phê nhân tăng cao giúp bà con phấn khởi, nhiều hợp tác xã đã ký hợp "
    "đồng tiêu thụ với doanh nghiệp xuất khẩu."
)


def tokens(text: str) -> tuple[str, ...]:
    return normalise(text).tokens


def test_syndicated_copy_links_to_first_seen() -> None:
    index = DedupIndex()
    assert not index.add("a", tokens(ARTICLE)).is_duplicate
    copy = index.add("b", tokens(COPY))
    assert copy.original_id == "a"
    assert 0.5 <= copy.jaccard < 1.0
    assert not index.add("c", tokens(OTHER)).is_duplicate
    # a copy of the copy still points at the root original
    assert index.add("d", tokens(COPY + " Nguồn khác.")).original_id == "a"


def test_exact_repeat_by_url_or_guid() -> None:
    index = DedupIndex()
    index.add("a", tokens(ARTICLE), url="https://Bao.example/tin/1/?utm_source=fb#x", guid="g1")
    hit = index.add("b", tokens(OTHER), url="http://bao.example/tin/1")
    assert (hit.original_id, hit.exact, hit.jaccard) == ("a", True, 1.0)
    assert index.add("c", tokens(OTHER), guid="g1").exact


def test_normalise_url() -> None:
    assert normalise_url("HTTPS://X.vn:443/a/?b=1&utm_medium=z#f") == "https://x.vn/a?b=1"


def test_eviction_by_window_and_size() -> None:
    index = DedupIndex(window_seconds=100.0, max_items=2)
    index.add("a", tokens(ARTICLE), seen_at=0.0)
    assert not index.add("b", tokens(COPY), seen_at=500.0).is_duplicate  # "a" expired
    index.add("c", tokens(OTHER), seen_at=501.0)
    index.add("d", tokens(OTHER + " thêm"), seen_at=502.0)
    assert len(index) == 2


def test_memory_is_bounded_and_reported() -> None:
    index = DedupIndex()
    for i in range(50):
        index.add(str(i), tokens(f"{OTHER} số {i} {i * 7} {i * 13}"))
    per_item = index.memory_bytes() / len(index)
    assert per_item < 2 * estimate_bytes_per_item()
    assert estimate_bytes_per_item(num_perm=64, bands=16) < estimate_bytes_per_item()


def test_bands_must_divide_permutations() -> None:
    with pytest.raises(ValueError):
        DedupIndex(num_perm=100, bands=32)


def test_snapshot_and_restore() -> None:
    index = DedupIndex()
    index.add("a", tokens(ARTICLE), url="https://x.vn/a")
    restored = DedupIndex()
    restored.restore(index.snapshot())
    assert restored.add("b", tokens(COPY)).original_id == "a"
    assert restored.add("c", tokens(OTHER), url="https://x.vn/a").exact


def test_an_item_registered_again_keeps_its_decision() -> None:
    index = DedupIndex()
    index.add("a", tokens(ARTICLE))
    first = index.add("b", tokens(COPY))
    # a batch tried again after a failure: neither a repeat of itself nor a copy of its copy
    assert index.add("a", tokens(ARTICLE)).original_id is None
    again = index.add("b", tokens(COPY))
    assert (again.original_id, again.jaccard, again.exact) == ("a", first.jaccard, False)


def test_a_forgotten_registration_leaves_no_trace() -> None:
    index = DedupIndex()
    index.add("a", tokens(ARTICLE), url="https://x.vn/a")
    shared = index.entries(["a"])
    index.forget("a")
    assert len(index) == 0 and not index.add("b", tokens(COPY), url="https://x.vn/a").exact
    other = DedupIndex()
    other.restore(shared)  # what another process reads from the log
    assert other.add("c", tokens(COPY)).original_id == "a"
