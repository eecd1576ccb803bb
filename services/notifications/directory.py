"""The local recipient directory, and the fallback to the plans service for unknown units.

Units live in `recipients` (maintained by upsert_recipient / import_recipients). A unit or
group unknown here is asked of plans (`plans.get_unit`, `plans.resolve_group`) through an
injected `RemoteUnits`; what neither knows is reported as an unknown recipient, never
silently skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from pymongo import ReplaceOne
from pymongo.database import Database

from services.contracts.notifications import RecipientModel, RecipientView
from services.notifications.domain.errors import NotFoundError
from services.notifications.domain.preferences import Channel, RecipientUnit
from services.notifications.repository import RECIPIENTS, public, recipient_to_domain

log = logging.getLogger(__name__)

GROUP_PREFIX = "group:"


class RemoteUnits(Protocol):
    """Read access to the plans service's organisation units (may answer None/[])."""

    def get_unit(self, unit_id: str) -> dict[str, Any] | None: ...

    def resolve_group(self, group: str) -> list[dict[str, Any]]: ...


def recipient_document(model: RecipientModel, source: str = "local") -> dict[str, Any]:
    data = model.model_dump(mode="json")
    unit_id = data.pop("unit_id")
    return {"_id": unit_id, **data, "source": source, "updated_at": datetime.now(UTC)}


def upsert(db: Database, model: RecipientModel, source: str = "local") -> dict[str, Any]:
    doc = recipient_document(model, source)
    db[RECIPIENTS].replace_one({"_id": doc["_id"]}, doc, upsert=True)
    return view(doc)


def upsert_many(db: Database, models: Iterable[RecipientModel]) -> int:
    """Import: one bulk write for the whole list."""
    return upsert_documents(db, [recipient_document(m) for m in models])


def upsert_documents(db: Database, docs: list[dict[str, Any]]) -> int:
    operations = [ReplaceOne({"_id": doc["_id"]}, doc, upsert=True) for doc in docs]
    if operations:
        db[RECIPIENTS].bulk_write(operations, ordered=False)
    return len(operations)


def view(doc: dict[str, Any]) -> dict[str, Any]:
    out = public(doc) or {}
    out["unit_id"] = out.pop("id")
    out["has_webhook_secret"] = bool(out.pop("webhook_secret", None))
    return RecipientView.model_validate(out).model_dump(mode="json")


def get(db: Database, unit_id: str) -> dict[str, Any]:
    doc = db[RECIPIENTS].find_one({"_id": unit_id})
    if doc is None:
        raise NotFoundError(f"recipient unit {unit_id} is not in the directory",
                            {"unit_ids": [unit_id]})
    return view(doc)


def from_plans_unit(raw: dict[str, Any]) -> RecipientModel | None:
    """Map a unit as the plans service describes it (tolerant of its evolving shape)."""
    unit_id = raw.get("unit_id") or raw.get("id")
    if not unit_id:
        return None
    known = {c.value for c in Channel}
    contacts = []
    for contact in raw.get("contacts") or []:
        channel = contact.get("channel") or contact.get("kind")
        if channel in known and contact.get("address"):
            contacts.append({"channel": channel, "address": contact["address"],
                             "active": contact.get("active", True)})
    area = raw.get("area")
    try:
        return RecipientModel.model_validate({
            "unit_id": unit_id, "name": raw.get("name") or unit_id,
            "parent_id": raw.get("parent_id") or raw.get("parent"),
            "unit_type": raw.get("unit_type") or raw.get("type"),
            "area_code": raw.get("area_code") or (area.get("district") or area.get("province")
                                                  if isinstance(area, dict) else None),
            "groups": raw.get("groups") or [],
            "languages": raw.get("languages") or ["vi"], "contacts": contacts,
            **({"preferences": raw["preferences"]} if raw.get("preferences") else {})})
    except Exception as exc:
        log.warning("unit from plans not understood", extra={"unit_id": unit_id,
                                                              "error": str(exc)[:300]})
        return None


@dataclass
class Resolution:
    """Recipients of a notice: the units found, and the references nobody knows."""

    units: dict[str, RecipientUnit] = field(default_factory=dict)
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    @property
    def unit_ids(self) -> list[str]:
        return list(self.units)


def resolve(db: Database, references: Iterable[str], remote: RemoteUnits | None = None
            ) -> Resolution:
    """Expand groups, look units up locally, then in plans; keep the order given."""
    result = Resolution()
    wanted: list[str] = []
    found: dict[str, dict[str, Any]] = {}
    for ref in dict.fromkeys(references):
        if ref.startswith(GROUP_PREFIX):
            members = _group_members(db, ref[len(GROUP_PREFIX):], remote)
            if not members:
                result.unknown.append(ref)
            found.update((m["_id"], m) for m in members)
            wanted.extend(m["_id"] for m in members)
        else:
            wanted.append(ref)
    wanted = list(dict.fromkeys(wanted))
    # Group members came whole with their group; only units named one by one are read here.
    missing = [unit_id for unit_id in wanted if unit_id not in found]
    if missing:
        found.update((d["_id"], d) for d in db[RECIPIENTS].find({"_id": {"$in": missing}}))
    for unit_id in wanted:
        doc = found.get(unit_id) or _fetch_remote(db, unit_id, remote)
        if doc is None:
            result.unknown.append(unit_id)
            continue
        result.docs[unit_id] = doc
        result.units[unit_id] = recipient_to_domain(doc)
    return result


def load(db: Database, unit_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    return {d["_id"]: d for d in db[RECIPIENTS].find({"_id": {"$in": list(unit_ids)}})}


def _group_members(db: Database, group: str, remote: RemoteUnits | None
                   ) -> list[dict[str, Any]]:
    """The group's units (whole documents), from the directory, else from plans."""
    members = list(db[RECIPIENTS].find({"groups": group}).sort("_id", 1))
    if members or remote is None:
        return members
    try:
        units = remote.resolve_group(group)
    except Exception as exc:
        log.warning("plans could not resolve group", extra={"group": group,
                                                            "error": str(exc)[:200]})
        return []
    for raw in units:
        model = from_plans_unit(raw)
        if model is not None:
            if group not in model.groups:
                model.groups.append(group)
            members.append(recipient_document(model, source="plans"))
    if members:
        upsert_documents(db, members)
    return members


def _fetch_remote(db: Database, unit_id: str, remote: RemoteUnits | None
                  ) -> dict[str, Any] | None:
    if remote is None:
        return None
    try:
        raw = remote.get_unit(unit_id)
    except Exception as exc:
        log.warning("plans could not give the unit", extra={"unit_id": unit_id,
                                                            "error": str(exc)[:200]})
        return None
    model = from_plans_unit(raw) if raw else None
    if model is None:
        return None
    upsert(db, model, source="plans")
    return db[RECIPIENTS].find_one({"_id": model.unit_id})
