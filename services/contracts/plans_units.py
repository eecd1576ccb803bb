"""Replies of the plans service's unit queries (`get_unit`, `list_units`, `resolve_group`,
`upsert_unit`, `retire_unit`): a unit as the service answers it, possibly as of a date.

`UnitModel` (plans.py) is what callers send; these replies carry the same fields without the
input checks, so a unit stored before a rule tightened still reads back."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from services.contracts.plans import Area, ContactModel, FormerNameModel, Reply


class UnitReply(Reply):
    id: str = Field(examples=["bao-gia-lai"])
    type: str = Field(examples=["press_outlet"])
    subtype: str | None = None
    name: str = Field(examples=["Báo Gia Lai"])
    short_name: str = Field(examples=["Báo Gia Lai"])
    parent_id: str | None = None
    area: Area = Field(default_factory=Area)
    languages: list[str] = Field(default_factory=lambda: ["vi"])
    contacts: list[ContactModel] = Field(default_factory=list)
    valid_from: date
    valid_to: date | None = None
    successor_ids: list[str] = Field(default_factory=list)
    former_names: list[FormerNameModel] = Field(default_factory=list)


class UnitPage(Reply):
    items: list[UnitReply]
    next_cursor: str | None = None


class ResolvedUnits(Reply):
    """A group's units on a date, each named as on that date."""

    group_id: str
    on: date
    unit_ids: list[str]
    items: list[UnitReply] = Field(default_factory=list)
