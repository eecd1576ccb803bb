"""Acceptance of the campaign workflow (issue 16), played through the gateway only, as its
users would, and written from the public documents only. The units' mail goes to a real
SMTP server the test starts (set as the email channel's provider by the admin) and reads."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from stack.campaign_testkit import (
    Campaign,
    MailSink,
    column,
    docx_tables_and_images,
    email_of,
    inbox_item,
    kpi_achieved,
    pdf_text_and_images,
    rows,
    standing_for,
    statuses,
    summary_counts_rows,
    table_with,
)
from stack.demo import UNITS_FILE
from stack.testkit import eventually, wait_until

pytestmark = pytest.mark.timeout(900)
SLOW = 180  # seconds asynchronous work may take on a loaded shared machine

PLAN_DATE, REPORT_DATE, ROLL_OVER_DATE = "2021-02-25", "2021-07-01", date(2026, 2, 25)
TODAY = date.today().isoformat()
RETURN_REASON = "Thiếu đường dẫn minh chứng cho các tin, bài"
CORRECTION_REASON = "Số tin, bài quý I nhập nhầm là 14 thay vì 41"
REJECTION = "Thuật ngữ 'ma túy' dịch chưa đúng"
TASKS: dict[str, dict[str, Any]] = {
    "press": {"title": "Các cơ quan báo chí mở chuyên trang, chuyên mục phòng, chống tội phạm",
              "lead_unit_id": "gl-stttt", "due_date": "2021-12-15"},
    "press.bgl": {"title": "Chuyên mục phòng, chống tội phạm trên Báo Gia Lai",
                  "lead_unit_id": "bao-gia-lai", "parent_task_id": "press",
                  "coordinating_unit_ids": ["gl-vp-ubnd"], "topics": ["drugs"],
                  "recurrence": {"kind": "quarterly", "starts_on": "2021-03-01",
                                 "ends_on": "2021-12-31"}, "channels": ["press", "e_newspaper"],
                  "kpis": [{"id": "drugs-articles", "metric": "articles", "target": 12,
                            "period": "quarterly", "topic": "drugs"}]},
    "press.ptth": {"title": "Chuyên mục trên sóng Đài PT-TH Gia Lai", "parent_task_id": "press",
                   "lead_unit_id": "dai-ptth-gia-lai", "due_date": "2021-06-30"},
    "local": {"title": "Tuyên truyền ở vùng đồng bào dân tộc thiểu số, vùng sâu, vùng xa",
              "lead_unit_id": "gl-stttt", "due_date": "2021-12-15"},
    "local.ia-grai": {"title": "Phát thanh cơ sở bằng tiếng Jrai ở Ia Grai",
                      "lead_unit_id": "pvhtt-ia-grai", "parent_task_id": "local",
                      "due_date": "2021-09-30"},
    "local.pleiku": {"title": "Xe thông tin lưu động ở Pleiku", "parent_task_id": "local",
                     "lead_unit_id": "pvhtt-pleiku", "due_date": "2021-09-30"},
    "local.ayun-pa": {"title": "Loa truyền thanh cơ sở ở Ayun Pa", "parent_task_id": "local",
                      "lead_unit_id": "pvhtt-ayun-pa", "due_date": "2021-09-30"},
}
NOTICE_A = {"subject": "Hướng dẫn tuyên truyền phòng, chống ma túy tháng 12",
            "body": "Đề nghị các đơn vị tăng thời lượng tuyên truyền về tác hại của ma túy."}
JRAI = {"subject": "Tơlơi pơtô pơhiăp kơ tơlơi pơgang mơ-ak (Jrai)",
        "body": "Rơkâo khul anŭn pơtrut pơhiăp kơ tơlơi jhat mơ-ak."}
ROW_FIELDS = {"unit_id", "channel", "language", "status", "attempts", "last_error",
              "delivered_at", "read_at", "read_by", "acknowledged_at", "acknowledged_by"}
BAHNAR = {"subject": "Tơdrong pơtho ma túy (Bahnar)", "body": "Đei tơdrong pơtho ma túy."}


@pytest.fixture(scope="module")
def campaign(platform: Any, api: Any, admin_token: str) -> Any:
    sink = MailSink().start()
    yield Campaign.open(platform.gateway_url, api, admin_token, sink, {
        "officer": ("officer", None, "Nguyễn Văn Cán Bộ"),
        "translator": ("translator", None, "Rơ Mah H'Linh"),
        "editor": ("outlet_editor", "bao-gia-lai", "Ban biên tập Báo Gia Lai"),
        "local": ("local_officer", "pvhtt-ia-grai", "Phòng VH&TT Ia Grai")})
    sink.stop()


def test_the_organisation_is_read_as_of_2021_and_as_of_today(campaign: Campaign) -> None:
    officer = campaign.officer
    officer.post("/units/import", {"content": UNITS_FILE.read_text(encoding="utf-8"),
                                   "idempotency_key": f"e2e16-units-{campaign.run}"})
    then = {u["id"]: u for u in officer.pages("/units", as_of=PLAN_DATE)}
    now = {u["id"] for u in officer.pages("/units", as_of=TODAY)}
    assert {"gl-stttt", "bao-gia-lai", "dai-ptth-gia-lai", "pvhtt-ia-grai"} <= set(then)
    assert "gl2-bao-ptth" not in then, "a unit created in 2025 is listed in the 2021 organisation"
    assert {"gl2-bao-ptth", "gl2-svhttdl"} <= now and not now & {"gl-stttt", "bao-gia-lai"}
    assert "jra" in then["pvhtt-ia-grai"]["languages"], "Ia Grai's office reads Jrai"
    assert then["gl-stttt"]["name"].startswith("Sở Thông tin và Truyền thông")
    gone = officer.call("GET", "/units/gl-stttt", (404,), params={"as_of": TODAY}).json()
    assert "2025-02-28" in gone["detail"], f"the 404 should name the unit's validity: {gone}"
    press_then = officer.get("/unit-groups/local-press/units", as_of=PLAN_DATE)["unit_ids"]
    press_now = officer.get("/unit-groups/local-press/units", as_of=TODAY)["unit_ids"]
    assert {"bao-gia-lai", "dai-ptth-gia-lai"} <= set(press_then)
    assert "gl2-bao-ptth" in press_now and "bao-gia-lai" not in press_now
    assert "pvhtt-pleiku" in officer.get("/unit-groups/pleiku-units/units",
                                         as_of=PLAN_DATE)["unit_ids"]


def test_the_plan_is_drawn_up_issued_and_its_tasks_reach_the_units(campaign: Campaign) -> None:
    officer, editor, run = campaign.officer, campaign.editor, campaign.run
    plan = officer.post("/plans", {
        "number": campaign.number, "issuer_unit_id": "gl-stttt", "year": 2021,
        "title": "Thông tin, tuyên truyền phòng, chống tội phạm, tệ nạn xã hội năm 2021 trên "
                 "địa bàn tỉnh Gia Lai", "issued_on": PLAN_DATE, "place": "Gia Lai",
        "topics": ["drugs", "human_trafficking", "high_tech_crime"],
        "recipients": [{"name": "UBND tỉnh", "purpose": "báo cáo", "unit_id": "gl-ubnd"},
                       {"name": "Các cơ quan báo chí địa phương", "group_id": "local-press"},
                       {"name": "Phòng VH&TT huyện Ia Grai", "unit_id": "pvhtt-ia-grai"}],
        "signer": {"name": "Lê Thị Thu Hương", "title": "PHÓ GIÁM ĐỐC",
                   "capacity": "KT. GIÁM ĐỐC"}, "idempotency_key": f"e2e16-plan-{run}"})
    assert (plan["status"], plan["number"]) == ("draft", campaign.number)
    plan_id = campaign.ids["plan"] = plan["id"]
    for task_id, task in TASKS.items():
        added = officer.post(f"/plans/{plan_id}/tasks", {
            "task_id": task_id, "task": task, "idempotency_key": f"e2e16-{task_id}-{run}"})
        assert added["lead_unit_id"] == task["lead_unit_id"]
    assert officer.post(f"/plans/{plan_id}/issue")["status"] == "issued"
    assert officer.get(f"/plans/{plan_id}")["task_count"] == len(TASKS)

    def directives() -> tuple[dict[str, Any], dict[str, Any]]:
        notices = officer.pages("/notices", plan_id=plan_id)
        task = [n for n in notices if n["kind"] == "task_assigned"
                and n["task_id"] == "press.bgl" and n["recipients"] == ["bao-gia-lai"]]
        issued = [n for n in notices if n["kind"] == "plan_issued"]
        assert task and issued, f"directives of the issued plan: {notices}"
        return task[0], issued[0]

    task_directive, plan_directive = eventually(directives, SLOW, 1)
    campaign.ids["directive"] = task_directive["id"]
    assert {"bao-gia-lai", "dai-ptth-gia-lai", "gl-ubnd", "pvhtt-ia-grai"} <= set(
        plan_directive["recipients"]), "the plan's recipients as of 2021 get its directive"
    assert {t["task_id"] for t in editor.pages(f"/plans/{plan_id}/tasks")} == {"press.bgl"}, \
        "an outlet editor sees its own unit's tasks only"
    for title, published in (("Chư Sê: bắt đối tượng tàng trữ trái phép chất ma túy", "03-10"),
                             ("Ia Grai: cảnh giác thủ đoạn mua bán người", "04-02")):
        pushed = officer.post("/items", {"item": {
            "title": f"{title} ({run})", "body": f"{title}. Báo Gia Lai phản ánh vụ việc.",
            "url": f"https://baogialai.example.org/e2e16/{run}/{published}.html",
            "published_at": f"2021-{published}T08:30:00+07:00", "outlet_unit_id": "bao-gia-lai"}})
        assert pushed["outcome"] == "stored", pushed


def test_a_report_is_returned_then_accepted_then_corrected(campaign: Campaign) -> None:
    officer, editor, run = campaign.officer, campaign.editor, campaign.run
    plan_id = campaign.ids["plan"]
    task = f"/plans/{plan_id}/tasks/press.bgl"
    assert officer.post(f"{task}/start")["status"] == "in_progress"
    report = {"unit_id": "bao-gia-lai", "period_key": "2021-Q1",
              "counts": [{"channel": "press", "metric": "articles", "count": 14,
                          "topic": "drugs"}],
              "narrative": "Trong quý I, Báo Gia Lai đăng 14 tin, bài về phòng, chống ma túy."}
    first = editor.post(f"{task}/reports", {**report, "idempotency_key": f"e2e16-r1-{run}"})
    assert (first["status"], first["version"], first["submitted_by"]) == ("submitted", 1,
                                                                         editor.user_id)
    assert first["id"] in {r["id"] for r in officer.pages(f"/plans/{plan_id}/reports",
                                                          status="submitted")}
    assert editor.status_of("POST", f"/reports/{first['id']}/review",
                            {"decision": "accepted"}) == 403, "an outlet may not review its report"
    officer.post(f"/reports/{first['id']}/review",
                 {"decision": "returned", "reason": RETURN_REASON})
    seen = editor.get(f"/reports/{first['id']}")
    assert (seen["status"], seen["review_reason"], seen["reviewed_by"]) == (
        "returned", RETURN_REASON, officer.user_id)

    second = editor.post(f"{task}/reports", {
        **report, "idempotency_key": f"e2e16-r2-{run}",
        "links": [{"url": "https://baogialai.example.org/bai-viet/ma-tuy", "kind": "article"}]})
    assert (second["status"], second["version"]) == ("submitted", 2)
    officer.post(f"/reports/{second['id']}/review", {"decision": "accepted"})
    quarter_one = partial(kpi_achieved, officer, plan_id, "press.bgl", "2021-Q1")
    assert quarter_one() == 14
    correction = editor.post(f"/reports/{second['id']}/corrections", {
        "reason": CORRECTION_REASON, "idempotency_key": f"e2e16-r3-{run}",
        "counts": [{"channel": "press", "metric": "articles", "count": 41, "topic": "drugs"}],
        "narrative": "Trong quý I, Báo Gia Lai đăng 41 tin, bài về phòng, chống ma túy."})
    assert (correction["status"], correction["corrects_report_id"],
            correction["correction_reason"]) == ("submitted", second["id"], CORRECTION_REASON)
    assert quarter_one() == 14, "a correction counts once accepted, not before"
    officer.post(f"/reports/{correction['id']}/review", {"decision": "accepted"})
    original = officer.get(f"/reports/{second['id']}")
    assert (original["status"], original["superseded_by"]) == ("accepted", correction["id"])
    assert quarter_one() == 41, "progress counts the accepted correction"
    campaign.ids["reports"] = (first["id"], second["id"], correction["id"])


def test_a_jrai_translation_is_returned_then_approved_and_delivered_under_policy_wait(
        campaign: Campaign) -> None:
    officer, translator, local, sink = (campaign.officer, campaign.translator, campaign.local,
                                        campaign.sink)
    mail = {unit: email_of(officer, unit) for unit in (
        "pvhtt-ia-grai", "bao-gia-lai", "dai-ptth-gia-lai", "gl-ubnd")}
    sink.refused.add(mail["dai-ptth-gia-lai"])  # the radio's mailbox is broken for now
    notice = officer.post("/notices", {
        **NOTICE_A, "priority": "high", "recipients": list(mail),
        "plan_id": campaign.ids["plan"], "translation_policy": "wait",
        "idempotency_key": f"e2e16-a-{campaign.run}"})
    notice_id = campaign.ids["notice_a"] = notice["id"]
    assert notice["translation_policy"] == "wait" and notice["translation_deadline"]
    assert set(notice["recipients"]) == set(mail) and not notice["unreachable"]
    eventually(lambda: sink.to(mail["gl-ubnd"], NOTICE_A["subject"])[0], SLOW)
    assert statuses(officer, notice_id, unit_id="pvhtt-ia-grai") == {
        ("vi", "held"), ("jra", "held")}, "policy wait: nothing for Ia Grai before the Jrai text"
    assert {r["hold_reason"] for r in rows(officer, notice_id, unit_id="pvhtt-ia-grai")} == {
        "waiting_for_translations", "awaiting_translation"}
    assert not sink.to(mail["pvhtt-ia-grai"], NOTICE_A["subject"])
    assert notice_id not in {i["notice_id"] for i in local.pages("/inbox")}

    queue = {t["language"]: t for t in translator.pages("/translations", notice_id=notice_id)}
    assert set(queue) == {"jra", "bdq"}, f"the translator's queue: {queue}"
    assert (queue["jra"]["status"], queue["jra"]["source_body"],
            queue["jra"]["translation_policy"]) == ("requested", NOTICE_A["body"], "wait")
    jra = f"/notices/{notice_id}/translations/jra"
    translator.call("PUT", jra, json={**JRAI, "body": "Bản nháp chưa đúng thuật ngữ."})
    assert translator.status_of("POST", f"{jra}/approve") == 403
    officer.post(f"{jra}/reject", {"reason": REJECTION})
    [returned] = translator.get("/translations", notice_id=notice_id, language="jra")["items"]
    assert (returned["status"], returned["rejection_reason"]) == ("rejected", REJECTION)
    translator.call("PUT", jra, json=JRAI)
    officer.post(f"{jra}/approve")

    assert wait_until(lambda: {s for _, s in statuses(officer, notice_id, unit_id="pvhtt-ia-grai")}
                      == {"delivered"}, SLOW, 1), rows(officer, notice_id, unit_id="pvhtt-ia-grai")
    reached = rows(officer, notice_id, unit_id="pvhtt-ia-grai")
    channels = {lang: {r["channel"] for r in reached if r["language"] == lang}
                for lang in ("vi", "jra")}
    assert channels["jra"] and channels["jra"] == channels["vi"], \
        f"the Jrai version goes on every channel the Vietnamese one does: {channels}"
    assert {r["release_reason"] for r in reached} == {"translation_approved"}
    jrai_mail = eventually(lambda: sink.to(mail["pvhtt-ia-grai"], JRAI["subject"])[0], SLOW)
    assert JRAI["body"] in jrai_mail.text
    assert {s for _, s in statuses(officer, notice_id, unit_id="bao-gia-lai")} == {"held"}, \
        "Báo Gia Lai also reads Bahnar: under policy wait it waits for both translations"

    bdq = f"/notices/{notice_id}/translations/bdq"
    translator.call("PUT", bdq, json=BAHNAR)
    officer.post(f"{bdq}/approve")
    assert wait_until(lambda: statuses(officer, notice_id, unit_id="bao-gia-lai") == {
        ("vi", "delivered"), ("jra", "delivered"), ("bdq", "delivered")}, SLOW, 1), \
        f"every version to Báo Gia Lai once both are approved: {rows(officer, notice_id)}"
    radio = eventually(lambda: [r for r in rows(officer, notice_id, unit_id="dai-ptth-gia-lai")
                                if r["channel"] == "email" and r["status"] == "failed"][2], SLOW)
    assert "550" in (radio["last_error"] or "") and radio["attempts"] >= 1, radio

    item = inbox_item(local, notice_id)
    assert (item["language"], item["subject"]) == ("jra", JRAI["subject"]), item
    assert JRAI["body"] in item["text"] and set(item["languages"]) == {"vi", "jra"}
    assert local.post(f"/notices/{notice_id}/read")["read_by"] == local.user_id
    ack = local.post(f"/notices/{notice_id}/ack")
    again = local.post(f"/notices/{notice_id}/ack")
    assert (ack["unit_id"], ack["via"], again["created"]) == ("pvhtt-ia-grai", "api", False)
    for row in rows(officer, notice_id, unit_id="pvhtt-ia-grai"):
        assert (row["read_by"], row["acknowledged_by"], row["acknowledged_via"]) == (
            local.user_id, local.user_id, "api"), row
        assert row["delivered_at"] and row["read_at"] and row["acknowledged_at"], row
    assert "pvhtt-ia-grai" in officer.get(f"/notices/{notice_id}")["acknowledged_units"]


def test_policy_wait_sends_vietnamese_at_the_deadline_and_vi_first_sends_it_at_once(
        campaign: Campaign) -> None:
    officer, translator, local, sink = (campaign.officer, campaign.translator, campaign.local,
                                        campaign.sink)
    ia_grai = email_of(officer, "pvhtt-ia-grai")
    deadline = datetime.now(UTC) + timedelta(seconds=20)
    waiting = officer.post("/notices", {
        "subject": "Nhắc báo cáo kết quả phát thanh cơ sở", "body": "Đề nghị báo cáo trước "
        "ngày 15/12.", "recipients": ["pvhtt-ia-grai"], "translation_policy": "wait",
        "translation_deadline": deadline.isoformat(), "idempotency_key": f"e2e16-b-{campaign.run}"})
    campaign.ids["notice_b"] = waiting["id"]
    assert wait_until(lambda: statuses(officer, waiting["id"]) == {
        ("vi", "delivered"), ("jra", "held")}, SLOW, 1), \
        f"at the deadline the Vietnamese copy goes: {rows(officer, waiting['id'])}"
    [vietnamese] = [r for r in rows(officer, waiting["id"]) if r["language"] == "vi"]
    assert vietnamese["release_reason"] == "translation_deadline", vietnamese
    [sent] = sink.to(ia_grai, waiting["subject"])
    assert sent.at >= deadline - timedelta(seconds=1), f"sent {sent.at}, before {deadline}"

    at_once = officer.post("/notices", {
        "subject": "Tuyên truyền phòng, chống mua bán người", "body": "Đề nghị phát thanh "
        "cơ sở tuyên truyền phòng, chống mua bán người.", "recipients": ["pvhtt-ia-grai"],
        "translation_policy": "vi_first", "idempotency_key": f"e2e16-c-{campaign.run}"})
    notice_id = campaign.ids["notice_c"] = at_once["id"]
    assert wait_until(lambda: statuses(officer, notice_id) == {
        ("vi", "delivered"), ("jra", "held")}, SLOW, 1), rows(officer, notice_id)
    assert sink.to(ia_grai, at_once["subject"]), "vi_first: the Vietnamese copy goes at once"
    assert inbox_item(local, notice_id)["language"] == "vi", "Vietnamese until translated"
    translator.call("PUT", f"/notices/{notice_id}/translations/jra",
                    json={"subject": "Tơlơi pơtô kơ mua bán mơnuih", "body": "Pơtô Jrai."})
    officer.post(f"/notices/{notice_id}/translations/jra/approve")
    assert wait_until(lambda: statuses(officer, notice_id) == {
        ("vi", "delivered"), ("jra", "delivered")}, SLOW, 1), rows(officer, notice_id)
    item = inbox_item(local, notice_id)
    assert (item["language"], item["text"].strip()) == ("jra", "Pơtô Jrai."), item


def test_the_status_per_recipient_pages_filters_scopes_and_resends(campaign: Campaign) -> None:
    officer, editor, sink = campaign.officer, campaign.editor, campaign.sink
    notice_id = campaign.ids["notice_a"]
    every = rows(officer, notice_id)
    paged = officer.pages(f"/notices/{notice_id}/deliveries", limit=2)
    assert len(every) > 2 and sorted(r["id"] for r in paged) == sorted(r["id"] for r in every)
    contacts = {c["address"] for unit in {r["unit_id"] for r in every}
                for c in officer.get(f"/units/{unit}")["contacts"]}
    for row in every:
        assert "*" in row["address"] and row["address"] not in contacts, f"unmasked: {row}"
        assert set(row) >= ROW_FIELDS, f"a row lacks {ROW_FIELDS - set(row)}"
    for name, value in (("language", "jra"), ("unit_id", "bao-gia-lai"), ("channel", "email"),
                        ("status", "failed")):
        found = rows(officer, notice_id, **{name: value})
        assert found and all(r[name] == value for r in found), f"filter {name}={value}: {found}"

    assert wait_until(lambda: summary_counts_rows(officer, notice_id), SLOW, 1), (
        officer.get(f"/notices/{notice_id}")["deliveries"], rows(officer, notice_id))
    own = rows(editor, notice_id)
    assert own and {r["unit_id"] for r in own} == {"bao-gia-lai"}, "an outlet sees its own rows"
    assert summary_counts_rows(editor, notice_id), "an outlet's summary counts its own rows"
    assert editor.status_of("POST", f"/notices/{notice_id}/deliveries/{own[0]['id']}/resend") \
        == 403

    radio = email_of(officer, "dai-ptth-gia-lai")
    [failed] = rows(officer, notice_id, unit_id="dai-ptth-gia-lai", channel="email",
                    language="vi")
    assert failed["status"] == "failed" and any(
        r["fallback_of"] == failed["id"] for r in every), f"no fallback after {failed}"
    sink.refused.discard(radio)  # the radio says it got nothing: its mailbox works again
    resent = officer.post(f"/notices/{notice_id}/deliveries/{failed['id']}/resend")
    assert (resent["resends"], resent["resent_by"]) == (1, officer.user_id), resent
    assert wait_until(lambda: rows(officer, notice_id, unit_id="dai-ptth-gia-lai", channel="email",
                                   language="vi")[0]["status"] == "delivered", SLOW, 1), "resent?"
    assert sink.to(radio, NOTICE_A["subject"]), "the resent copy reached the radio's mailbox"
    [held] = rows(officer, campaign.ids["notice_b"], status="held")
    assert officer.status_of("POST", f"/notices/{held['notice_id']}/deliveries/{held['id']}"
                             "/resend") == 409, "a delivery held for its translation waits"


def test_the_outlet_acknowledges_its_directive_and_the_plan_records_it(
        campaign: Campaign) -> None:
    officer, editor = campaign.officer, campaign.editor
    plan_id, directive = campaign.ids["plan"], campaign.ids["directive"]
    assert directive in {i["notice_id"] for i in editor.pages(
        "/inbox", unacknowledged_only=True)}, "the task directive waits in the outlet's inbox"
    assert editor.post(f"/notices/{directive}/ack")["unit_id"] == "bao-gia-lai"
    assert directive not in {i["notice_id"] for i in editor.pages(
        "/inbox", unacknowledged_only=True)}
    receipt = eventually(lambda: next(r for r in officer.get(
        f"/plans/{plan_id}/receipts", task_id="press.bgl") if r["unit_id"] == "bao-gia-lai"), SLOW)
    assert (receipt["notice_id"], receipt["via"]) == (directive, "api"), receipt
    assert editor.status_of("POST", f"/notices/{campaign.ids['notice_c']}/ack") == 404, \
        "an outlet acknowledges only what was sent to it"


def test_the_audit_journal_pages_filters_and_exports(campaign: Campaign) -> None:
    officer, editor = campaign.officer, campaign.editor
    plan_id = campaign.ids["plan"]
    first, _, correction = campaign.ids["reports"]
    journal = officer.pages(f"/plans/{plan_id}/audit", limit=3)
    ids = [e["id"] for e in journal]
    assert ids == sorted(set(ids)), "pages follow each other, oldest first, without repeats"
    actions = [e["action"] for e in journal]
    assert actions[0] == "plan.created" and {
        "plan.issued", "task.created", "report.submitted", "report.returned", "report.accepted",
        "report.correction_submitted", "report.superseded"} <= set(actions), actions
    returned = next(e for e in journal if e["action"] == "report.returned")
    assert (returned["actor"], returned["entity_id"], returned["note"]) == (
        officer.user_id, first, RETURN_REASON), returned
    assert {"field": "status", "before": "submitted", "after": "returned"} in returned["changes"]
    by_editor = officer.pages(f"/plans/{plan_id}/audit", actor=editor.user_id)
    assert by_editor and {e["actor"] for e in by_editor} == {editor.user_id}
    assert {e["entity_kind"] for e in officer.pages(
        f"/plans/{plan_id}/audit", entity_kind="report")} == {"report"}
    task_journal = officer.pages(f"/plans/{plan_id}/tasks/press.bgl/audit")
    assert {e["task_id"] for e in task_journal} == {"press.bgl"}
    assert correction in {e["entity_id"] for e in task_journal}

    exported = officer.call("GET", f"/plans/{plan_id}/audit.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(table) - 1 >= len(journal), "one row per entry at least"
    superseded = [row for row in table if "report.superseded" in row]
    assert superseded and correction in superseded[0], f"{table[0]}: {superseded}"
    assert campaign.admin.get(f"/plans/{plan_id}/audit", limit=1)["items"]
    for user in (editor, campaign.local, campaign.translator):
        assert user.status_of("GET", f"/plans/{plan_id}/audit") == 403, user.who
        assert user.status_of("GET", f"/plans/{plan_id}/audit.csv") == 403, user.who


def test_the_plan_rolls_over_to_2026_under_the_successor_units(campaign: Campaign) -> None:
    officer = campaign.officer
    rolled = officer.post(f"/plans/{campaign.ids['plan']}/roll-over", {"target_year": 2026})
    draft = rolled["plan"]
    issuer = standing_for(officer, "gl-stttt", ROLL_OVER_DATE)
    assert (draft["status"], draft["year"], draft["issued_on"], draft["issuer_unit_id"]) == (
        "draft", 2026, ROLL_OVER_DATE.isoformat(), issuer["id"]), draft
    assert draft["number"] == campaign.number.replace("STTTT", issuer["short_name"])
    tasks = {t["task_id"]: t for t in officer.pages(f"/plans/{draft['id']}/tasks")}
    for task_id, unit in (("press.bgl", "bao-gia-lai"), ("local.ia-grai", "pvhtt-ia-grai")):
        successor = standing_for(officer, unit, ROLL_OVER_DATE)["id"]
        assert tasks[task_id]["lead_unit_id"] == successor, tasks[task_id]
    assert (tasks["press.bgl"]["recurrence"]["ends_on"], tasks["local.ia-grai"]["due_date"]) == (
        "2026-12-31", "2026-09-30"), "dates move by whole years"
    assert "gl-vp-ubnd" not in tasks["press.bgl"]["coordinating_unit_ids"]
    assert not {"local.pleiku", "local.ayun-pa"} & set(tasks)

    unmapped = {(u["task_id"], u["unit_id"]): u for u in rolled["unmapped"]}
    pleiku = unmapped[("local.pleiku", "pvhtt-pleiku")]
    assert (pleiku["outcome"], pleiku["action"]) == ("ambiguous_successors", "task_left_out")
    assert set(pleiku["candidates"]) == set(officer.get("/units/pvhtt-pleiku")["successor_ids"])
    ayun_pa = unmapped[("local.ayun-pa", "pvhtt-ayun-pa")]
    assert (ayun_pa["outcome"], ayun_pa["action"]) == ("no_successor", "task_left_out")
    assert unmapped[("press.bgl", "gl-vp-ubnd")]["action"] == "unit_dropped"
    assert all(u["reason"] for u in rolled["unmapped"]), "each gap says why"
    again = officer.post(f"/plans/{campaign.ids['plan']}/roll-over", {"target_year": 2026})
    assert (again["plan"]["id"], again["created"]) == (draft["id"], False)


def test_the_report_to_the_provincial_committee_in_docx_and_pdf(campaign: Campaign) -> None:
    officer, plan_id = campaign.officer, campaign.ids["plan"]
    report = f"/plans/{plan_id}/report"
    assert wait_until(lambda: {"drugs", "human_trafficking"} <= {r["topic"] for r in officer.get(
        "/coverage", period="month", outlet_unit_id="bao-gia-lai", date_from=PLAN_DATE,
        date_to=REPORT_DATE)["rows"]}, SLOW, 1), "monitoring counts the outlet's articles"
    pdf = officer.call("GET", report, params={"format": "pdf", "as_of": REPORT_DATE})
    assert "attachment" in pdf.headers["content-disposition"], pdf.headers
    text, images = pdf_text_and_images(pdf.content)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "Số:", "/BC-STTTT",
                     "Gia Lai, ngày 01 tháng 7 năm 2021", "BÁO CÁO",
                     f"Kế hoạch số {campaign.number}", "Nơi nhận:", "- UBND tỉnh;",
                     "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lê Thị Thu Hương",
                     TASKS["press.ptth"]["title"]):
        assert expected in text, f"the PDF report lacks {expected!r}: {text[:4000]}"
    assert images >= 1, "the PDF report has no chart"

    def with_topics() -> tuple[list[list[list[str]]], int, str]:
        docx = officer.call("GET", report, params={"format": "docx", "as_of": REPORT_DATE})
        assert docx.headers["content-type"].endswith("wordprocessingml.document")
        tables, pictures, paragraphs = docx_tables_and_images(docx.content)
        table_with(tables, "Chủ đề")  # monitoring's figures, not "missing"
        return tables, pictures, paragraphs

    tables, pictures, paragraphs = eventually(with_topics, SLOW, 2)
    layout = " ".join(" ".join(row) for table in (tables[0], tables[-1]) for row in table)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Gia Lai, ngày 01 tháng 7 năm 2021", "Nơi nhận:", "Lê Thị Thu Hương"):
        assert expected in layout, f"the DOCX report lacks {expected!r}: {layout}"
    assert "BÁO CÁO" in paragraphs and pictures >= 1, "the DOCX report has a title and a chart"
    groups = table_with(tables, "Nhóm nhiệm vụ")
    total, overdue, on_track = (column(groups, h) for h in ("Tổng", "Quá hạn", "Đang"))
    by_group = {row[1]: row for row in groups[1:]}
    press, local = by_group[TASKS["press"]["title"]], by_group[TASKS["local"]["title"]]
    assert (press[total], local[total], local[on_track]) == ("2", "3", "3"), groups
    assert int(press[overdue]) >= 1, f"30/06/2021 is past on 01/07/2021: {groups}"
    units = table_with(tables, "Đơn vị chủ trì")
    by_unit = {row[1]: row[column(units, "Tổng")] for row in units[1:]}
    for unit in ("bao-gia-lai", "dai-ptth-gia-lai", "pvhtt-ia-grai", "pvhtt-pleiku"):
        name = officer.get(f"/units/{unit}", as_of=REPORT_DATE)["name"]
        assert by_unit.get(name) == "1", f"{name} in {by_unit}"
    topics = table_with(tables, "Chủ đề")
    by_topic = {row[1]: int(row[column(topics, "Số tin")]) for row in topics[1:]}
    assert by_topic.get("Ma túy", 0) >= 1 and by_topic.get("Mua bán người", 0) >= 1, topics
    assert officer.status_of("GET", report, format="exe") == 422
    assert campaign.editor.status_of("GET", report) == 403, "the report covers every unit"


def test_a_notice_to_groups_resolves_them_today_or_as_of_its_plans_period(
        campaign: Campaign) -> None:
    officer = campaign.officer
    today = officer.post("/notices", {
        "subject": "Giao ban báo chí tháng 12", "body": "Mời dự giao ban báo chí.",
        "recipients": ["group:local-press"], "idempotency_key": f"e2e16-d-{campaign.run}"})
    expected = officer.get("/unit-groups/local-press/units", as_of=TODAY)["unit_ids"]
    assert sorted(today["recipients"]) == sorted(expected), today
    of_2021 = officer.post("/notices", {
        **NOTICE_A, "subject": "Bổ sung số liệu năm 2021", "plan_id": campaign.ids["plan"],
        "recipients": ["group:local-press", "group:pleiku-units"],
        "idempotency_key": f"e2e16-e-{campaign.run}"})
    in_2021 = {unit for group in ("local-press", "pleiku-units") for unit in officer.get(
        f"/unit-groups/{group}/units", as_of=PLAN_DATE)["unit_ids"]}
    assert set(of_2021["recipients"]) == in_2021 and not of_2021["unreachable"], (
        f"a notice of the 2021 plan goes to the groups as in 2021 ({sorted(in_2021)}): {of_2021}")


def test_a_notice_is_signed_with_its_issuers_name_valid_on_its_date(
        campaign: Campaign) -> None:
    officer, plan = campaign.officer, campaign.officer.get(f"/plans/{campaign.ids['plan']}")
    notice = officer.get(f"/notices/{campaign.ids['notice_a']}")
    assert notice["as_of"][:4] == "2021", f"a notice of the 2021 plan is dated in 2021: {notice}"
    issuer = standing_for(officer, plan["issuer_unit_id"], date.fromisoformat(notice["as_of"]))
    [mail] = campaign.sink.to(email_of(officer, "gl-ubnd"), NOTICE_A["subject"])
    signature = mail.text.strip().splitlines()[-1]
    assert signature == notice["sender_name"] == issuer["name"], (
        f"the notice of {notice['as_of']} is signed {signature!r} (sender_name "
        f"{notice['sender_name']!r}); its issuer {issuer['id']} was named {issuer['name']!r}")
