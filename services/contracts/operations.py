"""Payloads of the operator methods every service serves (dead letters, event status)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

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
                           examples=[["5b0c3f7a9e2d4c1b8a6f0e3d2c1b0a99"]],
                           description="Dead letters to apply again, by id.")


class DeadLetterView(BaseModel):
    """An event a consumer could not apply, kept for an operator to see and replay."""

    model_config = ConfigDict(extra="ignore")

    id: str
    service: str = Field(examples=["notifications"])
    consumer: str = Field(examples=["on_task_assigned"])
    event_type: str = Field(examples=["task.assigned"])
    event_id: str | None = None
    body: dict[str, Any] | str = Field(description="The message as received.")
    reason: str = Field(examples=["handler_failed", "invalid_payload"])
    error: str = Field(examples=["ValidationFailedError: invalid notice"])
    traceback: str = ""
    status: str = Field(examples=["pending", "replayed"])
    first_at: datetime
    replays: int = 0
    replayed_at: datetime | None = None


class EventStatusRequest(OperationsRequest):
    event_id: str = Field(min_length=1, max_length=100)
