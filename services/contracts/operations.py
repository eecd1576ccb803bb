"""Payloads of the operator methods every service serves (dead letters, event status)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class OperationsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PingRequest(OperationsRequest):
    pass


class DeadLettersRequest(OperationsRequest):
    status: Literal["pending", "replayed"] = Field(
        default="pending", description="Which dead letters: not yet replayed, or replayed.")
    limit: int = Field(default=100, ge=1, le=1000)


class ReplayDeadLettersRequest(OperationsRequest):
    ids: list[str] = Field(min_length=1, max_length=1000,
                           description="Dead letters to apply again, by id.")


class EventStatusRequest(OperationsRequest):
    event_id: str = Field(min_length=1, max_length=100)
