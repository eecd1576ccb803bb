"""Pydantic v2 models of the plan and units import files (see docs/plan-import-format.md)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .vocabulary import (
    Channel,
    ContactKind,
    KpiMetric,
    PeriodKind,
    PressSubtype,
    RecurrenceKind,
    Topic,
    UnitType,
)

_VN_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def _date_input(value: Any) -> Any:
    """Accept ISO dates and ``dd/mm/yyyy`` as Vietnamese documents write them."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        match = _VN_DATE.match(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
    return value


Day = Annotated[date, BeforeValidator(_date_input)]
Text = Annotated[str, Field(min_length=1)]
Ref = Annotated[str, Field(min_length=1, description="unit id or short name")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- units file ---------------------------------------------------------------------------


class AreaIn(_Strict):
    province: str | None = None
    district: str | None = None
    commune: str | None = None


class ContactIn(_Strict):
    kind: ContactKind
    address: Text
    label: str | None = None


class FormerNameIn(_Strict):
    name: Text
    short_name: Text
    until: Day


class UnitIn(_Strict):
    id: Text
    type: UnitType
    subtype: PressSubtype | None = None
    name: Text
    short_name: Text
    parent: str | None = None
    area: AreaIn = AreaIn()
    languages: list[Text] = Field(default_factory=lambda: ["vi"], min_length=1)
    contacts: list[ContactIn] = Field(default_factory=list)
    valid_from: Day
    valid_to: Day | None = None
    successors: list[Text] = Field(default_factory=list)
    former_names: list[FormerNameIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> UnitIn:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if self.subtype is not None and self.type is not UnitType.PRESS_OUTLET:
            raise ValueError("only press outlets have a subtype")
        return self


class GroupIn(_Strict):
    """A named selector; all criteria combine with AND, ``units`` are added explicitly."""

    id: Text
    name: Text
    types: list[UnitType] = Field(default_factory=list)
    subtypes: list[PressSubtype] = Field(default_factory=list)
    area: AreaIn | None = None
    parent: str | None = None
    units: list[Ref] = Field(default_factory=list)


class UnitsDocument(_Strict):
    format_version: Literal[1]
    units: list[UnitIn]
    groups: list[GroupIn] = Field(default_factory=list)


# -- plan file ----------------------------------------------------------------------------


class BasisIn(_Strict):
    symbol: Text
    date: Day | None = None
    title: Text
    parent_plan_id: str | None = None


class RecipientIn(_Strict):
    name: Text
    purpose: str | None = None
    unit: Ref | None = None
    group: str | None = None


class SignerIn(_Strict):
    name: Text
    title: Text
    capacity: str | None = None


class RecurrenceIn(_Strict):
    kind: RecurrenceKind
    report_every: PeriodKind | None = None
    deadline_offset_days: int = Field(default=0, ge=0, le=27)
    starts_on: Day | None = None  # default: the plan date
    ends_on: Day | None = None  # default: 31 December of the plan year


class KpiIn(_Strict):
    id: str | None = None  # default: "<task id>.kpi<n>"
    metric: KpiMetric
    target: int = Field(ge=0)
    per: PeriodKind
    topic: Topic | None = None
    unit: Ref | None = None
    per_unit: bool = False


class TaskIn(_Strict):
    id: Text
    title: Text
    description: str = ""
    lead: Ref | None = None
    lead_group: str | None = None
    coordinating: list[Ref] = Field(default_factory=list)
    responsible_person: str | None = None
    expected_result: str | None = None
    due: Day | None = None
    recurrence: RecurrenceIn | None = None
    topics: list[Topic] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    kpis: list[KpiIn] = Field(default_factory=list)
    subtasks: list[TaskIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> TaskIn:
        if (self.due is None) == (self.recurrence is None):
            raise ValueError("give exactly one of 'due' and 'recurrence'")
        if self.lead is None and self.lead_group is None:
            raise ValueError("give 'lead' (a unit) or 'lead_group' (one subtask per unit)")
        if self.lead_group is not None and self.subtasks:
            raise ValueError("a task with 'lead_group' cannot also list 'subtasks'")
        return self


class PlanIn(_Strict):
    id: str | None = None  # default derived from number and year
    number: Text
    issuer: Ref
    place: Text
    date: Day
    year: int = Field(ge=2000, le=2100)
    title: Text
    basis: list[BasisIn] = Field(default_factory=list)
    objectives: list[Text] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    target_areas: list[Text] = Field(default_factory=list)
    audiences: list[Text] = Field(default_factory=list)
    recipients: list[RecipientIn] = Field(default_factory=list)
    signer: SignerIn | None = None


class PlanDocument(_Strict):
    format_version: Literal[1]
    plan: PlanIn
    groups: list[GroupIn] = Field(default_factory=list)
    tasks: list[TaskIn] = Field(default_factory=list)
