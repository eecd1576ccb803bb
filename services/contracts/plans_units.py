"""RPC payloads of the plans service for organisation units and unit groups: what callers
send (`UnitModel`, upserts, imports, queries as of a date) and the replies of the unit
queries (`get_unit`, `list_units`, `resolve_group`, `upsert_unit`, `retire_unit`).

`UnitReply` carries the same fields as `UnitModel` without the input checks, so a unit
stored before a rule tightened still reads back."""

from __future__ import annotations

from datetime import date

from pydantic import AliasChoices, Field

from services.contracts.inbound import Inbound
from services.contracts.plans_common import (
    Actor,
    ContactKind,
    DocumentFormat,
    IdempotencyKey,
    PageRequest,
    PressSubtype,
    Reply,
    Request,
    UnitId,
    UnitType,
)


class Area(Inbound):
    province: str | None = Field(default=None, max_length=20, examples=["64"])
    district: str | None = Field(default=None, max_length=20, examples=["622"])
    commune: str | None = Field(default=None, max_length=40)


class ContactModel(Inbound):
    kind: ContactKind
    address: str = Field(min_length=1, max_length=300, examples=["toasoan@baogialai.example.org"])
    label: str | None = Field(default=None, max_length=100, examples=["Tòa soạn"])


class FormerNameModel(Inbound):
    name: str = Field(min_length=1, max_length=300,
                      examples=["Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai"])
    short_name: str = Field(min_length=1, max_length=100, examples=["SVHTTDL"])
    until: date = Field(examples=["2025-02-28"], description="Last day of this name.")


class UnitModel(Inbound):
    id: str = UnitId
    type: UnitType
    subtype: PressSubtype | None = None
    name: str = Field(min_length=1, max_length=300, examples=["Báo Gia Lai"])
    short_name: str = Field(min_length=1, max_length=100, examples=["Báo Gia Lai"])
    parent_id: str | None = Field(default=None, max_length=100, examples=["gl-ubnd"])
    area: Area = Field(default_factory=Area)
    languages: list[str] = Field(default_factory=lambda: ["vi"], min_length=1, max_length=10,
                                 examples=[["vi", "jra", "bdq"]])
    contacts: list[ContactModel] = Field(default_factory=list, max_length=20)
    valid_from: date = Field(examples=["2021-01-01"])
    valid_to: date | None = Field(default=None, examples=["2025-06-30"],
                                  description="Inclusive; null while the unit exists.")
    successor_ids: list[str] = Field(
        default_factory=list, max_length=100, examples=[["gl2-bao-ptth"]],
        description="Units that took over its work when it ended (plan roll-overs follow them).")
    former_names: list[FormerNameModel] = Field(
        default_factory=list, max_length=20,
        description="Names it bore before a renaming, oldest first.")


class UpsertUnitRequest(Request):
    unit: UnitModel
    actor: str = Actor


AsOf = Field(default=None, examples=["2021-02-25"],
             description="The organisation on this date: units valid then, named as then.")


class GetUnitRequest(Request):
    unit_id: str = UnitId
    as_of: date | None = AsOf


class RetireUnitRequest(Request):
    unit_id: str = UnitId
    valid_to: date = Field(examples=["2025-06-30"], description="Last day the unit exists.")
    actor: str = Actor


class ListUnitsRequest(PageRequest):
    type: UnitType | None = None
    active_on: date | None = Field(default=None, examples=["2021-02-25"],
                                   description="Units valid on this date (see `as_of`).")
    as_of: date | None = AsOf
    parent_id: str | None = Field(default=None, max_length=100)


class GroupModel(Inbound):
    id: str = Field(min_length=1, max_length=100, examples=["local-press"])
    name: str = Field(min_length=1, max_length=300, examples=["Cơ quan báo chí địa phương"])
    types: list[UnitType] = Field(default_factory=list)
    subtypes: list[PressSubtype] = Field(default_factory=list)
    area: Area | None = None
    parent_id: str | None = None
    unit_ids: list[str] = Field(default_factory=list, max_length=1000)


class UpsertGroupRequest(Request):
    group: GroupModel
    actor: str = Actor


class ListGroupsRequest(Request):
    pass


class ResolveGroupRequest(Request):
    group_id: str = Field(min_length=1, max_length=100, examples=["district-culture-offices"],
                          validation_alias=AliasChoices("group_id", "group"))
    on: date | None = Field(default=None, examples=["2021-02-25"],
                            description="Units active on this date (default: today).")
    as_of: date | None = Field(default=None, examples=["2021-02-25"],
                               description="Same as `on`, which it takes precedence over.")


class ResolvedGroup(Reply):
    group_id: str
    on: date
    unit_ids: list[str]
    items: list[UnitModel] = Field(default_factory=list, description="The units themselves.")


class ImportUnitsRequest(Request):
    content: str = Field(min_length=1, max_length=5_000_000,
                         description="A units file (docs/plan-import-format.md).")
    format: DocumentFormat = "yaml"
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class ImportUnitsResult(Reply):
    created: int
    updated: int
    unchanged: int
    groups: int


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
