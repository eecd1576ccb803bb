"""RPC payloads of the plans service."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Request(BaseModel):
    """Base of RPC requests: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CreatePlanRequest(Request):
    number: str = Field(min_length=3, max_length=50, examples=["25/KH-STTTT"])
    issuer_unit_id: str = Field(min_length=1, max_length=100, examples=["so-tttt-gia-lai"])
    title: str = Field(min_length=1, max_length=500, examples=[
        "Kế hoạch thông tin, tuyên truyền phòng, chống tội phạm, tệ nạn xã hội năm 2021"])
    year: int = Field(ge=2000, le=2100, examples=[2021])
    issued_on: date | None = Field(default=None, examples=["2021-02-25"])
    place: str | None = Field(default=None, max_length=100, examples=["Gia Lai"])
    topics: list[str] = Field(default_factory=list, max_length=50, examples=[["drugs"]])
    idempotency_key: str | None = Field(
        default=None, max_length=100,
        description="Retrying with the same key returns the first result instead of a duplicate.")


class PlanSummary(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    number: str
    issuer_unit_id: str
    title: str
    year: int
    status: str
    topics: list[str]
    revision: int = 0
