"""The local recipient directory, and the fallback to the plans service for unknown units.

Units live in `recipients` (maintained by upsert_recipient / import_recipients, and units
fetched from plans, kept with their validity and former names). A group defined here (by
`groups` on local recipients) resolves here; any other group is resolved by plans on the
notice's date (`plans.resolve_group(as_of)`), its members read like units named one by one: a
unit unknown here, or fetched from plans more than `PLANS_UNIT_TTL` ago, is asked of plans
(`plans.get_unit`). What neither knows is reported as an unknown recipient, never silently
skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from services.contracts.notifications import PreferencesModel, RecipientUnitModel, RecipientView
from services.notifications.context import Context
from services.notifications.domain.errors import NotFoundError
from services.notifications.domain.preferences import RecipientUnit
from services.notifications.domain.vocabulary import Channel
from services.notifications.repositories.codec import public, recipient_to_domain

log = logging.getLogger(__name__)
T = TypeVar("T")

GROUP_PREFIX = "group:"
# A unit fetched from plans is read again after this long (contacts, validity, names change).
PLANS_UNIT_TTL = timedelta(hours=1)


def recipient_document(model: RecipientUnitModel, source: str = "local") -> dict[str, Any]:
    data = model.model_dump(mode="json")
    unit_id = data.pop("unit_id")
    return {"_id": unit_id, **data, "source": source, "updated_at": datetime.now(UTC)}


def upsert(ctx: Context, model: RecipientUnitModel, source: str = "local") -> dict[str, Any]:
    doc = recipient_document(model, source)
    if source == "plans":
        doc = _keep_local_settings(doc, ctx.uow.recipients.find(doc["_id"]))
    ctx.uow.recipients.replace(doc)
    return view(doc)


def _keep_local_settings(fresh: dict[str, Any], kept: dict[str, Any] | None
                         ) -> dict[str, Any]:
    """A unit read again from plans keeps what was set here: its preferences (set by its
    editor), webhook secret, local groups, and contacts on channels plans does not give."""
    if not kept:
        return fresh
    if kept.get("preferences_set_at"):
        fresh.update(preferences=kept["preferences"],
                     preferences_set_at=kept["preferences_set_at"],
                     preferences_set_by=kept.get("preferences_set_by"))
    fresh["webhook_secret"] = fresh.get("webhook_secret") or kept.get("webhook_secret")
    fresh["groups"] = sorted(set(fresh.get("groups") or []) | set(kept.get("groups") or []))
    channels = {c["channel"] for c in fresh.get("contacts") or []}
    fresh["contacts"] = [*(fresh.get("contacts") or []),
                         *(c for c in kept.get("contacts") or [] if c["channel"] not in channels)]
    return fresh


def set_preferences(ctx: Context, unit_id: str, preferences: PreferencesModel,
                    actor: str | None) -> dict[str, Any]:
    """A unit's own channel order, quiet hours and digest time (kept when plans' copy of the
    unit is read again)."""
    if find_unit(ctx, unit_id) is None:
        raise NotFoundError(f"recipient unit {unit_id} is not in the directory",
                            {"unit_ids": [unit_id]})
    with ctx.uow as uow:
        uow.recipients.set_preferences(unit_id, preferences.model_dump(mode="json"),
                                       datetime.now(UTC), actor)
        uow.commit()
    return get(ctx, unit_id)


def page(ctx: Context, group: str | None, after: str | None, limit: int) -> dict[str, Any]:
    """Recipients by unit id (the cursor), optionally one group's."""
    rows = ctx.uow.recipients.page(group, after, limit + 1)
    items = [view(r) for r in rows[:limit]]
    return {"items": items, "next_cursor": items[-1]["unit_id"] if len(rows) > limit else None}


def delete(ctx: Context, unit_id: str) -> dict[str, Any]:
    return {"unit_id": unit_id, "deleted": ctx.uow.recipients.delete(unit_id)}


def upsert_many(ctx: Context, models: Iterable[RecipientUnitModel]) -> int:
    """Import: one bulk write for the whole list."""
    return ctx.uow.recipients.replace_many([recipient_document(m) for m in models])


def view(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in (public(doc) or {}).items()
           if not k.startswith("preferences_set")}
    out["unit_id"] = out.pop("id")
    out["has_webhook_secret"] = bool(out.pop("webhook_secret", None))
    return RecipientView.model_validate(out).model_dump(mode="json")


def get(ctx: Context, unit_id: str) -> dict[str, Any]:
    doc = ctx.uow.recipients.find(unit_id)
    if doc is None:
        raise NotFoundError(f"recipient unit {unit_id} is not in the directory",
                            {"unit_ids": [unit_id]})
    return view(doc)


def from_plans_unit(raw: dict[str, Any]) -> RecipientUnitModel | None:
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
    former = [{"name": f["name"], "until": f["until"]} for f in raw.get("former_names") or []
              if isinstance(f, dict) and f.get("name") and f.get("until")]
    try:
        return RecipientUnitModel.model_validate({
            "valid_from": raw.get("valid_from"), "valid_to": raw.get("valid_to"),
            "former_names": former,
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
    """Recipients of a notice: the units found, the references nobody knows, and the units
    named one by one that did not exist on the notice's date."""

    units: dict[str, RecipientUnit] = field(default_factory=dict)
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    inactive: list[str] = field(default_factory=list)

    @property
    def unit_ids(self) -> list[str]:
        return list(self.units)


def resolve(ctx: Context, references: Iterable[str], as_of: date | None = None) -> Resolution:
    """Expand groups as of `as_of` (default today), look units up locally, then in plans;
    keep the order given."""
    now = datetime.now(UTC)
    day = as_of or now.date()
    result = Resolution()
    wanted: list[str] = []
    found: dict[str, dict[str, Any]] = {}
    named: set[str] = set()
    for ref in dict.fromkeys(references):
        if ref.startswith(GROUP_PREFIX):
            local, remote_ids = _group_members(ctx, ref[len(GROUP_PREFIX):], day)
            if not local and not remote_ids:
                result.unknown.append(ref)
            found.update((m["_id"], m) for m in local)
            wanted.extend([m["_id"] for m in local] + remote_ids)
        else:
            wanted.append(ref)
            named.add(ref)
    wanted = list(dict.fromkeys(wanted))
    missing = [unit_id for unit_id in wanted if unit_id not in found]
    if missing:
        found.update(ctx.uow.recipients.by_id(missing))
    for unit_id in wanted:
        doc = _current(ctx, unit_id, found.get(unit_id), now)
        if doc is None:
            result.unknown.append(unit_id)
            continue
        unit = recipient_to_domain(doc)
        result.docs[unit_id] = doc
        result.units[unit_id] = unit
        if unit_id in named and not unit.exists_on(day):
            result.inactive.append(unit_id)
    return result


def find_unit(ctx: Context, unit_id: str) -> RecipientUnit | None:
    """One unit, from the directory or plans."""
    doc = _current(ctx, unit_id, ctx.uow.recipients.find(unit_id), datetime.now(UTC))
    return recipient_to_domain(doc) if doc is not None else None


def _current(ctx: Context, unit_id: str, doc: dict[str, Any] | None,
             now: datetime) -> dict[str, Any] | None:
    """The unit's document, fetched from plans when unknown here or fetched too long ago
    (the copy kept when plans does not answer)."""
    if doc is None or (doc.get("source") == "plans" and _stale(doc, now)):
        return _fetch_remote(ctx, unit_id) or doc
    return doc


def ask_plans(what: str, question: Callable[[], T], **about: str) -> T | None:
    """Plans' answer, or None when plans does not answer (logged with what was asked): a
    notice goes on with what notifications already knows."""
    try:
        return question()
    except Exception as exc:
        log.warning(f"plans could not {what}", extra={**about, "error": str(exc)[:200]})
        return None


def _stale(doc: dict[str, Any], now: datetime) -> bool:
    updated = doc.get("updated_at")
    return updated is None or now - updated > PLANS_UNIT_TTL


def _group_members(ctx: Context, group: str, day: date
                   ) -> tuple[list[dict[str, Any]], list[str]]:
    """A group defined here (whole documents of its local members), else the ids plans
    gives for the units of the group that existed on `day`."""
    members = ctx.uow.recipients.local_group(group)
    remote = ctx.remote
    if members or remote is None:
        return members, []
    return [], list(ask_plans("resolve group", lambda: remote.resolve_group(group, day),
                              group=group) or [])


def _fetch_remote(ctx: Context, unit_id: str) -> dict[str, Any] | None:
    remote = ctx.remote
    if remote is None:
        return None
    raw = ask_plans("give the unit", lambda: remote.get_unit(unit_id), unit_id=unit_id)
    model = from_plans_unit(raw) if raw else None
    if model is None:
        return None
    upsert(ctx, model, source="plans")
    return ctx.uow.recipients.find(model.unit_id)
