"""RPC payloads of the learned model's versions: train one on demand (a job with progress),
list them, activate one (or restore an earlier one). A new version becomes active only when
topic micro-F1 and harmful recall on the held-out set do not drop against the active one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from services.contracts.monitoring import Actor, Reply, Request

VersionField = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$",
                     examples=["m-20261207-180000"])
JobField = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$",
                 examples=["job-20261207-180000"])


class TrainModelRequest(Request):
    operator_labels: bool = Field(
        default=True, description="Train on operators' labels (PUT /items/{id}/labels) "
                                  "besides the labelled sets shipped in data/eval.")
    note: str | None = Field(default=None, max_length=500)
    actor: str = Actor


class TrainJobRef(Request):
    job_id: str = JobField


class ModelVersionRef(Request):
    version: str = VersionField
    actor: str = Actor


class ListModelsRequest(Request):
    pass


class Metrics(Reply):
    """Figures on the held-out set, rules and model together."""

    topics_micro_f1: float
    topics_precision: float
    topics_recall: float
    harmful_precision: float
    harmful_recall: float
    items: int


class ModelVersionReply(Reply):
    version: str
    created_at: datetime
    trained_by: str
    training_set: str = Field(description="What it learned from.")
    training_items: int
    held_out_items: int
    metrics: Metrics | None = Field(default=None, description="On its held-out set.")
    compared_with: dict[str, Any] | None = Field(
        default=None, description="The version active when it was trained and its figures "
                                  "on the same held-out set.")
    seconds: float | None = None
    active: bool
    activated_at: datetime | None = None
    activated_by: str | None = None


class TrainJobReply(Reply):
    job_id: str
    state: str = Field(description="running | done | failed")
    progress: float = Field(ge=0, le=1)
    stage: str
    started_at: datetime
    finished_at: datetime | None = None
    started_by: str
    version: str | None = Field(default=None, description="The version trained (when done).")
    activated: bool | None = Field(default=None, description="Whether it became active: only "
                                   "if topic micro-F1 and harmful recall did not drop.")
    error: str | None = None
