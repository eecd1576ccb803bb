"""Rolling a plan over to a later year: the Department issues the same plan every year, so a
new year's draft starts as a copy of the last one, with its dates shifted by whole years and
each unit replaced by the unit that stands for it on the new date (the 2025 mergers).

What cannot be carried over is listed with the reason, never guessed: a task led by a unit
with no successor, or with several (a district split into wards), is left out for the officer
to re-create; a coordinating unit or a KPI's unit without one is dropped from its task.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from .errors import ValidationFailed
from .plans import DocumentNumber, Plan, Recipient
from .recurrence import Recurrence
from .succession import Succession, succession_on
from .tasks import Task
from .units import UnitDirectory
from .vocabulary import PlanStatus, RollOverAction, TaskStatus

_ISSUER_CODE = re.compile(r"^[^\W_][\w.&-]*$")


@dataclass(frozen=True, slots=True)
class Unmapped:
    """One thing a roll-over could not carry over as it was, and why."""

    where: str  # "recipients[0]", "tasks[press-bgl-coverage].lead_unit_id", ...
    unit_id: str | None
    outcome: str  # a SuccessionOutcome value, or "parent_left_out" / "merged"
    action: RollOverAction
    reason: str
    task_id: str | None = None
    candidates: tuple[str, ...] = ()


@dataclass(slots=True)
class RolledOver:
    plan: Plan
    tasks: list[Task] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    renamed_tasks: dict[str, str] = field(default_factory=dict)  # source id -> new id


def shift_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # only 29 February has no match
        return day.replace(year=day.year + years, day=28)


def shift_text(text: str, source_year: int, target_year: int) -> str:
    """The plan's year as a whole word, replaced by the new year ("năm 2021" -> "năm 2026")."""
    return re.sub(rf"(?<!\d){source_year}(?!\d)", str(target_year), text)


def derived_number(source: DocumentNumber, issuer_code: str | None) -> DocumentNumber:
    """The source's number and type, with the new issuer's code when the issuer changed
    (``25/KH-STTTT`` issued by the Department of Culture becomes ``25/KH-SVHTTDL``)."""
    code = (issuer_code or "").replace(" ", "").upper()
    if code and code != source.issuer and _ISSUER_CODE.match(code):
        return DocumentNumber(source.number, source.doc_type, code)
    return source


def _shift_recurrence(recurrence: Recurrence | None, years: int) -> Recurrence | None:
    if recurrence is None:
        return None
    return replace(recurrence, starts_on=shift_years(recurrence.starts_on, years),
                   ends_on=shift_years(recurrence.ends_on, years))


def _in_tree_order(tasks: Sequence[Task]) -> list[Task]:
    """Parents before their subtasks, otherwise in the given order."""
    by_id = {t.id: t for t in tasks}
    ordered: list[Task] = []
    placed: set[str] = set()

    def place(task: Task, seen: frozenset[str]) -> None:
        if task.id in placed or task.id in seen:
            return
        parent = by_id.get(task.parent_task_id or "")
        if parent is not None:
            place(parent, seen | {task.id})
        placed.add(task.id)
        ordered.append(task)

    for task in tasks:
        place(task, frozenset())
    return ordered


class _Mapper:
    def __init__(self, units: UnitDirectory, on: date) -> None:
        self.units, self.on = units, on
        self._cache: dict[str, Succession] = {}

    def __call__(self, unit_id: str) -> Succession:
        if unit_id not in self._cache:
            self._cache[unit_id] = succession_on(unit_id, self.units, self.on)
        return self._cache[unit_id]


def roll_over(
    source: Plan, tasks: Sequence[Task], units: UnitDirectory, *, plan_id: str,
    target_year: int, number: DocumentNumber | None = None, title: str | None = None,
    issuer_unit_id: str | None = None,
) -> RolledOver:
    """A draft of ``source`` for ``target_year`` (see the module's docstring)."""
    if target_year <= source.year:
        raise ValidationFailed(
            f"the target year must be after the plan's year {source.year} (got {target_year})",
            {"field": "target_year", "source_year": source.year})
    years = target_year - source.year
    issued_on = shift_years(source.issued_on, years)
    mapped = _Mapper(units, issued_on)
    if issuer_unit_id is not None:
        issuer = units.require_active(issuer_unit_id, issued_on, "issuer_unit_id").id
    else:
        succession = mapped(source.issuer_unit_id)
        if succession.unit is None:
            raise ValidationFailed(
                f"the issuer cannot be carried over: {succession.reason}; give issuer_unit_id",
                {"field": "issuer_unit_id", "candidates": list(succession.candidates)})
        issuer = succession.unit
    issuer_unit = units.get(issuer)
    result = RolledOver(Plan(
        id=plan_id,
        number=number or derived_number(
            source.number, issuer_unit.short_name if issuer != source.issuer_unit_id
            and issuer_unit else None),
        issuer_unit_id=issuer, place=source.place, issued_on=issued_on,
        title=title or shift_text(source.title, source.year, target_year), year=target_year,
        basis=source.basis,
        objectives=tuple(shift_text(o, source.year, target_year) for o in source.objectives),
        topics=source.topics, channels=source.channels, target_areas=source.target_areas,
        audiences=source.audiences, signer=source.signer, status=PlanStatus.DRAFT))
    result.plan.recipients = tuple(_recipients(source.recipients, mapped, result.unmapped))
    for task in _in_tree_order(tasks):
        _carry_task(task, result, mapped, years, source.year, target_year)
    return result


def _recipients(recipients: Sequence[Recipient], mapped: _Mapper,
                unmapped: list[Unmapped]) -> list[Recipient]:
    out = []
    for i, recipient in enumerate(recipients):
        if recipient.unit_id is None:
            out.append(recipient)
            continue
        succession = mapped(recipient.unit_id)
        if succession.unit is None:
            unmapped.append(Unmapped(
                f"recipients[{i}]", recipient.unit_id, succession.outcome.value,
                RollOverAction.KEPT_AS_TEXT,
                f"{succession.reason}; the line {recipient.name!r} is kept as text",
                candidates=succession.candidates))
        out.append(replace(recipient, unit_id=succession.unit))
    return out


def _carry_task(task: Task, result: RolledOver, mapped: _Mapper, years: int,
                source_year: int, target_year: int) -> None:
    where = f"tasks[{task.id}]"
    parent = task.parent_task_id
    if parent is not None and parent not in result.renamed_tasks:
        result.unmapped.append(Unmapped(
            f"{where}.parent_task_id", None, "parent_left_out", RollOverAction.TASK_LEFT_OUT,
            f"task {task.id} is left out with its parent task {parent}", task.id))
        return
    lead = mapped(task.lead_unit_id)
    if lead.unit is None:
        result.unmapped.append(Unmapped(
            f"{where}.lead_unit_id", task.lead_unit_id, lead.outcome.value,
            RollOverAction.TASK_LEFT_OUT, f"task {task.id} is left out: {lead.reason}", task.id,
            lead.candidates))
        return
    new_id = task.id
    if parent is not None and task.id == f"{parent}.{task.lead_unit_id}":
        new_id = f"{result.renamed_tasks[parent]}.{lead.unit}"  # a group task's subtask
    if new_id in result.renamed_tasks.values():
        result.unmapped.append(Unmapped(
            f"{where}.lead_unit_id", task.lead_unit_id, "merged", RollOverAction.MERGED,
            f"unit {task.lead_unit_id} merged into {lead.unit}, which already leads task "
            f"{new_id}: task {task.id} is folded into it", task.id, (lead.unit,)))
        return
    coordinating: list[str] = []
    for unit_id in task.coordinating_unit_ids:
        succession = mapped(unit_id)
        if succession.unit is None:
            result.unmapped.append(Unmapped(
                f"{where}.coordinating_unit_ids", unit_id, succession.outcome.value,
                RollOverAction.UNIT_DROPPED, f"dropped from task {task.id}: {succession.reason}",
                task.id, succession.candidates))
        elif succession.unit != lead.unit and succession.unit not in coordinating:
            coordinating.append(succession.unit)
    kpis = []
    for kpi in task.kpis:
        if kpi.unit_id is None:
            kpis.append(kpi)
            continue
        succession = mapped(kpi.unit_id)
        if succession.unit is None or succession.unit not in (lead.unit, *coordinating):
            result.unmapped.append(Unmapped(
                f"{where}.kpis[{kpi.id}].unit_id", kpi.unit_id, succession.outcome.value,
                RollOverAction.KPI_DROPPED, f"KPI {kpi.id} of task {task.id} is dropped: "
                f"{succession.reason}", task.id, succession.candidates))
            continue
        kpis.append(replace(kpi, unit_id=succession.unit))

    def text(value: str | None) -> str | None:
        return shift_text(value, source_year, target_year) if value is not None else None

    result.tasks.append(replace(
        task, id=new_id, plan_id=result.plan.id, title=shift_text(task.title, source_year,
                                                                   target_year),
        description=shift_text(task.description, source_year, target_year),
        expected_result=text(task.expected_result), lead_unit_id=lead.unit,
        coordinating_unit_ids=tuple(coordinating),
        parent_task_id=result.renamed_tasks[parent] if parent is not None else None,
        due_date=shift_years(task.due_date, years) if task.due_date else None,
        starts_on=shift_years(task.starts_on, years) if task.starts_on else None,
        recurrence=_shift_recurrence(task.recurrence, years), kpis=tuple(kpis),
        status=TaskStatus.OPEN, completed_at=None, period_completions={}, evidence={}))
    result.renamed_tasks[task.id] = new_id
