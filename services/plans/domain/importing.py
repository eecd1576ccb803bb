"""Load plan and units files (YAML or JSON), report faults with line and field, build entities.

``parse_*_document`` check the shape (pydantic, ``extra="forbid"``); ``build_*`` resolve unit
references and apply the domain rules. Every fault becomes ``ValidationFailed`` whose details
hold ``{"errors": [{"line", "field", "message"}], "format"}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, Literal, TypeVar

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from .errors import DomainError, ValidationFailed
from .import_schema import GroupIn, PlanDocument, TaskIn, UnitsDocument
from .plans import BasisDocument, DocumentNumber, Plan, Recipient, Signer
from .recurrence import Recurrence
from .tasks import PLANNING_HORIZON_YEARS, KpiTarget, Task, check_task_tree, planning_horizon
from .units import (
    ALL_CULTURE_OFFICES,
    ALL_PRESS_OUTLETS,
    AreaCodes,
    Contact,
    FormerName,
    OrgUnit,
    UnitDirectory,
    UnitGroup,
    UnitSelector,
    resolve_group,
)

Format = Literal["yaml", "json"]
# libyaml's loader when available (several times faster); both report node marks.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Loc = Sequence[str | int]
M = TypeVar("M", bound=BaseModel)


# -- locating faults ----------------------------------------------------------------------


def format_loc(loc: Loc) -> str:
    """``("plan", "tasks", 0, "due")`` -> ``plan.tasks[0].due``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(root: Any, loc: Loc) -> int | None:
    """1-based line of the deepest node of ``loc`` found in a composed YAML tree."""
    if root is None:
        return None
    node = root
    line = int(node.start_mark.line) + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if getattr(key, "value", None) == part:
                    line, node = int(key.start_mark.line) + 1, value
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = int(node.start_mark.line) + 1
        else:
            break
    return line


def _duplicate_keys(node: Any, path: tuple[str | int, ...] = ()) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(getattr(key, "value", ""))
            if name in seen:
                found.append({
                    "line": int(key.start_mark.line) + 1,
                    "field": format_loc((*path, name)),
                    "message": f"duplicate key {name!r}",
                })
            seen.add(name)
            found.extend(_duplicate_keys(value, (*path, name)))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found.extend(_duplicate_keys(item, (*path, i)))
    return found


def _fail(fmt: str, errors: list[dict[str, Any]]) -> ValidationFailed:
    first = errors[0]
    where = f"line {first['line']}: " if first.get("line") else ""
    field_name = f"{first['field']}: " if first.get("field") else ""
    return ValidationFailed(
        f"malformed {fmt} document: {where}{field_name}{first['message']}",
        {"format": fmt, "errors": errors},
    )


@dataclass(frozen=True)
class ParsedDocument(Generic[M]):
    model: M
    fmt: Format
    root: Any = field(default=None, repr=False)  # composed YAML node tree (None if unknown)

    def line_of(self, loc: Loc) -> int | None:
        return _line_of(self.root, loc)

    def error(self, loc: Loc, message: str) -> dict[str, Any]:
        return {"line": self.line_of(loc), "field": format_loc(loc), "message": message}


def _parse(text: str, fmt: Format, model: type[M]) -> ParsedDocument[M]:
    if fmt not in ("yaml", "json"):
        raise ValidationFailed(f"unknown format {fmt!r}", {"field": "fmt"})
    root: Any = None
    try:
        if fmt == "json":
            data = json.loads(text)
        else:
            root = yaml.compose(text, Loader=_LOADER)
            data = yaml.load(text, Loader=_LOADER)
    except json.JSONDecodeError as exc:
        raise _fail(fmt, [{"line": exc.lineno, "field": None, "message": exc.msg}]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = int(mark.line) + 1 if mark is not None else None
        message = str(getattr(exc, "problem", None) or exc)
        raise _fail(fmt, [{"line": line, "field": None, "message": message}]) from exc
    if fmt == "json":
        try:  # JSON is (nearly) YAML: reuse its marks for line numbers
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError:
            root = None
    if not isinstance(data, dict):
        raise _fail(fmt, [{"line": 1, "field": None, "message": "the document is not a mapping"}])
    if fmt == "yaml":
        duplicates = _duplicate_keys(root)
        if duplicates:
            raise _fail(fmt, duplicates)
    try:
        parsed = model.model_validate(data)
    except PydanticValidationError as exc:
        errors = [
            {"line": _line_of(root, err["loc"]), "field": format_loc(err["loc"]),
             "message": err["msg"]}
            for err in exc.errors(include_url=False)
        ]
        raise _fail(fmt, errors) from exc
    return ParsedDocument(parsed, fmt, root)


def parse_plan_document(text: str, fmt: Format) -> ParsedDocument[PlanDocument]:
    return _parse(text, fmt, PlanDocument)


def parse_units_document(text: str, fmt: Format) -> ParsedDocument[UnitsDocument]:
    return _parse(text, fmt, UnitsDocument)


# -- building entities --------------------------------------------------------------------


def _selector(group: GroupIn) -> UnitSelector:
    area = group.area
    return UnitSelector(
        types=frozenset(group.types),
        subtypes=frozenset(group.subtypes),
        area=AreaCodes(area.province, area.district, area.commune) if area else None,
        parent_id=group.parent,
        unit_ids=frozenset(group.units),
    )


def build_units(parsed: ParsedDocument[UnitsDocument]) -> tuple[list[OrgUnit], list[UnitGroup]]:
    doc = parsed.model
    errors: list[dict[str, Any]] = []
    units: list[OrgUnit] = []
    for i, u in enumerate(doc.units):
        units.append(OrgUnit(
            id=u.id, type=u.type, subtype=u.subtype, name=u.name, short_name=u.short_name,
            parent_id=u.parent,
            area=AreaCodes(u.area.province, u.area.district, u.area.commune),
            languages=tuple(u.languages),
            contacts=tuple(Contact(c.kind, c.address, c.label) for c in u.contacts),
            valid_from=u.valid_from, valid_to=u.valid_to, successor_ids=tuple(u.successors),
            former_names=tuple(FormerName(f.name, f.short_name, f.until)
                               for f in u.former_names),
        ))
        if u.id in {x.id for x in units[:-1]}:
            errors.append(parsed.error(("units", i, "id"), f"duplicate unit id {u.id!r}"))
    ids = {u.id for u in units}
    for i, u in enumerate(doc.units):
        if u.parent is not None and u.parent not in ids:
            errors.append(parsed.error(("units", i, "parent"), f"unknown unit {u.parent!r}"))
        for j, ref in enumerate(u.successors):
            if ref not in ids:
                errors.append(parsed.error(("units", i, "successors", j),
                                           f"unknown unit {ref!r}"))
    for i, j in _overlapping_short_names(units):
        errors.append(parsed.error(
            ("units", j, "short_name"),
            f"short name {units[j].short_name!r} is also used by {units[i].id!r} "
            "in an overlapping validity period",
        ))
    for i, g in enumerate(doc.groups):
        for j, ref in enumerate(g.units):
            if ref not in ids:
                errors.append(parsed.error(("groups", i, "units", j), f"unknown unit {ref!r}"))
    if errors:
        raise _fail(parsed.fmt, errors)
    return units, [UnitGroup(g.id, g.name, _selector(g)) for g in doc.groups]


def _overlapping_short_names(units: Sequence[OrgUnit]) -> list[tuple[int, int]]:
    """Pairs of indexes of units sharing a short name while both are valid."""
    seen: dict[str, list[int]] = {}
    pairs: list[tuple[int, int]] = []
    for j, unit in enumerate(units):
        name = unit.short_name.casefold()
        for i in seen.get(name, []):
            other = units[i]
            if _overlap(other, unit):
                pairs.append((i, j))
        seen.setdefault(name, []).append(j)
    return pairs


def _overlap(a: OrgUnit, b: OrgUnit) -> bool:
    a_end = a.valid_to or date.max
    b_end = b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


@dataclass
class ImportedPlan:
    plan: Plan
    tasks: list[Task]
    groups: list[UnitGroup]


@dataclass
class _Builder:
    parsed: ParsedDocument[PlanDocument]
    units: UnitDirectory
    groups: dict[str, UnitGroup]
    on: date
    plan_id: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)

    def fault(self, loc: Loc, message: str) -> None:
        self.errors.append(self.parsed.error(loc, message))

    def unit(self, ref: str, loc: Loc) -> str | None:
        found = self.units.lookup(ref, self.on)
        if found is None:
            self.fault(loc, f"unknown unit {ref!r} (by id or short name) on {self.on.isoformat()}")
            return None
        return found.id

    def group(self, ref: str, loc: Loc) -> list[str]:
        group = self.groups.get(ref)
        if group is None:
            self.fault(loc, f"unknown unit group {ref!r}")
            return []
        ids = resolve_group(group, self.units.units(), self.on)
        if not ids:
            self.fault(loc, f"unit group {ref!r} has no active unit on {self.on.isoformat()}")
        return ids

    def task(self, t: TaskIn, loc: tuple[str | int, ...], parent: str | None) -> None:
        lead = self.unit(t.lead, (*loc, "lead")) if t.lead else None
        members = self.group(t.lead_group, (*loc, "lead_group")) if t.lead_group else []
        if t.lead is None:  # a group task is coordinated by the issuer
            issuer = self.units.lookup(self.parsed.model.plan.issuer, self.on)
            lead = issuer.id if issuer else None
        coordinating = tuple(
            cid for j, ref in enumerate(t.coordinating)
            if (cid := self.unit(ref, (*loc, "coordinating", j))) is not None and cid != lead
        )
        earliest, latest = planning_horizon(self.on)
        if t.due is not None and t.due < self.on:
            self.fault((*loc, "due"), f"deadline {t.due.isoformat()} is before the plan date "
                       f"{self.on.isoformat()}")
        elif t.due is not None and t.due > latest:
            self.fault((*loc, "due"), f"deadline {t.due.isoformat()} is after "
                       f"{latest.isoformat()}: deadlines fall within "
                       f"{PLANNING_HORIZON_YEARS} years of the plan date")
        if t.recurrence is not None:
            r = t.recurrence
            if r.ends_on is not None and r.ends_on > latest:
                self.fault((*loc, "recurrence", "ends_on"),
                           f"recurrence ends on {r.ends_on.isoformat()}, after "
                           f"{latest.isoformat()}: deadlines fall within "
                           f"{PLANNING_HORIZON_YEARS} years of the plan date")
            if r.starts_on is not None and r.starts_on < earliest:
                self.fault((*loc, "recurrence", "starts_on"),
                           f"recurrence starts on {r.starts_on.isoformat()}, before "
                           f"{earliest.isoformat()}: at most {PLANNING_HORIZON_YEARS} years "
                           "before the plan date")
        recurrence = self.recurrence(t, loc)
        kpis = self.kpis(t, loc)
        if lead is None or (t.due is None and recurrence is None):
            return
        self.add(t, loc, t.id, parent, lead, coordinating, recurrence, () if members else kpis)
        for unit_id in members:
            own = tuple(k for k in kpis if k.unit_id in (None, unit_id))
            others = tuple(c for c in coordinating if c != unit_id)
            self.add(t, loc, f"{t.id}.{unit_id}", t.id, unit_id, others, recurrence, own)
        for j, sub in enumerate(t.subtasks):
            self.task(sub, (*loc, "subtasks", j), t.id)

    def kpis(self, t: TaskIn, loc: tuple[str | int, ...]) -> tuple[KpiTarget, ...]:
        result: list[KpiTarget] = []
        for j, k in enumerate(t.kpis):
            unit_id = self.unit(k.unit, (*loc, "kpis", j, "unit")) if k.unit else None
            try:
                result.append(KpiTarget(
                    id=k.id or f"kpi{j + 1}", metric=k.metric, target=k.target, period=k.per,
                    topic=k.topic, unit_id=unit_id, per_unit=k.per_unit,
                ))
            except DomainError as exc:
                self.fault((*loc, "kpis", j, "target"), exc.message)
        return tuple(result)

    def recurrence(self, t: TaskIn, loc: tuple[str | int, ...]) -> Recurrence | None:
        r = t.recurrence
        if r is None:
            return None
        year = self.parsed.model.plan.year
        try:
            return Recurrence(
                kind=r.kind, report_every=r.report_every,
                deadline_offset_days=r.deadline_offset_days,
                starts_on=r.starts_on or self.on, ends_on=r.ends_on or date(year, 12, 31),
            )
        except DomainError as exc:
            problems = exc.details.get("problems", [exc.message])
            self.fault((*loc, "recurrence"), "; ".join(str(p) for p in problems))
            return None

    def add(
        self, t: TaskIn, loc: tuple[str | int, ...], task_id: str, parent: str | None,
        lead: str, coordinating: tuple[str, ...], recurrence: Recurrence | None,
        kpis: tuple[KpiTarget, ...],
    ) -> None:
        try:
            self.tasks.append(Task(
                id=task_id, plan_id=self.plan_id, title=t.title, description=t.description,
                lead_unit_id=lead, coordinating_unit_ids=coordinating, parent_task_id=parent,
                responsible_person=t.responsible_person, expected_result=t.expected_result,
                due_date=t.due, recurrence=recurrence, starts_on=self.on,
                topics=tuple(t.topics), channels=tuple(t.channels), kpis=kpis,
            ))
        except DomainError as exc:
            problems = exc.details.get("problems", [exc.message])
            self.fault(loc, "; ".join(str(p) for p in problems))


def default_plan_id(number: DocumentNumber, year: int) -> str:
    return f"{number.number}-{number.doc_type}-{number.issuer}-{year}".lower()


def build_plan(
    parsed: ParsedDocument[PlanDocument],
    units: Iterable[OrgUnit] | UnitDirectory,
    groups: Iterable[UnitGroup] = (),
) -> ImportedPlan:
    """Resolve references against ``units`` (active on the plan date) and build a draft plan."""
    doc = parsed.model
    p = doc.plan
    directory = units if isinstance(units, UnitDirectory) else UnitDirectory(units)
    known: dict[str, UnitGroup] = {g.id: g for g in (ALL_PRESS_OUTLETS, ALL_CULTURE_OFFICES)}
    known.update({g.id: g for g in groups})
    doc_groups = [UnitGroup(g.id, g.name, _selector(g)) for g in doc.groups]
    known.update({g.id: g for g in doc_groups})
    try:
        number = DocumentNumber.parse(p.number)
    except ValidationFailed as exc:
        raise _fail(parsed.fmt, [parsed.error(("plan", "number"), exc.message)]) from exc
    builder = _Builder(parsed, directory, known, p.date, p.id or default_plan_id(number, p.year))
    issuer = builder.unit(p.issuer, ("plan", "issuer"))
    recipients = []
    for i, r in enumerate(p.recipients):
        unit_id = builder.unit(r.unit, ("plan", "recipients", i, "unit")) if r.unit else None
        if r.group is not None and r.group not in known:
            builder.fault(("plan", "recipients", i, "group"), f"unknown unit group {r.group!r}")
        recipients.append(Recipient(r.name, r.purpose, unit_id, r.group))
    for i, t in enumerate(doc.tasks):
        builder.task(t, ("tasks", i), None)
    ids = [t.id for t in builder.tasks]
    for task_id in sorted({i for i in ids if ids.count(i) > 1}):
        builder.fault(("tasks",), f"duplicate task id {task_id!r}")
    if builder.errors or issuer is None:
        raise _fail(parsed.fmt, builder.errors)
    try:
        plan = Plan(
            id=builder.plan_id, number=number, issuer_unit_id=issuer, place=p.place,
            issued_on=p.date, title=p.title, year=p.year,
            basis=tuple(BasisDocument(b.symbol, b.date, b.title, b.parent_plan_id)
                        for b in p.basis),
            objectives=tuple(p.objectives), topics=tuple(p.topics), channels=tuple(p.channels),
            target_areas=tuple(p.target_areas), audiences=tuple(p.audiences),
            recipients=tuple(recipients),
            signer=Signer(p.signer.name, p.signer.title, p.signer.capacity) if p.signer else None,
        )
        check_task_tree(builder.tasks)
    except ValidationFailed as exc:
        raise _fail(parsed.fmt, [parsed.error(("plan",), f"{exc.message}: {exc.details}")]) from exc
    return ImportedPlan(plan, builder.tasks, doc_groups)
