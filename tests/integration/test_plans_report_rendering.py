"""The upward report rendered from the seed plan 25/KH-STTTT: DOCX read back with python-docx,
PDF read back with pypdf; the Decree 30 parts, the figures, the tables and the chart are there.
The PDF's pages are rendered to PNG in var/test-output/report/ for a person to look at."""

from __future__ import annotations

import io
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "plans"))
from plans_testkit import seed_plan, seed_units

from services.plans.domain import Recurrence
from services.plans.domain.upward_report import (
    ReportInputs,
    TopicCoverage,
    build_upward_report,
)
from services.plans.report_rendering import render

OUTPUT = Path(__file__).resolve().parents[2] / "var" / "test-output" / "report"
AS_OF = datetime(2021, 7, 1, 2, 0, tzinfo=UTC)  # 09:00 in Gia Lai


def inputs(coverage: list[TopicCoverage] | None) -> ReportInputs:
    imported = seed_plan()
    units, _ = seed_units()
    by_id = {u.id: u for u in units}
    tasks = list(imported.tasks)
    for task in tasks:  # some done on time, one late, the rest as the calendar has them
        if task.id in ("stttt-guidance", "stttt-guidance-staff"):
            task.complete("officer", datetime(2021, 3, 10, 2, tzinfo=UTC))
        elif task.id == "ttvh-materials.ttvh-pleiku":
            task.complete("officer", datetime(2021, 7, 1, 1, tzinfo=UTC))
        elif isinstance(task.recurrence, Recurrence) and task.id == "press-bgl-coverage":
            task.record_period_completion("2021-Q1", datetime(2021, 4, 2, 2, tzinfo=UTC))
    return ReportInputs(
        plan=imported.plan, tasks=tasks, reports=[], as_of=AS_OF,
        unit_names={u.id: u.name for u in units}, issuer=by_id["gl-stttt"],
        superior=by_id["gl-ubnd"], coverage=coverage, coverage_from=date(2021, 2, 25),
        coverage_to=date(2021, 7, 1))


COVERAGE = [TopicCoverage("drugs", 41, "bao-gia-lai"), TopicCoverage("drugs", 12, "vtv-tt-gl"),
            TopicCoverage("human_trafficking", 9, "bao-gia-lai"),
            TopicCoverage("high_tech_crime", 17, "dai-ptth-gia-lai"),
            TopicCoverage("gambling", 3, "bao-gia-lai")]


@pytest.fixture(scope="module")
def report():
    return build_upward_report(inputs(COVERAGE))


def docx_text(data: bytes) -> tuple[str, list[list[list[str]]], int]:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows]
              for table in document.tables]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts += [p.text for p in cell.paragraphs]
    images = len(document.inline_shapes)
    return "\n".join(parts), tables, images


def test_the_docx_has_the_decree_30_parts_the_figures_tables_and_chart(report):
    data = render(report, "docx")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "bao-cao.docx").write_bytes(data)
    text, tables, images = docx_text(data)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "UBND TỈNH GIA LAI", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "/BC-STTTT",
                     "Gia Lai, ngày 01 tháng 7 năm 2021", "BÁO CÁO",
                     "Kết quả thực hiện Kế hoạch số 25/KH-STTTT ngày 25/02/2021",
                     "Nơi nhận:", "- UBND tỉnh;", "- Lưu: VT, P.TTBCXB.", "KT. GIÁM ĐỐC",
                     "PHÓ GIÁM ĐỐC", "Lê Thị Thu Hương", "I. KẾT QUẢ THỰC HIỆN",
                     "II. TỒN TẠI, HẠN CHẾ", "III. ĐỀ XUẤT, KIẾN NGHỊ"):
        assert expected in text, expected
    assert "- Thường trực BCĐ – Công an tỉnh;" in text
    assert "Cơ quan báo chí địa phương" not in text  # the units carrying it out get no copy
    header, groups, units, topics = tables[0], tables[1], tables[2], tables[3]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[0][1]
    assert groups[0][:3] == ["STT", "Nhóm nhiệm vụ", "Tổng số"]
    assert groups[-1][1] == "Tổng cộng" and groups[-1][2] == "115"
    assert any(row[1] == "Báo Gia Lai" for row in units)
    drugs = next(row for row in topics if row[1] == "Ma túy")
    assert drugs[2] == "53"
    assert topics[-1][1:3] == ["Tổng cộng", "82"]
    assert images == 1  # the chart
    assert "53 tin, bài" in text or "nhiều nhất về ma túy (53 tin, bài)" in text


def test_the_pdf_has_the_same_text_embedded_fonts_the_chart_and_renders_to_png(report):
    data = render(report, "pdf")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "bao-cao.pdf").write_bytes(data)
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "UBND TỈNH GIA LAI", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "/BC-STTTT",
                     "Gia Lai, ngày 01 tháng 7 năm 2021", "BÁO CÁO", "Nơi nhận:",
                     "- UBND tỉnh;", "Lê Thị Thu Hương", "Tổng cộng", "Ma túy",
                     "Kết quả thực hiện theo đơn vị chủ trì"):
        assert expected in flat, expected
    fonts = {str(font) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()
             for font in [font.get_object()["/BaseFont"]]}
    assert any("DejaVuSerif" in f for f in fonts), fonts
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1 and images[0].image.width > 1000
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    for n in range(len(pdf)):
        pdf[n].render(scale=1.5).to_pil().save(OUTPUT / f"bao-cao-page-{n + 1}.png")
    assert (OUTPUT / "bao-cao-page-1.png").stat().st_size > 10_000


def test_without_monitoring_figures_the_report_says_so():
    report = build_upward_report(inputs(None))
    text, tables, images = docx_text(render(report, "docx"))
    assert "Số liệu của hệ thống giám sát thông tin chưa có" in text
    assert len(tables) == 4 and images == 1  # header, groups, units, closing; chart kept
