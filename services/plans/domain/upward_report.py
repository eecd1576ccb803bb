"""The report the Department sends up to the Provincial People's Committee (UBND tỉnh) on a
plan: its content and layout as data, in the administrative document form of Decree
30/2020/NĐ-CP (national name and motto, issuing body, number, place and date, title, body,
recipients, signature). Renderers (services/plans/report_rendering) turn it into DOCX or PDF;
nothing here does I/O.

The figures: tasks by status bucket (Decision 42/2014/QĐ-TTg) overall, per task group (a root
task with its subtasks) and per lead unit; overdue tasks by name; and articles per topic as
counted by monitoring, passed in by the caller (monitoring owns that statistic).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .exports import VI_LABELS
from .periods import local_date
from .plans import Plan
from .progress import TaskProgress, plan_progress, unit_progress
from .reports import ProgressReport
from .status import BUCKETS, bucket_of, task_deadline
from .tasks import Task
from .units import OrgUnit
from .vocabulary import ReportStatus, StatusBucket

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DOC_TYPE = "BÁO CÁO"
OVERDUE_LISTED = 10
NUMBER_BLANK = "\u00a0" * 10

TOPIC_LABELS: dict[str, str] = {
    "drugs": "Ma túy", "human_trafficking": "Mua bán người", "loan_sharking": "Tín dụng đen",
    "high_tech_crime": "Tội phạm công nghệ cao", "child_abuse": "Xâm hại trẻ em",
    "weapons_gangs": "Băng nhóm, vũ khí nóng", "murder": "Giết người",
    "robbery": "Cướp tài sản", "resisting_officers": "Chống người thi hành công vụ",
    "youth_crime": "Tội phạm trong thanh thiếu niên",
    "cross_border_crime": "Tội phạm xuyên biên giới", "gambling": "Cờ bạc",
}
TASK_TABLE_WIDTHS = (1.0, 3.7, 1.1, 1.1, 1.1, 1.3, 1.1, 1.0)
BUCKET_SHORT: dict[StatusBucket, str] = {
    StatusBucket.COMPLETED_ON_TIME: "HT đúng hạn", StatusBucket.COMPLETED_LATE: "HT quá hạn",
    StatusBucket.NOT_COMPLETED_WITHIN_DEADLINE: "Đang thực hiện, trong hạn",
    StatusBucket.OVERDUE: "Quá hạn, chưa HT",
}


@dataclass(frozen=True, slots=True)
class TopicCoverage:
    """Items on a topic by an outlet in the report's window (monitoring's count)."""

    topic: str
    items: int
    outlet_unit_id: str | None = None


@dataclass(frozen=True, slots=True)
class Heading:
    text: str


@dataclass(frozen=True, slots=True)
class Body:
    text: str


@dataclass(frozen=True, slots=True)
class TableBlock:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths
    total_row: bool = False  # the last row sums the others (set in bold)


@dataclass(frozen=True, slots=True)
class ChartBlock:
    caption: str


Block = Heading | Body | TableBlock | ChartBlock


@dataclass(frozen=True, slots=True)
class ChartData:
    bucket_labels: tuple[str, ...]
    bucket_values: tuple[int, ...]
    topic_labels: tuple[str, ...]
    topic_values: tuple[int, ...]  # empty when monitoring's figures were unavailable


@dataclass(frozen=True, slots=True)
class Signature:
    capacity: str | None  # "KT. GIÁM ĐỐC"
    title: str  # "PHÓ GIÁM ĐỐC"
    name: str


@dataclass(frozen=True, slots=True)
class UpwardReport:
    superior_body: str  # "UBND TỈNH GIA LAI"
    issuing_body: str  # "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    number_line: str  # "Số:        /BC-STTTT" (the clerk writes the number when issuing)
    place_date: str  # "Gia Lai, ngày 07 tháng 12 năm 2026"
    subject: str
    blocks: tuple[Block, ...]
    recipients: tuple[str, ...]  # "- UBND tỉnh;" ... "- Lưu: VT."
    signature: Signature | None
    chart: ChartData
    filename_stem: str
    national_name: str = NATIONAL_NAME
    motto: str = MOTTO
    doc_type: str = DOC_TYPE


@dataclass(frozen=True, slots=True)
class ReportInputs:
    plan: Plan
    tasks: Sequence[Task]
    reports: Sequence[ProgressReport]
    as_of: datetime
    unit_names: Mapping[str, str]
    issuer: OrgUnit | None = None
    superior: OrgUnit | None = None  # the issuer's parent (the Provincial People's Committee)
    coverage: Sequence[TopicCoverage] | None = None  # None: monitoring's figures unavailable
    coverage_from: date | None = None
    coverage_to: date | None = None


# -- the parts of a Decree 30 document -------------------------------------------------------


def document_date(day: date) -> str:
    """``ngày 05 tháng 02 năm 2021``: days below 10 and months 1 and 2 take a leading zero
    (Decree 30/2020, Appendix I), other months do not (``ngày 10 tháng 3 năm 2021``)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _plain_name(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()


def superior_line(superior: OrgUnit | None, place: str) -> str:
    """The superior body, upper case, "Ủy ban nhân dân" abbreviated as documents write it."""
    name = _plain_name(superior.name) if superior else f"Ủy ban nhân dân tỉnh {place}"
    name = re.sub(r"^Ủy ban nhân dân", "UBND", name, flags=re.IGNORECASE)
    return name.upper()


def issuing_body_name(issuer: OrgUnit | None, superior_text: str) -> str:
    """The issuer's name without the province the superior line already names
    ("Sở Thông tin và Truyền thông tỉnh Gia Lai" under "UBND TỈNH GIA LAI")."""
    if issuer is None:
        return ""
    name = _plain_name(issuer.name)
    province = re.search(r"(tỉnh|thành phố)\s+.+$", superior_text, flags=re.IGNORECASE)
    if province:
        name = re.sub(rf"\s+{re.escape(province.group(0))}$", "", name, flags=re.IGNORECASE)
    return name


def _lowercase_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _recipients(plan: Plan) -> tuple[str, ...]:
    """The report's copies: the plan's first recipient (UBND tỉnh, for whom it is meant),
    the other recipients that are units (upward and sideways, not the units that carry the plan
    out), and the archive line."""
    lines: list[str] = []
    archive = "Lưu: VT"
    for recipient in plan.recipients:
        if (recipient.purpose or "").casefold() == "lưu" or recipient.name.startswith("Lưu"):
            archive = "Lưu: " + re.sub(r"^Lưu:?\s*", "", recipient.name).strip()
        elif recipient.unit_id is not None or not lines:
            lines.append(recipient.name)
    if not lines:
        lines.append("UBND tỉnh")
    return (*(f"- {name};" for name in lines), f"- {archive.rstrip('.')}.")


# -- the figures ------------------------------------------------------------------------------


def _leaves(node: TaskProgress) -> Iterable[TaskProgress]:
    if not node.children:
        yield node
    for child in node.children:
        yield from _leaves(child)


def _bucket_cells(counts: Mapping[StatusBucket, int]) -> tuple[str, ...]:
    return tuple(str(counts.get(b, 0)) for b in BUCKETS)


def _percent(counts: Mapping[StatusBucket, int]) -> str:
    total = sum(counts.values())
    done = counts.get(StatusBucket.COMPLETED_ON_TIME, 0) + counts.get(
        StatusBucket.COMPLETED_LATE, 0)
    return f"{100 * done / total:.1f}".replace(".", ",") if total else "0"


def _counts(buckets: Iterable[StatusBucket | None]) -> Counter[StatusBucket]:
    return Counter(b for b in buckets if b is not None)


def group_table(tasks: Sequence[Task], as_of: datetime) -> TableBlock:
    """Per task group (a root task and its subtasks): leaf tasks by bucket."""
    titles = {t.id: t.title for t in tasks}
    rows: list[tuple[str, ...]] = []
    total: Counter[StatusBucket] = Counter()
    for n, root in enumerate(plan_progress(tasks, as_of).tasks, 1):
        counts = _counts(leaf.bucket for leaf in _leaves(root))
        if not counts:
            continue  # cancelled
        total.update(counts)
        rows.append((str(n), titles[root.task_id], str(sum(counts.values())),
                     *_bucket_cells(counts), _percent(counts)))
    rows.append(("", "Tổng cộng", str(sum(total.values())), *_bucket_cells(total),
                 _percent(total)))
    return TableBlock(
        "Bảng 1. Kết quả thực hiện theo nhóm nhiệm vụ",
        ("STT", "Nhóm nhiệm vụ", "Tổng số", *(BUCKET_SHORT[b] for b in BUCKETS),
         "Tỷ lệ HT (%)"), tuple(rows), TASK_TABLE_WIDTHS, True)


def unit_table(tasks: Sequence[Task], as_of: datetime, reports: Sequence[ProgressReport],
               names: Mapping[str, str]) -> TableBlock:
    """Per lead unit: its leaf tasks by bucket."""
    rows: list[tuple[str, ...]] = []
    progress = unit_progress(tasks, as_of, reports)
    ordered = sorted(progress.values(), key=lambda u: names.get(u.unit_id, u.unit_id))
    for n, unit in enumerate((u for u in ordered if u.summary.total), 1):
        counts = unit.summary.counts
        rows.append((str(n), names.get(unit.unit_id, unit.unit_id), str(unit.summary.total),
                     *_bucket_cells(counts), _percent(counts)))
    return TableBlock(
        "Bảng 2. Kết quả thực hiện theo đơn vị chủ trì",
        ("STT", "Đơn vị chủ trì", "Tổng số", *(BUCKET_SHORT[b] for b in BUCKETS),
         "Tỷ lệ HT (%)"), tuple(rows), TASK_TABLE_WIDTHS)


def topic_figures(plan: Plan, tasks: Sequence[Task],
                  coverage: Sequence[TopicCoverage]) -> list[tuple[str, int, int]]:
    """(topic label, items counted by monitoring, of which evidence on the plan's tasks) for
    the plan's topics in order, then "Chủ đề khác" for any other topic with items."""
    counted: Counter[str] = Counter()
    for row in coverage:
        counted[row.topic] += row.items
    matched: Counter[str] = Counter()
    seen: set[str] = set()
    for task in tasks:
        for item_id, record in task.evidence.items():
            if item_id not in seen and record.topic is not None:
                seen.add(item_id)
                matched[record.topic.value] += 1
    topics = [t.value for t in plan.topics]
    rows = [(TOPIC_LABELS.get(t, t), counted[t], matched[t]) for t in topics]
    others = sum(n for t, n in counted.items() if t not in topics)
    if others:
        rows.append(("Chủ đề khác", others, sum(n for t, n in matched.items()
                                                 if t not in topics)))
    return rows


def _topic_table(figures: list[tuple[str, int, int]]) -> TableBlock:
    rows = [(str(n), label, str(items), str(evidence))
            for n, (label, items, evidence) in enumerate(figures, 1)]
    rows.append(("", "Tổng cộng", str(sum(f[1] for f in figures)),
                 str(sum(f[2] for f in figures))))
    return TableBlock("Bảng 3. Tin, bài trên báo chí theo chủ đề (số liệu giám sát)",
                      ("STT", "Chủ đề", "Số tin, bài", "Trong đó gắn với nhiệm vụ"),
                      tuple(rows), (0.8, 5.0, 1.8, 2.6), True)


# -- the document -----------------------------------------------------------------------------


def build_upward_report(inputs: ReportInputs) -> UpwardReport:
    plan, tasks, as_of = inputs.plan, inputs.tasks, inputs.as_of
    today = local_date(as_of)
    superior = superior_line(inputs.superior, plan.place or "Gia Lai")
    issuer_name = issuing_body_name(inputs.issuer, superior) or "Cơ quan ban hành"
    plan_ref = f"Kế hoạch số {plan.number} ngày {short_date(plan.issued_on)}"
    summary = plan_progress(tasks, as_of).summary
    counts = summary.counts
    leaves = {t.id for t in tasks} - {t.parent_task_id for t in tasks if t.parent_task_id}
    leads = {t.lead_unit_id for t in tasks if t.id in leaves}
    blocks: list[Block] = [
        Body(f"Thực hiện {plan_ref} của {issuer_name} về {_lowercase_first(plan.title)}, "
             f"{issuer_name} báo cáo kết quả thực hiện tính đến ngày {short_date(today)} "
             "như sau:"),
        Heading("I. KẾT QUẢ THỰC HIỆN"),
        Heading("1. Tình hình chung"),
        Body(f"Kế hoạch có {summary.total} nhiệm vụ (tính theo nhiệm vụ chi tiết), giao "
             f"{len(leads)} đơn vị chủ trì. Đến ngày {short_date(today)}: "
             f"{counts.get(StatusBucket.COMPLETED_ON_TIME, 0)} nhiệm vụ hoàn thành đúng hạn, "
             f"{counts.get(StatusBucket.COMPLETED_LATE, 0)} nhiệm vụ hoàn thành quá hạn, "
             f"{counts.get(StatusBucket.NOT_COMPLETED_WITHIN_DEADLINE, 0)} nhiệm vụ đang thực "
             f"hiện trong hạn, {counts.get(StatusBucket.OVERDUE, 0)} nhiệm vụ quá hạn chưa "
             f"hoàn thành; tỷ lệ hoàn thành đạt {_percent(counts)}%."),
        ChartBlock("Biểu đồ 1. Nhiệm vụ theo tình trạng thực hiện và tin, bài theo chủ đề"),
        Heading("2. Kết quả theo nhóm nhiệm vụ"),
        group_table(tasks, as_of),
        Heading("3. Kết quả theo đơn vị chủ trì"),
        unit_table(tasks, as_of, inputs.reports, inputs.unit_names),
        Heading("4. Kết quả tuyên truyền trên báo chí theo chủ đề"),
    ]
    figures: list[tuple[str, int, int]] = []
    if inputs.coverage is None:
        blocks.append(Body("Số liệu của hệ thống giám sát thông tin chưa có tại thời điểm lập "
                           "báo cáo; sẽ được bổ sung trong báo cáo kỳ sau."))
    else:
        figures = topic_figures(plan, tasks, inputs.coverage)
        window = (f"từ ngày {short_date(inputs.coverage_from)} đến ngày "
                  f"{short_date(inputs.coverage_to)}, "
                  if inputs.coverage_from and inputs.coverage_to else "")
        top = max(figures, key=lambda f: f[1], default=None)
        lead = (f"; nhiều nhất về {top[0].lower()} ({top[1]} tin, bài)"
                if top is not None and top[1] else "")
        blocks += [Body(f"Theo số liệu của hệ thống giám sát thông tin, {window}các cơ quan "
                        f"báo chí đăng {sum(f[1] for f in figures)} tin, bài về các chủ đề "
                        f"của Kế hoạch{lead}."), _topic_table(figures)]
    blocks += _shortcomings(inputs, today)
    blocks.append(Body(f"Trên đây là báo cáo kết quả thực hiện {plan_ref} của {issuer_name}, "
                       "kính báo cáo Ủy ban nhân dân tỉnh./."))
    signer = plan.signer
    return UpwardReport(
        superior_body=superior, issuing_body=issuer_name.upper(),
        # No-break spaces: the blank the clerk fills survives renderers that collapse spaces.
        number_line=f"Số:{NUMBER_BLANK}/BC-{plan.number.issuer}",
        place_date=f"{plan.place or 'Gia Lai'}, {document_date(today)}",
        subject=f"Kết quả thực hiện {plan_ref} về {_lowercase_first(plan.title)}",
        blocks=tuple(blocks), recipients=_recipients(plan),
        signature=Signature(signer.capacity, signer.title, signer.name) if signer else None,
        chart=ChartData(tuple(VI_LABELS[b.value] for b in BUCKETS),
                        tuple(counts.get(b, 0) for b in BUCKETS),
                        tuple(f[0] for f in figures), tuple(f[1] for f in figures)),
        filename_stem=f"bao-cao-{str(plan.number).replace('/', '-')}-{today.isoformat()}")


def _shortcomings(inputs: ReportInputs, today: date) -> list[Block]:
    """II. What is late, by name; III. what the Department asks of the Committee."""
    names = inputs.unit_names
    parents = {t.parent_task_id for t in inputs.tasks if t.parent_task_id}
    overdue = [t for t in inputs.tasks if t.id not in parents
               and bucket_of(t, inputs.as_of) is StatusBucket.OVERDUE]
    overdue.sort(key=lambda t: (task_deadline(t), t.id))
    pending = sum(1 for r in inputs.reports if r.status is ReportStatus.SUBMITTED)
    blocks: list[Block] = [Heading("II. TỒN TẠI, HẠN CHẾ")]
    if overdue:
        blocks.append(Body(f"Còn {len(overdue)} nhiệm vụ quá hạn chưa hoàn thành, trong đó:"))
        lines = _overdue_lines(overdue, names)
        blocks += [Body(line) for line in lines[:OVERDUE_LISTED]]
        if len(lines) > OVERDUE_LISTED:
            blocks.append(Body(f"- và {len(lines) - OVERDUE_LISTED} nhiệm vụ khác."))
    else:
        blocks.append(Body(f"Đến ngày {short_date(today)}, không có nhiệm vụ quá hạn."))
    if pending:
        blocks.append(Body(f"Có {pending} báo cáo của đơn vị đang chờ thẩm định."))
    blocks.append(Heading("III. ĐỀ XUẤT, KIẾN NGHỊ"))
    if overdue:
        blocks.append(Body("Đề nghị Ủy ban nhân dân tỉnh chỉ đạo các đơn vị có nhiệm vụ quá "
                           "hạn khẩn trương thực hiện và báo cáo kết quả để tổng hợp."))
    else:
        blocks.append(Body("Đề nghị Ủy ban nhân dân tỉnh tiếp tục chỉ đạo các đơn vị duy trì "
                           "công tác thông tin, tuyên truyền thường xuyên, liên tục."))
    return blocks


def _overdue_lines(overdue: Sequence[Task], names: Mapping[str, str]) -> list[str]:
    """One line per task title and deadline: a group task's units together, three by name."""
    by_task: dict[tuple[str, date], list[str]] = {}
    for task in overdue:
        by_task.setdefault((task.title, task_deadline(task)), []).append(
            names.get(task.lead_unit_id, task.lead_unit_id))
    lines = []
    for (title, deadline), units in by_task.items():
        if len(units) == 1:
            lines.append(f"- {title} ({units[0]}, hạn {short_date(deadline)});")
            continue
        shown = ", ".join(units[:3]) + (f" và {len(units) - 3} đơn vị khác"
                                        if len(units) > 3 else "")
        lines.append(f"- {title}: {len(units)} đơn vị ({shown}), hạn {short_date(deadline)};")
    return lines
