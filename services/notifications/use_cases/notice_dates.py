"""The date a notice resolves its recipients on, and the issuer's name on that date.

A notice of a plan resolves as of the plan's period (`domain.as_of.plan_as_of`), from what
notifications knows of the plan by its events (`plan.created`, `plan.issued`), or, for a plan
whose events have not arrived, from `plans.get_plan`. The request's `as_of` overrides it."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.contracts.errors import ErrorCode, ServiceError
from services.notifications.context import Context
from services.notifications.domain.as_of import plan_as_of
from services.notifications.domain.preferences import to_local
from services.notifications.use_cases import directory


def remember_plan(ctx: Context, plan_id: str, fields: dict[str, Any]) -> None:
    """What a plan's event tells of it (`plan.created`, `plan.issued`), kept by plan id."""
    with ctx.uow as uow:
        uow.configuration.record_known_plan(plan_id, fields)
        uow.commit()


def known_plan_reply(ctx: Context, plan_id: str) -> dict[str, Any]:
    found = ctx.uow.configuration.known_plan(plan_id)
    if found is None:
        raise ServiceError(ErrorCode.NOT_FOUND, f"plan {plan_id} is not known here")
    found["plan_id"] = found.pop("_id")
    return found


def known_plan(ctx: Context, plan_id: str) -> dict[str, Any] | None:
    """The plan as its events told it, else as plans answers (kept for the next notice). A
    draft's date is not in `plan.created`: plans is asked for it."""
    found = ctx.uow.configuration.known_plan(plan_id)
    plans = ctx.remote
    if (found is not None and found.get("year") and found.get("issued_on")) or plans is None:
        return found
    remote = directory.ask_plans("give the plan", lambda: plans.get_plan(plan_id),
                                 plan_id=plan_id)
    if remote is None:
        return found
    with ctx.uow as uow:
        uow.configuration.record_known_plan(plan_id, {
            "number": remote.get("number"), "title": remote.get("title"),
            "status": remote.get("status"), "issuer_unit_id": remote.get("issuer_unit_id"),
            "year": remote.get("year"), "issued_on": remote.get("issued_on")})
        uow.commit()
    return ctx.uow.configuration.known_plan(plan_id)


def resolution_day(ctx: Context, requested: date | None, plan: dict[str, Any] | None) -> date:
    """The request's date, else a day of the plan's period, else today (in Gia Lai)."""
    if requested is not None:
        return requested
    today = to_local(ctx.now()).date()
    if plan is None:
        return today
    issued = plan.get("issued_on")
    return plan_as_of(plan.get("year"), date.fromisoformat(issued) if issued else None, today)


def signature(ctx: Context, plan: dict[str, Any] | None, day: date) -> tuple[str | None, str]:
    """The issuer (the plan's issuing unit) and its name on `day`; without a known issuer,
    the configured sender."""
    issuer_id = (plan or {}).get("issuer_unit_id")
    if issuer_id:
        unit = directory.find_unit(ctx, issuer_id)
        if unit is not None:
            return issuer_id, unit.name_on(day)
    return issuer_id, ctx.settings.sender_name
