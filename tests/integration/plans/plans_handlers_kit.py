"""What the plans use-case tests against the real database share: the seed files, a settable
clock, and a plan imported under its own id and number."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from services.contracts.plans_documents import ImportPlanRequest
from services.plans.use_cases.plans import import_plan
from stack.testkit import unique_number

SEED = Path(__file__).resolve().parents[3] / "services" / "plans" / "seed"
UNITS_TEXT = (SEED / "units-gia-lai.yaml").read_text(encoding="utf-8")
PLAN_TEXT = (SEED / "plan-25-KH-STTTT-2021.yaml").read_text(encoding="utf-8")
Q2_2021 = datetime(2021, 4, 2, 2, 0, tzinfo=UTC)  # 09:00 in Gia Lai


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def seed_variant(suffix: str) -> str:
    """The seed plan under another id and number, so tests do not share a plan."""
    number = unique_number()
    return (PLAN_TEXT.replace("id: plan-25-kh-stttt-2021", f"id: plan-{suffix}")
            .replace("number: 25/KH-STTTT", f"number: {number}/KH-STTTT"))


def imported(ctx, issue: bool = True) -> dict:
    suffix = uuid.uuid4().hex[:8]
    result = import_plan(ImportPlanRequest(content=seed_variant(suffix), issue=issue,
                                               actor="officer-1"), ctx)
    return result["plan"]


def outbox_types(collection, _id) -> list[str]:
    doc = collection.find_one({"_id": _id})
    return [e["type"] for e in doc.get("_outbox") or []]
