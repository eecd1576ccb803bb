"""Use cases of the plans service: (command, repository) -> result."""

from __future__ import annotations

from typing import Any

from services.contracts.events import PlanCreated
from services.contracts.plans import CreatePlanRequest, PlanSummary
from services.plans.repository import PlanRepository


def normalise_number(number: str) -> str:
    return "".join(number.split()).upper()


def create_plan(request: CreatePlanRequest, repo: PlanRepository,
                correlation_id: str | None) -> PlanSummary:
    plan_id = repo.new_id()
    plan: dict[str, Any] = {
        "_id": plan_id, "number": request.number, "number_key": normalise_number(request.number),
        "issuer_unit_id": request.issuer_unit_id, "title": request.title, "year": request.year,
        "issued_on": request.issued_on.isoformat() if request.issued_on else None,
        "place": request.place, "topics": request.topics, "status": "draft", "revision": 0,
    }
    if request.idempotency_key:
        plan["idempotency_key"] = request.idempotency_key
    event = PlanCreated(plan_id=plan_id, number=request.number,
                        issuer_unit_id=request.issuer_unit_id, title=request.title,
                        year=request.year, status="draft", topics=request.topics)
    stored = repo.insert(plan, [event.to_envelope(correlation_id)])
    return summary(stored)


def summary(plan: dict[str, Any]) -> PlanSummary:
    return PlanSummary(id=plan["_id"], number=plan["number"],
                       issuer_unit_id=plan["issuer_unit_id"], title=plan["title"],
                       year=plan["year"], status=plan["status"], topics=plan["topics"],
                       revision=plan.get("revision", 0))
