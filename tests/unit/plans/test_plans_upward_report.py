"""The upward report's content as data (Decree 30/2020 parts and the figures), pure."""

from datetime import UTC, date, datetime

from plans_testkit import seed_plan, seed_units

from services.plans.domain import StatusBucket
from services.plans.domain.upward_report import (
    Body,
    ReportInputs,
    TableBlock,
    TopicCoverage,
    build_upward_report,
    document_date,
    issuing_body_name,
    superior_line,
    topic_figures,
)

UNITS = {u.id: u for u in seed_units()[0]}


def test_dates_are_written_as_decree_30_asks():
    assert document_date(date(2021, 2, 5)) == "ngày 05 tháng 02 năm 2021"
    assert document_date(date(2021, 3, 10)) == "ngày 10 tháng 3 năm 2021"
    assert document_date(date(2026, 12, 7)) == "ngày 07 tháng 12 năm 2026"


def test_the_issuing_bodies_are_named_in_capitals_without_repeating_the_province():
    superior = superior_line(UNITS["gl-ubnd"], "Gia Lai")
    assert superior == "UBND TỈNH GIA LAI"
    assert issuing_body_name(UNITS["gl-stttt"], superior) == "Sở Thông tin và Truyền thông"
    merged = superior_line(UNITS["gl2-ubnd"], "Gia Lai")  # "(sau hợp nhất ...)" dropped
    assert merged == "UBND TỈNH GIA LAI"
    assert issuing_body_name(UNITS["gl2-svhttdl"], merged) == "Sở Văn hóa, Thể thao và Du lịch"


def report(coverage=None, **kw):
    imported = seed_plan()
    return build_upward_report(ReportInputs(
        plan=imported.plan, tasks=imported.tasks, reports=[],
        as_of=datetime(2021, 7, 1, 2, tzinfo=UTC),
        unit_names={u: x.name for u, x in UNITS.items()}, issuer=UNITS["gl-stttt"],
        superior=UNITS["gl-ubnd"], coverage=coverage, **kw))


def test_the_report_names_its_parts_recipients_and_signer():
    built = report([])
    assert built.number_line.startswith("Số:") and built.number_line.endswith("/BC-STTTT")
    assert built.place_date == "Gia Lai, ngày 01 tháng 7 năm 2021"
    assert built.subject.startswith("Kết quả thực hiện Kế hoạch số 25/KH-STTTT ngày 25/02/2021")
    assert built.recipients == ("- UBND tỉnh;", "- Thường trực BCĐ – Công an tỉnh;",
                                "- Ban Tuyên giáo Tỉnh ủy;", "- Lưu: VT, P.TTBCXB.")
    assert built.signature is not None and built.signature.capacity == "KT. GIÁM ĐỐC"
    assert built.filename_stem == "bao-cao-25-KH-STTTT-2021-07-01"


def test_the_figures_add_up_per_group_and_per_unit():
    built = report([TopicCoverage("drugs", 5, "bao-gia-lai")])
    tables = [b for b in built.blocks if isinstance(b, TableBlock)]
    groups, units, topics = tables
    assert groups.rows[-1][1] == "Tổng cộng"
    assert int(groups.rows[-1][2]) == sum(int(r[2]) for r in groups.rows[:-1]) == 115
    assert sum(int(r[2]) for r in units.rows) == 115
    assert sum(built.chart.bucket_values) == 115
    overdue = built.chart.bucket_values[list(StatusBucket).index(StatusBucket.OVERDUE)]
    texts = [b.text for b in built.blocks if isinstance(b, Body)]
    assert any(f"{overdue} nhiệm vụ quá hạn chưa hoàn thành" in t for t in texts)
    assert topics.rows[-1][1:3] == ("Tổng cộng", "5")


def test_topics_follow_the_plan_and_count_task_evidence_once():
    imported = seed_plan()
    figures = topic_figures(imported.plan, imported.tasks, [
        TopicCoverage("drugs", 3, "a"), TopicCoverage("drugs", 4, "b"),
        TopicCoverage("gambling", 2, "a")])
    assert figures[:1] == [("Băng nhóm, vũ khí nóng", 0, 0)]
    assert ("Ma túy", 7, 0) in figures and figures[-1] == ("Chủ đề khác", 2, 0)


def test_without_monitoring_figures_the_report_says_they_are_missing():
    texts = [b.text for b in report(None).blocks if isinstance(b, Body)]
    assert any("chưa có tại thời điểm lập báo cáo" in t for t in texts)
