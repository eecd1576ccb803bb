"""RPC payloads of the plans service for changing what is on record: a correction of an
accepted report (and the plan roll-over). Kept apart from `plans.py`, the core commands."""

from __future__ import annotations

from pydantic import Field

from services.contracts.plans import (
    Actor,
    AttachmentModel,
    EvidenceLinkModel,
    IdempotencyKey,
    ReportCountModel,
    Request,
)


class CorrectReportRequest(Request):
    """A correction of an accepted report: the whole corrected content and why. It is reviewed
    like any report; once accepted it supersedes the original (both stay on record) and
    progress counts the correction."""

    report_id: str = Field(min_length=1, max_length=100,
                           description="The accepted report to correct.")
    reason: str = Field(min_length=1, max_length=2000, examples=[
        "Số tin, bài quý I nhập nhầm: 14 thay vì 41"])
    counts: list[ReportCountModel] = Field(default_factory=list, max_length=100)
    narrative: str = Field(default="", max_length=20_000, examples=[
        "Trong quý I, Báo Gia Lai đăng 41 tin, bài về phòng, chống ma túy."])
    links: list[EvidenceLinkModel] = Field(default_factory=list, max_length=200)
    attachments: list[AttachmentModel] = Field(default_factory=list, max_length=50)
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey
