"""Monitoring through the gateway with the real services: who may do what on sources, items,
alerts, coverage, alert rules and topics (role x resource x action), unit-scoped roles held
to their units' outlets (another unit's item answers 404), a crawler's API key pushing a
batch, alerts acknowledged with the caller as actor, coverage as a CSV download."""

from __future__ import annotations

import uuid

import httpx
import pytest

from stack.gateway_testkit import create_role_users, row

PASSWORD = "mật-khẩu-thử-nghiệm-456"
UNIT_A, UNIT_B = "gl-bao-gia-lai", "gl-ptth"
RUN = uuid.uuid4().hex[:8]
KEYWORD = f"kiemthu{RUN}"


def article(unit: str, n: int, extra: str = "") -> dict:
    return {"title": f"Triệt phá đường dây mua bán ma túy tại Pleiku số {RUN}-{n}",
            "body": f"Công an tỉnh Gia Lai vừa bắt giữ {n} đối tượng mua bán trái phép chất "
                    f"ma túy đá, thu giữ nhiều tang vật. Mã kiểm thử {RUN} {n} {extra}",
            "url": f"https://baogialai.com.vn/kiem-thu-{RUN}-{unit}-{n}.html",
            "published_at": "2021-03-10T08:30:00+07:00", "outlet_unit_id": unit}


@pytest.fixture(scope="module")
def mon(platform, api, rpc):
    """Units, one user per role (unit-scoped ones in unit A), a crawler key, one source and
    one item per unit."""
    from stack.demo import UNITS_FILE

    rpc.call("plans", "import_units", content=UNITS_FILE.read_text(encoding="utf-8"),
             timeout=90)
    units = {u["id"] for u in api.get("/api/v1/units", params={"limit": 200}).json()["items"]}
    unit_a, unit_b = sorted(units)[:2] if not {UNIT_A, UNIT_B} <= units else (UNIT_A, UNIT_B)
    role_users = create_role_users(api, platform.gateway_url, "mon-", RUN, unit_a, PASSWORD)
    users = {role: user_id for role, (user_id, _) in role_users.items()}
    headers = {"admin": dict(api.headers),
               **{role: signed_in for role, (_, signed_in) in role_users.items()}}
    key = api.post("/api/v1/api-keys", json={"name": "Trình thu thập mạng xã hội",
                                              "scopes": ["items:write", "sources:read"]})
    assert key.status_code == 201, key.text
    headers["system"] = {"X-API-Key": key.json()["key"]}
    source = api.post("/api/v1/sources", json={
        "id": f"fb-pleiku-{RUN}", "name": "Nhóm Facebook Pleiku 24h", "kind": "social",
        "channel": "social", "outlet_unit_id": unit_a, "collections": ["mang-xa-hoi"]})
    assert source.status_code == 201, source.text
    items = {}
    for n, unit in enumerate((unit_a, unit_b)):
        pushed = api.post("/api/v1/items", json={"item": article(unit, n)})
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["outcome"] == "stored", pushed.text
        items[unit] = pushed.json()["item_id"]
    return {"unit_a": unit_a, "unit_b": unit_b, "headers": headers, "users": users,
            "source": source.json()["id"], "items": items}


# (method, path template, body kind) -> expected status per role. {own}/{other}: the item of
# the unit-scoped users' unit / of another unit; {missing}: an id nobody has.
MATRIX = [
    #    method  path                                body      adm  off  out  loc  tra  vie  sys
    row("GET", "/api/v1/sources", None,                        200, 200, 403, 403, 403, 200, 200),
    row("POST", "/api/v1/sources", "source",                   201, 201, 403, 403, 403, 403, 403),
    row("GET", "/api/v1/sources/{source}", None,               200, 200, 403, 403, 403, 200, 200),
    row("PUT", "/api/v1/sources/{source}", "source_update",    200, 200, 403, 403, 403, 403, 403),
    row("POST", "/api/v1/sources/{source}/poll", None,         409, 409, 403, 403, 403, 403, 403),
    row("GET", "/api/v1/sources/{missing}", None,              404, 404, 403, 403, 403, 404, 404),
    row("GET", "/api/v1/items", None,                          200, 200, 403, 200, 403, 200, 403),
    row("GET", "/api/v1/items/{own}", None,                    200, 200, 403, 200, 403, 200, 403),
    row("GET", "/api/v1/items/{other}", None,                  200, 200, 403, 404, 403, 200, 403),
    row("GET", "/api/v1/items/{missing}", None,                404, 404, 403, 404, 403, 404, 403),
    row("POST", "/api/v1/items", "item",                       200, 200, 403, 403, 403, 403, 200),
    row("POST", "/api/v1/items/batch", "batch",                200, 200, 403, 403, 403, 403, 200),
    row("GET", "/api/v1/alerts", None,                         200, 200, 403, 403, 403, 200, 403),
    row("POST", "/api/v1/alerts/{missing}/acknowledge", None,  404, 404, 403, 403, 403, 403, 403),
    row("POST", "/api/v1/alerts/{missing}/resolve", None,      404, 404, 403, 403, 403, 403, 403),
    row("GET", "/api/v1/coverage", None,                       200, 200, 200, 200, 403, 200, 403),
    row("GET", "/api/v1/coverage/export", None,                200, 200, 200, 200, 403, 200, 403),
    row("GET", "/api/v1/alert-rules", None,                    200, 200, 403, 403, 403, 403, 403),
    row("PUT", "/api/v1/alert-rules/{rule}", "rule",           200, 200, 403, 403, 403, 403, 403),
    row("DELETE", "/api/v1/alert-rules/{missing}", None,       404, 404, 403, 403, 403, 403, 403),
    row("GET", "/api/v1/topics", None,                         200, 200, 403, 403, 403, 403, 403),
    row("DELETE", "/api/v1/topics/{missing_topic}", None,      404, 404, 403, 403, 403, 403, 403),
]


def body_for(kind: str | None, mon, role: str) -> dict | None:
    tag = f"{role}-{uuid.uuid4().hex[:6]}"
    if kind == "source":
        return {"id": f"src-{tag}", "name": "Cổng thông tin huyện Chư Păh", "kind": "social",
                "outlet_unit_id": mon["unit_b"]}
    if kind == "source_update":
        return {"name": "Nhóm Facebook Pleiku 24h", "kind": "social", "channel": "social",
                "outlet_unit_id": mon["unit_a"], "collections": ["mang-xa-hoi"]}
    if kind == "item":
        return {"item": article(mon["unit_a"], 100, tag)}
    if kind == "batch":
        return {"items": [article(mon["unit_b"], 200 + i, tag) for i in range(3)]}
    if kind == "rule":
        return {"keywords": [f"khong-khop-{RUN}"], "severity": "info", "enabled": False}
    return None


@pytest.mark.parametrize("method,template,body,expected", MATRIX,
                         ids=[f"{m} {t}" for m, t, _, _ in MATRIX])
def test_monitoring_role_matrix(platform, mon, method, template, body, expected):
    path = template.format(source=mon["source"], own=mon["items"][mon["unit_a"]],
                           other=mon["items"][mon["unit_b"]], missing=f"khong-co-{RUN}",
                           missing_topic=f"khong_co_{RUN}", rule=f"gw-test-{RUN}")
    got = {}
    for role in expected:
        reply = httpx.request(method, f"{platform.gateway_url}{path}",
                              json=body_for(body, mon, role), headers=mon["headers"][role],
                              timeout=30)
        got[role] = reply.status_code
        if reply.status_code >= 400:
            assert reply.headers["content-type"].startswith("application/problem+json")
    assert got == expected


def test_a_crawler_key_pushes_a_batch_once(platform, mon):
    key = mon["headers"]["system"]
    batch = {"items": [article(mon["unit_b"], 300 + i, "crawler") for i in range(5)]}
    first = httpx.post(f"{platform.gateway_url}/api/v1/items/batch", json=batch, headers=key,
                       timeout=30)
    assert first.status_code == 200, first.text
    assert first.json()["stored"] == 5 and [r["index"] for r in first.json()["results"]] == \
        list(range(5))
    again = httpx.post(f"{platform.gateway_url}/api/v1/items/batch", json=batch, headers=key,
                       timeout=30)
    assert again.status_code == 200 and again.json()["stored"] == 0
    assert again.json()["duplicates"] == 5
    too_many = {"items": [{"title": f"Tin {i}"} for i in range(501)]}
    assert httpx.post(f"{platform.gateway_url}/api/v1/items/batch", json=too_many,
                      headers=key, timeout=30).status_code == 422
    unknown = {"items": [{**article(mon["unit_b"], 400), "likes": 3}]}
    refused = httpx.post(f"{platform.gateway_url}/api/v1/items/batch", json=unknown,
                         headers=key, timeout=30)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"][:3] == ["body", "items", "0"]
    # The key may list sources but not read items or edit sources.
    assert httpx.get(f"{platform.gateway_url}/api/v1/items", headers=key).json()[
        "missing_scope"] == "items:read"
    assert httpx.get(f"{platform.gateway_url}/api/v1/sources", headers=key,
                     params={"kind": "social", "limit": 200}).status_code == 200


def test_unit_scoped_roles_see_only_their_outlets(platform, mon, api):
    url = platform.gateway_url
    local = mon["headers"]["local_officer"]
    listed = httpx.get(f"{url}/api/v1/items", headers=local,
                       params={"outlet_unit_id": mon["unit_b"], "limit": 200}).json()["items"]
    assert mon["items"][mon["unit_a"]] in {i["id"] for i in listed}
    assert {i["outlet_unit_id"] for i in listed} == {mon["unit_a"]}
    everyone = api.get("/api/v1/items", params={"text": RUN, "limit": 200}).json()["items"]
    assert {mon["unit_a"], mon["unit_b"]} <= {i["outlet_unit_id"] for i in everyone}
    for role in ("outlet_editor", "local_officer"):
        rows = httpx.get(f"{url}/api/v1/coverage", headers=mon["headers"][role],
                         params={"outlet_unit_id": mon["unit_b"], "period": "month"}).json()
        assert {r["outlet_unit_id"] for r in rows["rows"]} <= {mon["unit_a"]}
        csv = httpx.get(f"{url}/api/v1/coverage/export", headers=mon["headers"][role],
                        params={"format": "csv", "outlet_unit_id": mon["unit_b"]})
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert mon["unit_b"] not in csv.text
    admin_rows = api.get("/api/v1/coverage", params={"outlet_unit_id": mon["unit_b"],
                                                     "period": "month"}).json()["rows"]
    assert admin_rows and {r["outlet_unit_id"] for r in admin_rows} == {mon["unit_b"]}
    export = api.get("/api/v1/coverage/export", params={"period": "week"})
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    assert api.get("/api/v1/items", params={"limit": 201}).status_code == 422
    assert api.get("/api/v1/coverage", params={"period": "year"}).status_code == 422


def test_sources_are_listed_by_filters_and_paged(platform, mon, api):
    for n in range(3):
        created = api.post("/api/v1/sources", json={
            "id": f"rss-{RUN}-{n}", "name": f"Báo Gia Lai - chuyên mục {n}", "kind": "feed",
            "url": f"https://baogialai.com.vn/rss/kiem-thu-{RUN}-{n}.rss", "enabled": False,
            "collections": [f"bo-suu-tap-{RUN}"]})
        assert created.status_code == 201, created.text
    seen, cursor = [], None
    while True:
        params = {"collection": f"bo-suu-tap-{RUN}", "kind": "feed", "limit": 2}
        page = api.get("/api/v1/sources", params={**params, **({"cursor": cursor} if cursor
                                                                else {})}).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"rss-{RUN}-{n}" for n in range(3)]
    bad = api.put(f"/api/v1/sources/rss-{RUN}-0", json={"name": "x", "kind": "feed",
                                                         "url": "ftp://example.org/a.rss"})
    assert bad.status_code == 422
    extra = api.post("/api/v1/sources", json={"id": "x", "name": "x", "kind": "social",
                                              "secret": 1})
    assert extra.status_code == 422 and extra.json()["errors"][0]["loc"] == ["body", "secret"]
    # JSON types are not converted: 0 is not false, "60" is not 60.
    for wrong in ({"enabled": 0}, {"poll_interval_seconds": "60"}):
        typed = api.put(f"/api/v1/sources/rss-{RUN}-0", json={
            "name": "x", "kind": "social", **wrong})
        assert typed.status_code == 422, typed.text


def test_dates_are_iso_8601_only(platform, mon, api):
    for params in ({"date_from": "0"}, {"date_to": "4.8e-31"},
                   {"date_from": "2021-03-01T00:00:00"}):
        assert api.get("/api/v1/items", params=params).status_code == 422, params
        assert api.get("/api/v1/coverage", params=params).status_code == 422, params
    assert api.get("/api/v1/events", params={"until": "0.5"}).status_code == 422
    assert api.get("/api/v1/items", params={"date_from": "2021-03-01",
                                            "date_to": "2021-03-31"}).status_code == 200
    assert api.get("/api/v1/events", params={"since": "2021-03-10T08:30:00+07:00"}
                   ).status_code == 200
    stale = api.post("/api/v1/items", json={"item": {**article(mon["unit_a"], 600),
                                                     "published_at": 1615339800}})
    assert stale.status_code == 422


def test_an_alert_is_acknowledged_then_resolved_by_the_caller(platform, mon, api):
    rule_id = f"gw-alert-{RUN}"
    put = api.put(f"/api/v1/alert-rules/{rule_id}", json={
        "keywords": [KEYWORD], "severity": "high", "min_harmful": 0})
    assert put.status_code == 200, put.text
    assert put.json()["id"] == rule_id
    listed = api.get("/api/v1/alert-rules", params={"limit": 200}).json()["items"]
    assert rule_id in {r["id"] for r in listed}
    pushed = api.post("/api/v1/items", json={"item": article(mon["unit_a"], 500, KEYWORD)})
    assert pushed.json()["outcome"] == "stored", pushed.text
    alerts = api.get("/api/v1/alerts", params={"status": "open", "kind": "rule",
                                               "limit": 200}).json()["items"]
    alert = next(a for a in alerts if a["rule_id"] == rule_id)
    officer = mon["headers"]["officer"]
    ack = httpx.post(f"{platform.gateway_url}/api/v1/alerts/{alert['id']}/acknowledge",
                     headers=officer, json={"note": "Đã chuyển Công an tỉnh xác minh"})
    assert ack.status_code == 200, ack.text
    assert ack.json()["status"] == "acknowledged"
    assert ack.json()["history"][-1]["actor"] == mon["users"]["officer"]
    viewer = httpx.post(f"{platform.gateway_url}/api/v1/alerts/{alert['id']}/resolve",
                        headers=mon["headers"]["viewer"])
    assert viewer.status_code == 403
    resolved = httpx.post(f"{platform.gateway_url}/api/v1/alerts/{alert['id']}/resolve",
                          headers=officer)
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    again = httpx.post(f"{platform.gateway_url}/api/v1/alerts/{alert['id']}/acknowledge",
                       headers=officer)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert api.delete(f"/api/v1/alert-rules/{rule_id}").json() == {"rule_id": rule_id,
                                                                  "deleted": True}
    assert api.delete(f"/api/v1/alert-rules/{rule_id}").status_code == 404


def test_topics_are_edited_by_officers(platform, mon, api):
    topic_id = f"gw_test_{RUN}"
    officer = mon["headers"]["officer"]
    base = f"{platform.gateway_url}/api/v1/topics"
    put = httpx.put(f"{base}/{topic_id}", headers=officer, json={
        "label": "Chủ đề kiểm thử", "terms": {f"tu khoa {RUN}": 0.9}})
    assert put.status_code == 200, put.text
    assert httpx.put(f"{base}/{topic_id}", headers=mon["headers"]["viewer"],
                     json={"label": "x"}).status_code == 403
    seen, cursor = [], None
    while True:
        page = httpx.get(base, headers=officer,
                         params={"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert topic_id in seen and seen == sorted(seen) and len(seen) == len(set(seen))
    assert httpx.delete(f"{base}/{topic_id}", headers=officer).json() == {
        "topic_id": topic_id, "deleted": True}
    assert httpx.put(f"{base}/Bad-Id", headers=officer, json={"label": "x"}).status_code == 422


def test_sources_to_private_addresses_are_refused_when_registered(api):
    """As for subscriptions: a clear 422 naming the reason, and nothing stored (the platform's
    allowlist here admits 127.0.0.0/8 and ::1 only)."""
    for url, reason in (("http://10.0.0.1/feed", "private"),
                        ("http://169.254.169.254/", "cloud_metadata"),
                        ("http://[::ffff:127.0.0.1]/", "ipv4_embedded_loopback"),
                        ("http://[::ffff:10.0.0.1]/rss", "ipv4_embedded_private")):
        source_id = f"noi-bo-{uuid.uuid4().hex[:8]}"
        reply = api.put(f"/api/v1/sources/{source_id}", json={
            "name": "Nguồn nội bộ", "kind": "feed", "url": url})
        assert reply.status_code == 422, (url, reply.text)
        problem = reply.json()
        assert problem["reason"] == reason and f"url not allowed: {reason}" in problem["detail"]
        assert problem["errors"][0]["loc"] == ["source", "url"]
        assert api.get(f"/api/v1/sources/{source_id}").status_code == 404


NUMERIC_HOSTS = ["http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/",
                 "http://127.1/", "http://0/", "http://10.1/", "http://0x0a000001/",
                 "http://%31%30.0.0.1/", "http://2852039166/", "http://0xa9fea9fe/"]


@pytest.mark.parametrize("url", NUMERIC_HOSTS)
def test_sources_and_subscriptions_refuse_an_address_written_as_a_number(api, url):
    """Decimal, hex, octal, short and percent-encoded IPv4 forms (127.0.0.1, 10.0.0.1,
    169.254.169.254) are refused by sources as by webhook subscriptions, even where the
    allowlist admits 127.0.0.0/8: one check, services/runtime/ssrf.py."""
    source_id = f"so-{uuid.uuid4().hex[:8]}"
    reply = api.post("/api/v1/sources", json={"id": source_id, "name": "Nguồn viết bằng số",
                                              "kind": "feed", "url": url})
    assert reply.status_code == 422, (url, reply.text)
    problem = reply.json()
    assert problem["reason"] in ("ip_not_canonical", "private"), problem
    assert "url not allowed" in problem["detail"]
    assert api.get(f"/api/v1/sources/{source_id}").status_code == 404
    subscribed = api.post("/api/v1/subscriptions", json={"url": url,
                                                         "event_types": ["plan.issued"]})
    assert subscribed.status_code == 422, (url, subscribed.text)
    assert subscribed.json()["reason"] == problem["reason"]


def test_a_source_carries_a_default_place_and_its_channel(platform, mon, api):
    """A source's default place must be a gazetteer id (422 otherwise); its items carry the
    channel, and the place when their text names none elsewhere."""
    source_id = f"fb-chu-se-{RUN}"
    base = {"name": "Hội người Chư Sê", "kind": "social", "channel": "social"}
    for wrong, field in (({"default_place": "khong_co_noi_nay"}, "default_place"),
                         ({"default_place": "Chư Sê"}, "default_place"),
                         ({"channel": "tv"}, "channel")):
        bad = api.put(f"/api/v1/sources/{source_id}", json={**base, **wrong})
        assert bad.status_code == 422, bad.text
        assert field in str(bad.json()["errors"][0]["loc"]), bad.text
    created = api.put(f"/api/v1/sources/{source_id}", json={**base, "default_place": "chu_se"})
    assert created.status_code == 200, created.text
    assert (created.json()["default_place"], created.json()["channel"]) == ("chu_se", "social")
    assert api.get(f"/api/v1/sources/{source_id}").json()["default_place"] == "chu_se"

    def post(n: int, body: str, **extra: str) -> dict:
        return {"title": f"Bài đăng {RUN}-{n}", "body": f"{body} Mã {RUN} {n}",
                "url": f"https://facebook.com/groups/chuse/{RUN}-{n}", "source_id": source_id,
                **extra}

    pushed = api.post("/api/v1/items/batch", json={"items": [
        post(1, "Tối qua có vụ cướp giật điện thoại trên đường Hùng Vương, ae cẩn thận."),
        post(2, "Vụ cướp giật điện thoại ở Hà Nội được chia sẻ nhiều trên mạng."),
        post(3, "Công an đang tìm chủ sở hữu xe máy bị bỏ lại ven đường.",
             channel="press", default_place="gia_lai.xa_ia_hru")]})
    assert pushed.status_code == 200 and pushed.json()["stored"] == 3, pushed.text
    quiet, elsewhere, own = (api.get(f"/api/v1/items/{r['item_id']}").json()
                             for r in pushed.json()["results"])
    assert quiet["channel"] == "social" and {"chu_se", "gia_lai"} <= set(quiet["place_ids"])
    assert "ha_noi" in elsewhere["place_ids"] and "chu_se" not in elsewhere["place_ids"]
    assert own["channel"] == "press" and "gia_lai.xa_ia_hru" in own["place_ids"]
    listed = api.get("/api/v1/items", params={"source_id": source_id, "channel": "press"})
    assert [i["id"] for i in listed.json()["items"]] == [own["id"]]
    unknown = api.post("/api/v1/items/batch", json={"items": [
        post(4, "Tin vắn.", default_place="noi_khong_co")]})
    assert unknown.status_code == 422, unknown.text
    assert unknown.json()["errors"][0]["loc"][-1] == "default_place", unknown.text
