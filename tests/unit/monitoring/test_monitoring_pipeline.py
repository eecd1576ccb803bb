import json
import unicodedata
from datetime import datetime

import pytest

from services.monitoring.domain.pipeline import DATA_DIR, Item, Pipeline


def test_analyse_end_to_end(pipeline: Pipeline) -> None:
    body = (
        "Công an huyện Chư Sê bắt quả tang nhóm đối tượng tổ chức đánh bạc dưới hình thức xóc "
        "đĩa, thu giữ 40 triệu đồng."
    )
    first = pipeline.analyse(Item("a", "Bắt sới bạc", body, url="https://x.vn/a",
                                  published=datetime(2021, 5, 1)))
    assert [t.topic for t in first.topics] == ["gambling"]
    assert first.place_ids == ("chu_se", "gia_lai", "vn")
    assert not first.harmful.harmful
    assert first.cluster_id == "a"
    copy = pipeline.analyse(Item("b", "Tin khác", "GIA LAI - " + body + " (Theo Báo Gia Lai)"))
    assert copy.duplicate.original_id == "a" and copy.cluster_id == "a"
    payload = json.loads(json.dumps(copy.to_dict()))
    assert payload["duplicate_of"] == "a" and payload["topics"][0]["topic"] == "gambling"


@pytest.mark.parametrize("name", ["blind", "blind2", "blind3", "blind4", "blind5"])
def test_blind_set_shape(name: str) -> None:
    rows = [json.loads(line) for line in (DATA_DIR / "eval" / f"{name}.jsonl").open()]
    ids = [r["id"] for r in rows]
    assert len(rows) >= 45 and len(set(ids)) == len(ids)
    assert len({t for r in rows for t in r["topics"]}) == 12
    assert all(r["dup_of"] in ids[:ids.index(r["id"])] for r in rows if r["dup_of"])
    nfd = [r for r in rows if r["variant"] == "nfd"]
    assert nfd and all(unicodedata.is_normalized("NFD", r["body"]) for r in nfd)


def test_evaluation_set_shape() -> None:
    rows = [json.loads(line) for line in (DATA_DIR / "eval" / "items.jsonl").open()]
    assert len(rows) >= 200
    topics = {t for r in rows for t in r["topics"]}
    assert len(topics) == 12
    assert any(r["dup_of"] for r in rows) and any(r["harmful"] for r in rows)
    assert {"no_diacritics", "nfd", "old_tone"} <= {r["variant"] for r in rows}
