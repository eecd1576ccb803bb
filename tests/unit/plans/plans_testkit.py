"""Builders shared by the plans unit tests (plain functions, no I/O)."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from services.plans.domain import (
    LOCAL_TZ,
    AreaCodes,
    DocumentNumber,
    ImportedPlan,
    KpiMetric,
    KpiTarget,
    OrgUnit,
    PeriodKind,
    Plan,
    PressSubtype,
    Recurrence,
    RecurrenceKind,
    Signer,
    Task,
    Topic,
    UnitGroup,
    UnitType,
    build_plan,
    build_units,
    parse_plan_document,
    parse_units_document,
)

SEED_DIR = Path(__file__).resolve().parents[3] / "services" / "plans" / "seed"
PLAN_DATE = date(2021, 2, 25)


def local(d: date, hour: int = 9, minute: int = 0) -> datetime:
    """An aware datetime at the given local (UTC+7) wall time."""
    return datetime.combine(d, time(hour, minute), LOCAL_TZ)


def unit(uid: str, type_: UnitType = UnitType.PRESS_OUTLET, **kw: Any) -> OrgUnit:
    if type_ is UnitType.PRESS_OUTLET:
        kw.setdefault("subtype", PressSubtype.LOCAL)
    kw.setdefault("valid_from", date(2021, 1, 1))
    kw.setdefault("area", AreaCodes("64"))
    return OrgUnit(id=uid, type=type_, name=uid.upper(), short_name=uid, **kw)


def plan(**kw: Any) -> Plan:
    kw.setdefault("id", "p1")
    kw.setdefault("number", DocumentNumber.parse("25/KH-STTTT"))
    kw.setdefault("issuer_unit_id", "gl-stttt")
    kw.setdefault("place", "Gia Lai")
    kw.setdefault("issued_on", PLAN_DATE)
    kw.setdefault("title", "Kế hoạch thông tin, tuyên truyền")
    kw.setdefault("year", 2021)
    kw.setdefault("signer", Signer("Lê Thị Thu Hương", "PHÓ GIÁM ĐỐC", "KT. GIÁM ĐỐC"))
    return Plan(**kw)


def task(tid: str = "t1", **kw: Any) -> Task:
    kw.setdefault("plan_id", "p1")
    kw.setdefault("title", f"Task {tid}")
    kw.setdefault("lead_unit_id", "bao-gia-lai")
    if "recurrence" not in kw:
        kw.setdefault("due_date", date(2021, 3, 15))
    return Task(id=tid, **kw)


# What progress reports are about: the plan issued on PLAN_DATE, a quarterly task of the
# press (with a coordinating unit) and its KPI on drugs.
DRUGS_Q = KpiTarget("drugs", KpiMetric.ARTICLES, 12, PeriodKind.QUARTERLY, Topic.DRUGS)


def issued_plan() -> Plan:
    p = plan()
    p.issue("officer", local(PLAN_DATE))
    return p


def quarterly_task() -> Task:
    rec = Recurrence(RecurrenceKind.QUARTERLY, PLAN_DATE, date(2021, 12, 31),
                     deadline_offset_days=5)
    return task("press", recurrence=rec, coordinating_unit_ids=("dai-ptth",), kpis=(DRUGS_Q,))


@cache
def _seed_units() -> tuple[tuple[OrgUnit, ...], tuple[UnitGroup, ...]]:
    text = (SEED_DIR / "units-gia-lai.yaml").read_text(encoding="utf-8")
    units, groups = build_units(parse_units_document(text, "yaml"))
    return tuple(units), tuple(groups)


def seed_units() -> tuple[list[OrgUnit], list[UnitGroup]]:
    """The seed units (immutable values, parsed once per test session)."""
    units, groups = _seed_units()
    return list(units), list(groups)


def seed_plan() -> ImportedPlan:
    units, groups = seed_units()
    text = (SEED_DIR / "plan-25-KH-STTTT-2021.yaml").read_text(encoding="utf-8")
    return build_plan(parse_plan_document(text, "yaml"), units, groups)
