"""Progress reports submitted by a unit for a task and a period, and their review."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .audit import AuditEntry, FieldChange, Recording
from .errors import Conflict, InvalidTransition, ValidationFailed
from .periods import is_valid_period_key
from .plans import Plan
from .tasks import MAX_QUANTITY, Task
from .vocabulary import (
    Channel,
    EvidenceKind,
    KpiMetric,
    PlanStatus,
    ReportStatus,
    TaskStatus,
    Topic,
)

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class ReportCount:
    channel: Channel
    metric: KpiMetric
    count: int
    topic: Topic | None = None


@dataclass(frozen=True, slots=True)
class EvidenceLink:
    url: str
    kind: EvidenceKind = EvidenceKind.OTHER


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    size: int
    mime: str
    sha256: str


@dataclass(frozen=True, slots=True)
class ReportContent:
    """What the unit writes; validated by ``submit_report``."""

    counts: tuple[ReportCount, ...] = ()
    narrative: str = ""
    links: tuple[EvidenceLink, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(slots=True)
class ProgressReport(Recording):
    id: str
    plan_id: str
    task_id: str
    unit_id: str
    period_key: str
    version: int
    content: ReportContent
    submitted_by: str
    submitted_at: datetime
    status: ReportStatus = ReportStatus.SUBMITTED
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_reason: str | None = None
    history: list[AuditEntry] = field(default_factory=list)
    # A correction supersedes an accepted report once it is accepted itself; both are kept.
    corrects_report_id: str | None = None
    correction_reason: str | None = None
    superseded_by: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """What one report speaks for: the task, the unit and the period."""
        return (self.task_id, self.unit_id, self.period_key)


MAX_STORED_INT = 2**63 - 1  # storage holds 64-bit integers


def _validate_content(content: ReportContent) -> None:
    problems: list[dict[str, object]] = []
    for i, c in enumerate(content.counts):
        if c.count < 0:
            problems.append({"field": f"counts[{i}].count", "message": "must not be negative"})
        elif c.count > MAX_QUANTITY:
            problems.append({"field": f"counts[{i}].count",
                             "message": f"must not be above {MAX_QUANTITY:,}"})
    for i, link in enumerate(content.links):
        if not link.url.startswith(("http://", "https://")):
            problems.append({"field": f"links[{i}].url", "message": "must be an http(s) URL"})
    for i, a in enumerate(content.attachments):
        if a.size < 0:
            problems.append({"field": f"attachments[{i}].size", "message": "negative size"})
        elif a.size > MAX_STORED_INT:
            problems.append({"field": f"attachments[{i}].size", "message": "size too large"})
        if not _SHA256_RE.match(a.sha256):
            problems.append({"field": f"attachments[{i}].sha256", "message": "not a sha256"})
    if problems:
        raise ValidationFailed("invalid progress report", {"errors": problems})


def _check_period(task: Task, period_key: str) -> None:
    """A recurring task is reported per period of its cadence; others once or per calendar key."""
    if task.recurrence is not None:
        allowed = [p.key for p in task.recurrence.periods()]
        if period_key not in allowed:
            raise ValidationFailed(
                f"period {period_key!r} is not a reporting period of task {task.id!r}",
                {"field": "period_key", "allowed": allowed},
            )
    elif not is_valid_period_key(period_key):
        raise ValidationFailed(f"invalid period key {period_key!r}", {"field": "period_key"})


def _check_can_report(
    plan: Plan, task: Task, unit_id: str, period_key: str, content: ReportContent
) -> None:
    if plan.status is not PlanStatus.ISSUED:
        raise InvalidTransition(
            f"cannot report on a {plan.status.value} plan",
            {"plan_id": plan.id, "status": plan.status.value},
        )
    if task.plan_id != plan.id:
        raise ValidationFailed("task does not belong to the plan", {"task_id": task.id})
    if task.status is TaskStatus.CANCELLED:
        raise InvalidTransition("cannot report on a cancelled task", {"task_id": task.id})
    if unit_id not in task.unit_ids:
        raise ValidationFailed(
            f"unit {unit_id!r} is neither lead nor coordinating unit of task {task.id!r}",
            {"field": "unit_id", "unit_id": unit_id, "task_id": task.id},
        )
    _check_period(task, period_key)
    _validate_content(content)


def submit_report(
    *,
    report_id: str,
    plan: Plan,
    task: Task,
    unit_id: str,
    period_key: str,
    content: ReportContent,
    actor: str,
    at: datetime,
    previous: Sequence[ProgressReport] = (),
) -> tuple[ProgressReport, AuditEntry]:
    """A new report, or a new version after the previous one was returned.

    ``previous`` holds the earlier reports of this task (any unit, any period); the latest
    one for the same unit and period decides whether a new version is allowed.
    """
    _check_can_report(plan, task, unit_id, period_key, content)
    same = [
        r for r in previous
        if r.task_id == task.id and r.unit_id == unit_id and r.period_key == period_key
    ]
    version = 1
    corrects: ProgressReport | None = None
    if same:
        latest = max(same, key=lambda r: r.version)
        if latest.status is not ReportStatus.RETURNED:
            hint = (f"; correct it instead (a correction of report {latest.id})"
                    if latest.status is ReportStatus.ACCEPTED else "")
            raise Conflict(
                f"a {latest.status.value} report already exists for this task, unit and "
                f"period{hint}", {"report_id": latest.id, "version": latest.version},
            )
        version = latest.version + 1
        if latest.corrects_report_id is not None:  # a returned correction, sent again
            corrects = next((r for r in same if r.id == latest.corrects_report_id), None)
    report = ProgressReport(
        report_id, plan.id, task.id, unit_id, period_key, version, content, actor, at,
        corrects_report_id=corrects.id if corrects else None,
        correction_reason=latest.correction_reason if corrects else None,
    )
    action = "report.submitted" if version == 1 else "report.resubmitted"
    extra: dict[str, object] = {"version": version}
    if corrects is not None:
        extra["corrects_report_id"] = corrects.id
    entry = AuditEntry(actor, action, "report", report_id, at, extra=extra)
    report.history.append(entry)
    return report, entry


def submit_correction(
    *,
    report_id: str,
    original: ProgressReport,
    plan: Plan,
    task: Task,
    content: ReportContent,
    reason: str,
    actor: str,
    at: datetime,
    previous: Sequence[ProgressReport] = (),
) -> tuple[ProgressReport, AuditEntry]:
    """A correction of an accepted report: a new version for the same task, unit and period,
    reviewed like any report; once accepted it supersedes ``original`` (which stays on record).

    ``previous`` holds the task's reports; the original must be the latest accepted one of its
    task, unit and period, with no report of that key awaiting review.
    """
    if original.status is not ReportStatus.ACCEPTED:
        raise InvalidTransition(
            f"only an accepted report can be corrected; report {original.id} is "
            f"{original.status.value} ("
            + ("it is reviewed first" if original.status is ReportStatus.SUBMITTED
               else "submit a new version instead") + ")",
            {"report_id": original.id, "status": original.status.value},
        )
    if not reason.strip():
        raise ValidationFailed("a correction needs a reason", {"field": "reason"})
    _check_can_report(plan, task, original.unit_id, original.period_key, content)
    same = [r for r in previous if r.key == original.key and r.id != original.id]
    newer = [r for r in same if r.status is ReportStatus.ACCEPTED
             and r.version > original.version]
    if original.superseded_by is not None or newer:
        by = original.superseded_by or max(newer, key=lambda r: r.version).id
        raise Conflict(
            f"report {original.id} was superseded by {by}: correct that one",
            {"report_id": original.id, "superseded_by": by},
        )
    pending = [r for r in same if r.status is ReportStatus.SUBMITTED]
    if pending:
        raise Conflict(
            f"report {pending[0].id} for this task, unit and period awaits review",
            {"report_id": pending[0].id},
        )
    version = max(r.version for r in [original, *same]) + 1
    report = ProgressReport(
        report_id, plan.id, task.id, original.unit_id, original.period_key, version, content,
        actor, at, corrects_report_id=original.id, correction_reason=reason,
    )
    entry = AuditEntry(actor, "report.correction_submitted", "report", report_id, at,
                       note=reason, extra={"version": version, "corrects_report_id": original.id})
    report.history.append(entry)
    return report, entry


def superseded_by_acceptance(
    accepted: ProgressReport, others: Sequence[ProgressReport], at: datetime
) -> list[tuple[ProgressReport, AuditEntry]]:
    """The earlier accepted reports of the same task, unit and period that ``accepted`` (just
    accepted) supersedes, each marked and with its journal entry."""
    result: list[tuple[ProgressReport, AuditEntry]] = []
    for older in others:
        if (older.key == accepted.key and older.status is ReportStatus.ACCEPTED
                and older.version < accepted.version and older.superseded_by is None):
            older.superseded_by = accepted.id
            result.append((older, AuditEntry(
                accepted.reviewed_by or "system", "report.superseded", "report", older.id, at,
                (FieldChange("superseded_by", None, accepted.id),),
                accepted.correction_reason, {"version": accepted.version})))
    return result


def effective_reports(reports: Iterable[ProgressReport]) -> list[ProgressReport]:
    """The accepted reports that count: per task, unit and period the latest accepted version
    (a correction, once accepted, replaces what it corrects)."""
    latest: dict[tuple[str, str, str], ProgressReport] = {}
    for report in reports:
        if report.status is ReportStatus.ACCEPTED:
            known = latest.get(report.key)
            if known is None or report.version > known.version:
                latest[report.key] = report
    return list(latest.values())


def review_report(
    report: ProgressReport,
    *,
    accept: bool,
    reviewer: str,
    at: datetime,
    reason: str | None = None,
    task: Task | None = None,
) -> AuditEntry:
    """Accept or return (reason required) a submitted report.

    Accepting the lead unit's report for a period of a recurring ``task`` records that
    period as completed at the report's submission time.
    """
    if report.status is not ReportStatus.SUBMITTED:
        raise InvalidTransition(
            f"report {report.id!r} is already {report.status.value}",
            {"report_id": report.id, "status": report.status.value},
        )
    if not accept and not (reason and reason.strip()):
        raise ValidationFailed("returning a report needs a reason", {"field": "reason"})
    before = report.status
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.reviewed_by, report.reviewed_at, report.review_reason = reviewer, at, reason
    if (
        accept and task is not None and task.id == report.task_id
        and task.recurrence is not None and report.unit_id == task.lead_unit_id
    ):
        task.record_period_completion(report.period_key, report.submitted_at)
    entry = AuditEntry(
        reviewer, f"report.{report.status.value}", "report", report.id, at,
        (FieldChange("status", before.value, report.status.value),), reason,
    )
    report.history.append(entry)
    return entry
