"""Clear outputs through the gateway with the real services: an item says whether it is
harmful with the score, threshold and reasons, each topic its score and threshold, candidates
below the threshold marked as not assigned; officers read and set thresholds through /topics
(who and when kept), a new threshold applies to the next items, bad input is a clear 4xx.
Officers correct the machine (PUT /items/{id}/labels): the labels are listed, exported as
JSONL in the evaluation sets' schema and counted (precision per topic in /coverage and in
Prometheus)."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from stack.gateway_testkit import role_headers
from stack.testkit import eventually

PASSWORD = "mật-khẩu-thử-nghiệm-789"
RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def people(platform, api, rpc):
    return role_headers(api, rpc, platform.gateway_url, "verdict-", RUN, PASSWORD)


def push(api, n: int, text: str) -> dict:
    pushed = api.post("/api/v1/items", json={"item": {
        "title": f"Tin kiểm thử {RUN}-{n}", "body": f"{text} Mã {RUN} số {n}.",
        "url": f"https://example.vn/verdict-{RUN}-{n}.html"}})
    assert pushed.status_code == 200 and pushed.json()["outcome"] == "stored", pushed.text
    return api.get(f"/api/v1/items/{pushed.json()['item_id']}").json()


def test_an_item_states_its_verdicts_and_new_thresholds_apply_to_new_items(platform, api,
                                                                          people):
    officer = people["officer"]
    base = f"{platform.gateway_url}/api/v1/topics/thresholds"
    before = httpx.get(base, headers=officer).json()
    drugs = {t["topic"]: t for t in before["topics"]}["drugs"]
    assert drugs["threshold"] == before["topic_default"] == 0.5
    # alert rules keep their own bar, at or above the harmful threshold
    assert any(r["min_harmful"] >= before["harmful"] for r in before["alert_rules"])
    text = "Công an tỉnh Gia Lai bắt giữ đối tượng tàng trữ ma túy."
    item = push(api, 1, text)
    [hit] = [t for t in item["topics"] if t["topic"] == "drugs"]
    assert hit["assigned"] and hit["threshold"] == 0.5 and hit["score"] >= 0.5
    assert any(r.startswith("term:") for r in hit["reasons"])
    assert item["harmful"]["threshold"] == before["harmful"]
    assert item["harmful"]["flag"] == (item["harmful"]["score"] >= before["harmful"])
    assert item["harmful_score"] == item["harmful"]["score"]  # kept for old clients
    try:
        changed = httpx.put(base, headers=officer, json={"topics": {"drugs": 0.999},
                                                         "harmful": 0.0})
        assert changed.status_code == 200, changed.text
        assert [(c["what"], c["after"]) for c in changed.json()["history"][:2]] == [
            ("harmful", 0.0), ("topic:drugs", 0.999)]
        assert changed.json()["history"][0]["by"] != "system"
        later = push(api, 2, text)
        assert "drugs" not in [t["topic"] for t in later["topics"]]
        [candidate] = [t for t in later["topic_candidates"] if t["topic"] == "drugs"]
        assert not candidate["assigned"] and candidate["threshold"] == 0.999
        assert later["harmful"] == {**later["harmful"], "flag": True, "threshold": 0.0}
        listed = httpx.get(f"{platform.gateway_url}/api/v1/topics", headers=officer,
                           params={"limit": 200}).json()["items"]
        assert {t["id"]: t["threshold"] for t in listed}["drugs"] == 0.999
        # the stored item keeps the verdict it was given
        assert api.get(f"/api/v1/items/{item['id']}").json()["topics"] == item["topics"]
    finally:
        restored = httpx.put(base, headers=officer, json={
            "topics": {"drugs": drugs["threshold"]}, "harmful": before["harmful"]})
        assert restored.status_code == 200, restored.text


@pytest.mark.parametrize(("body", "status"), [
    ({"topics": {f"khong_co_{RUN}": 0.5}}, 404), ({"harmful": 1.5}, 422),
    ({"topics": {"drugs": -0.1}}, 422), ({}, 422), ({"harmful": "0.5"}, 422),
    ({"harmful": 0.5, "extra": 1}, 422)])
def test_bad_thresholds_are_refused_and_change_nothing(platform, people, body, status):
    base = f"{platform.gateway_url}/api/v1/topics/thresholds"
    before = httpx.get(base, headers=people["officer"]).json()
    reply = httpx.put(base, headers=people["officer"], json=body)
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert httpx.get(base, headers=people["officer"]).json()["history"] == before["history"]


@pytest.mark.parametrize("role", ["viewer", "local_officer", "outlet_editor", "translator"])
def test_only_officers_and_admins_set_thresholds(platform, people, role):
    base = f"{platform.gateway_url}/api/v1/topics/thresholds"
    assert httpx.put(base, headers=people[role], json={"harmful": 0.5}).status_code == 403
    assert httpx.get(base, headers=people["admin"]).status_code == 200


def test_the_openapi_document_states_thresholds_and_fields(platform):
    spec = httpx.get(f"{platform.gateway_url}/openapi.json").json()
    schemas = spec["components"]["schemas"]
    verdict = schemas["HarmfulVerdict"]["properties"]
    assert "threshold" in verdict["threshold"]["description"]
    assert "0.5" in verdict["threshold"]["description"]
    assert "NOT assigned" in schemas["ItemReply"]["properties"]["topic_candidates"]["description"]
    assert "/api/v1/topics/thresholds" in spec["paths"]


def labelled_events(api, item) -> list[dict]:
    """The item_labelled events of an item, once both of its labels were logged."""
    found = [e["data"] for e in api.get("/api/v1/events", params={
        "type": "monitoring.item_labelled", "subject": item["id"]}).json()["items"]]
    assert len(found) == 2, found
    return found


EVAL_KEYS = {"id", "title", "body", "url", "guid", "published", "topics", "places", "harmful",
             "dup_of", "variant"}


def test_officers_correct_the_machine_and_the_labels_are_a_dataset(platform, api, people):
    officer = people["officer"]
    url = platform.gateway_url
    text = "Công an tỉnh Gia Lai bắt giữ đối tượng tàng trữ ma túy tại Pleiku."
    item, copy = push(api, 10, text), push(api, 11, "Một tin khác về giao thông ở Pleiku.")
    assert "drugs" in [t["topic"] for t in item["topics"]]
    put = httpx.put(f"{url}/api/v1/items/{item['id']}/labels", headers=officer, json={
        "topics": ["drugs", "gambling"], "places": ["pleiku"], "harmful": False,
        "note": "Tin đúng sự thật"})
    assert put.status_code == 200, put.text
    label = put.json()
    assert label["labels"]["judged"] == ["topics", "places", "harmful"]
    assert label["confirmed_topics"] == ["drugs"] and label["added_topics"] == ["gambling"]
    assert label["labels"]["by"] != "system" and label["machine"]["topics"] == [
        t["topic"] for t in item["topics"]]
    # a second officer rejects drugs and links a copy: latest wins, the first is kept
    again = httpx.put(f"{url}/api/v1/items/{copy['id']}/labels", headers=people["admin"],
                      json={"topics": [], "duplicate_of": item["id"]})
    assert again.status_code == 200, again.text
    relabel = httpx.put(f"{url}/api/v1/items/{item['id']}/labels", headers=people["admin"],
                        json={"topics": [], "duplicate_of": None})
    assert relabel.json()["rejected_topics"] == ["drugs"]
    assert [h["note"] for h in relabel.json()["history"]] == ["Tin đúng sự thật"]
    listed = httpx.get(f"{url}/api/v1/labels", headers=officer,
                       params={"topic": "drugs", "disagreement": True, "limit": 200}).json()
    assert item["id"] in [x["item_id"] for x in listed["items"]]
    export = httpx.get(f"{url}/api/v1/labels/export", headers=officer,
                       params={"judged": "duplicate_of"})
    assert export.status_code == 200 and export.headers["content-type"].startswith(
        "application/x-ndjson")
    rows = {r["id"]: r for r in map(json.loads, export.text.splitlines())}
    assert set(rows[copy["id"]]) >= EVAL_KEYS
    assert rows[copy["id"]]["dup_of"] == item["id"] and rows[copy["id"]]["topics"] == []
    assert rows[item["id"]]["dup_of"] is None and rows[item["id"]]["places"] is None
    assert "tàng trữ" in rows[item["id"]]["body"]  # the normalised text
    coverage = httpx.get(f"{url}/api/v1/coverage", headers=officer,
                         params={"topic": "drugs"}).json()
    [drugs] = coverage["label_precision"]
    assert drugs["topic"] == "drugs" and drugs["reviewed"] >= 1
    assert drugs["precision"] == round(drugs["confirmed"] / drugs["reviewed"], 4)
    metrics = httpx.get(f"http://127.0.0.1:{platform.metrics_ports['monitoring']}/metrics")
    assert 'campaign_label_topic_precision{topic="drugs"}' in metrics.text
    # each label is announced (monitoring.item_labelled), the latest last
    announced = eventually(lambda: labelled_events(api, item))
    assert [e["rejected_topics"] for e in announced] == [[], ["drugs"]]
    assert announced[0]["added_topics"] == ["gambling"] and announced[1]["judged"] == [
        "topics", "duplicate_of"]


@pytest.fixture(scope="module")
def target(api) -> str:
    """An item to label."""
    return str(push(api, 20, "Tin kiểm thử nhãn.")["id"])


@pytest.mark.parametrize(("item", "body", "status"), [
    ("missing", {"harmful": True}, 404), ("own", {}, 422),
    ("own", {"topics": [f"khong_co_{RUN}"]}, 422), ("own", {"places": ["atlantis"]}, 422),
    ("own", {"duplicate_of": "own"}, 422), ("own", {"duplicate_of": f"khong-co-{RUN}"}, 422),
    ("own", {"harmful": "yes"}, 422), ("own", {"harmful": True, "extra": 1}, 422)])
def test_bad_labels_are_refused(platform, people, target, item, body, status):
    own = target
    target = own if item == "own" else f"khong-co-{RUN}"
    body = {k: (own if v == "own" else v) for k, v in body.items()}
    reply = httpx.put(f"{platform.gateway_url}/api/v1/items/{target}/labels",
                      headers=people["officer"], json=body)
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("role", ["viewer", "local_officer", "outlet_editor", "translator"])
def test_only_officers_and_admins_label_and_read_labels(platform, people, target, role):
    own = target
    url = platform.gateway_url
    assert httpx.put(f"{url}/api/v1/items/{own}/labels", headers=people[role],
                     json={"harmful": True}).status_code == 403
    assert httpx.get(f"{url}/api/v1/labels", headers=people[role]).status_code == 403
    assert httpx.get(f"{url}/api/v1/labels/export", headers=people[role]).status_code == 403
