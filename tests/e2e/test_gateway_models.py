"""The learned model's versions through the gateway with the real services: an admin trains a
version (a job with progress; 409 while one runs; the service keeps answering), lists the
versions with their held-out figures, and restores an earlier one; officers may not; unknown
versions and jobs are 404, a bad body 422."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from services.monitoring.model_files import SHIPPED_VERSION
from stack.gateway_testkit import role_headers

PASSWORD = "mật-khẩu-thử-nghiệm-456"
RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def officer(platform, api, rpc):
    return role_headers(api, rpc, platform.gateway_url, "models-", RUN, PASSWORD)["officer"]


def finished(api, job_id: str, seconds: float = 300) -> dict:
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        job = api.get(f"/api/v1/models/train/{job_id}")
        assert job.status_code == 200, job.text
        seen.append(job.json()["progress"])
        if job.json()["state"] != "running":
            assert seen == sorted(seen)  # progress only moves forward
            return job.json()
        time.sleep(0.5)
    raise AssertionError(f"training job {job_id} still running after {seconds} s")


def train(api) -> dict:
    started = api.post("/api/v1/models/train", json={"note": f"e2e {RUN}"})
    assert started.status_code == 202, started.text
    assert started.json()["state"] == "running"
    return started.json()


def test_admins_train_list_and_restore_versions(platform, api, officer):
    base = f"{platform.gateway_url}/api/v1/models"
    assert httpx.post(f"{base}/train", headers=officer, json={}).status_code == 403
    assert httpx.get(base, headers=officer).status_code == 403
    assert api.post("/api/v1/models/train", json={"epochs": 3}).status_code == 422
    shipped = [v for v in api.get("/api/v1/models").json() if v["version"] == SHIPPED_VERSION]
    assert shipped and shipped[0]["training_items"] > 0  # a fresh install has a version
    first = train(api)
    # one training at a time, and the service keeps answering while it runs
    busy = api.post("/api/v1/models/train", json={})
    assert busy.status_code == 409, busy.text
    asked = time.monotonic()
    assert api.get("/api/v1/topics/thresholds").status_code == 200
    assert time.monotonic() - asked < 5
    done = finished(api, first["job_id"])
    assert done["state"] == "done", done
    assert done["progress"] == 1.0 and done["version"] and done["activated"] is not None
    versions = {v["version"]: v for v in api.get("/api/v1/models").json()}
    trained = versions[done["version"]]
    assert trained["trained_by"] and trained["training_items"] > trained["held_out_items"] > 50
    assert 0 < trained["metrics"]["topics_micro_f1"] <= 1
    assert trained["compared_with"] is not None and trained["seconds"] > 0
    assert trained["active"] == done["activated"]

    second = finished(api, train(api)["job_id"])
    assert second["state"] == "done" and second["version"] != done["version"]
    restored = api.post(f"/api/v1/models/versions/{done['version']}/activate")
    assert restored.status_code == 200, restored.text
    assert restored.json()["active"] and restored.json()["activated_by"]
    active = [v["version"] for v in api.get("/api/v1/models").json() if v["active"]]
    assert active == [done["version"]]
    # items analysed from now on carry the restored version's features as reasons
    pushed = api.post("/api/v1/items", json={"item": {
        "title": f"Bat nhom thanh nien su dung ma tuy {RUN}",
        "body": "Cong an phuong kiem tra quan karaoke, phat hien 6 nguoi duong tinh ma tuy.",
        "url": f"https://example.vn/models-{RUN}.html"}})
    assert pushed.status_code == 200, pushed.text
    item = api.get(f"/api/v1/items/{pushed.json()['item_id']}").json()
    [drugs] = [t for t in item["topics"] if t["topic"] == "drugs"]
    assert any(r.startswith("model:") for r in drugs["reasons"])


def test_unknown_versions_and_jobs_are_404(api):
    assert api.post("/api/v1/models/versions/m-none/activate").status_code == 404
    assert api.get("/api/v1/models/train/job-none").status_code == 404
    assert api.post("/api/v1/models/versions/bad%20version/activate").status_code == 422
