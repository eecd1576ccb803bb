"""RPC payloads of the plans service for changing what is on record: a correction of an
accepted report (and the plan roll-over). Kept apart from the commands that create them
(`plans_documents.py`, `plans_reports.py`)."""

from __future__ import annotations

from pydantic import Field

from services.contracts.plans_common import Actor, IdempotencyKey, PlanId, Reply, Request
from services.contracts.plans_documents import PlanSummary
from services.contracts.plans_reports import NewReportRequest


class CorrectReportRequest(NewReportRequest):
    """A correction of an accepted report: the whole corrected content and why. It is reviewed
    like any report; once accepted it supersedes the original (both stay on record) and
    progress counts the correction."""

    # The corrected figure of the reason's example.
    narrative: str = Field(default="", max_length=20_000, examples=[
        "Trong quý I, Báo Gia Lai đăng 41 tin, bài về phòng, chống ma túy."])
    report_id: str = Field(min_length=1, max_length=100,
                           description="The accepted report to correct.")
    reason: str = Field(min_length=1, max_length=2000, examples=[
        "Số tin, bài quý I nhập nhầm: 14 thay vì 41"])


class RollOverRequest(Request):
    """Start next year's plan as a copy of this one: a draft with dates shifted by whole years
    and units replaced by their successors valid on the new date."""

    plan_id: str = PlanId
    target_year: int = Field(ge=2000, le=2100, examples=[2026],
                             description="A year after the source plan's.")
    number: str | None = Field(
        default=None, min_length=3, max_length=50, examples=["12/KH-SVHTTDL"],
        description="Default: the source's number and type, with the new issuer's code when "
                    "the issuer changed.")
    new_plan_id: str | None = Field(
        default=None, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$",
        examples=["plan-25-kh-svhttdl-2026"],
        description="Default: derived from the number and year (a second roll-over to the "
                    "same year finds the first).")
    title: str | None = Field(default=None, min_length=1, max_length=500, description=(
        "Default: the source's title with its year replaced."))
    issuer_unit_id: str | None = Field(
        default=None, max_length=100, examples=["gl2-svhttdl"],
        description="Default: the unit standing for the source's issuer on the new date.")
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class UnmappedModel(Reply):
    where: str = Field(examples=["tasks[vhtt-information.pvhtt-pleiku].lead_unit_id"])
    unit_id: str | None = Field(default=None, examples=["pvhtt-pleiku"])
    outcome: str = Field(examples=["ambiguous_successors"], description=(
        "no_successor, ambiguous_successors, unknown_unit, merged or parent_left_out"))
    action: str = Field(examples=["task_left_out"], description=(
        "task_left_out, unit_dropped, kpi_dropped, kept_as_text or merged"))
    reason: str
    task_id: str | None = None
    candidates: list[str] = Field(default_factory=list,
                                  examples=[["gl2-phuong-hoi-phu", "gl2-phuong-pleiku"]])


class RollOverResult(Reply):
    plan: PlanSummary
    source_plan_id: str
    tasks: int = Field(description="Tasks carried over.")
    unmapped: list[UnmappedModel] = Field(
        default_factory=list, description="What could not be carried over as it was, and why.")
    created: bool = Field(description="False when this roll-over had been done before.")
