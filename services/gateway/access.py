"""Who may do what: the role matrix, API-key scopes and unit visibility, as pure functions.

A permission is `<resource>:<action>`. A user's permissions come from its role; an API key acts
with the `system` role restricted to its scopes. Unit-scoped roles (outlet_editor,
local_officer) see only objects of their unit (local officers: and its child units); any other
object answers 404, never 403, so ids of other units' objects do not leak.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from services.contracts.gateway import GRANTABLE_SCOPES, UNIT_SCOPED_ROLES, Role

RESOURCES = ("users", "api_keys", "units", "plans", "tasks", "reports", "notices",
             "translations", "sources", "items", "alerts", "coverage", "alert_rules",
             "topics", "subscriptions", "events", "audit", "recipients",
             "notification_settings", "templates", "preferences", "delivery_reports",
             "dead_letters", "models")
ACTIONS = ("read", "write", "review", "ack")

_READ_ALL = {f"{r}:read" for r in ("units", "plans", "tasks", "reports", "notices",
                                   "translations", "sources", "items", "alerts", "coverage",
                                   "events")}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({f"{r}:{a}" for r in RESOURCES for a in ACTIONS}),
    Role.OFFICER: frozenset(_READ_ALL | {
        "plans:write", "tasks:write", "reports:review", "notices:write", "sources:write",
        "items:write", "items:review", "translations:write", "units:write", "alerts:write",
        "alert_rules:read", "alert_rules:write", "topics:read", "topics:write",
        "audit:read", "recipients:read", "recipients:write", "notification_settings:read",
        "templates:read", "templates:write", "preferences:read", "preferences:write"}),
    Role.OUTLET_EDITOR: frozenset({
        "units:read", "plans:read", "tasks:read", "reports:read", "reports:write",
        "notices:read", "notices:ack", "coverage:read", "events:read", "preferences:read",
        "preferences:write"}),
    Role.LOCAL_OFFICER: frozenset({
        "units:read", "plans:read", "tasks:read", "reports:read", "reports:write",
        "notices:read", "notices:ack", "coverage:read", "events:read", "items:read",
        "preferences:read", "preferences:write"}),
    Role.TRANSLATOR: frozenset({"notices:read", "translations:read", "translations:write",
                                "units:read"}),
    Role.VIEWER: frozenset(_READ_ALL - {"translations:read"}),
    Role.SYSTEM: frozenset(GRANTABLE_SCOPES),
}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    id: str
    role: Role
    kind: str = "user"  # "user" or "api_key"
    unit_id: str | None = None
    scopes: frozenset[str] | None = None  # None: the role's permissions
    owner_id: str | None = None  # API keys: the user who created it
    rate_limit_per_minute: int | None = None
    visible_units: frozenset[str] = field(default_factory=frozenset)

    @property
    def unit_scoped(self) -> bool:
        return self.role in UNIT_SCOPED_ROLES

    @property
    def account_id(self) -> str:
        """Who owns what this principal creates (a key acts for its owner)."""
        return self.owner_id or self.id


def permissions_of(principal: Principal) -> frozenset[str]:
    allowed = ROLE_PERMISSIONS[principal.role]
    return allowed if principal.scopes is None else allowed & principal.scopes


def is_allowed(principal: Principal, permission: str) -> bool:
    return permission in permissions_of(principal)


def invalid_scopes(scopes: Iterable[str]) -> list[str]:
    return sorted(s for s in set(scopes) if s not in ROLE_PERMISSIONS[Role.SYSTEM])


def child_closure(unit_id: str, parent_of: Mapping[str, str | None]) -> frozenset[str]:
    """`unit_id` and every unit below it in the hierarchy (cycles tolerated)."""
    children: dict[str, list[str]] = {}
    for child, parent in parent_of.items():
        if parent:
            children.setdefault(parent, []).append(child)
    seen = {unit_id}
    stack = [unit_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return frozenset(seen)


UNIT_FIELDS = ("unit_id", "lead_unit_id", "outlet_unit_id", "escalated_to_unit_id",
               "issuer_unit_id")
UNIT_LIST_FIELDS = ("coordinating_unit_ids", "recipient_unit_ids", "unit_ids")


def units_of(obj: Mapping[str, Any]) -> set[str]:
    """Every unit an object (an RPC reply or event data) names."""
    found: set[str] = set()
    for key in UNIT_FIELDS:
        value = obj.get(key)
        if isinstance(value, str) and value:
            found.add(value)
    for key in UNIT_LIST_FIELDS:
        value = obj.get(key)
        if isinstance(value, list):
            found.update(v for v in value if isinstance(v, str))
    recipients = obj.get("recipients")
    if isinstance(recipients, list):
        for r in recipients:
            if isinstance(r, str):
                found.add(r)
            elif isinstance(r, Mapping) and isinstance(r.get("unit_id"), str):
                found.add(r["unit_id"])
    return found


def can_see(principal: Principal, obj: Mapping[str, Any] | BaseModel) -> bool:
    """Whether a unit-scoped principal may see an object (an RPC reply, as sent or as its
    catalogue model); others see everything."""
    if not principal.unit_scoped:
        return True
    fields = obj.model_dump() if isinstance(obj, BaseModel) else obj
    return bool(units_of(fields) & principal.visible_units)


EVENT_PREFIXES_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.TRANSLATOR: ("translation.", "notification."),
}


def can_see_event(principal: Principal, event_type: str, data: Mapping[str, Any]) -> bool:
    if not is_allowed(principal, "events:read"):
        return False
    prefixes = EVENT_PREFIXES_BY_ROLE.get(principal.role)
    if prefixes is not None and not event_type.startswith(prefixes):
        return False
    return can_see(principal, data)
