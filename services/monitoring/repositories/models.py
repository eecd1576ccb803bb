"""Versions of the learned model (`models`: the model's bytes, npz arrays and a JSON header,
never pickle, beside what it learned from, its held-out figures and whether it is the active
one) and the training jobs (`model_jobs`: state and progress, and the one lock that keeps two
trainings from running at once)."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from bson.binary import Binary
from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from services.contracts import monitoring_models as mm
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import DocumentWrite, Repository

MODELS = "models"
MODEL_JOBS = "model_jobs"
LOCK = "training-lock"
# A lock older than this belongs to a training whose process died: it may be taken over.
STALE_LOCK = timedelta(hours=1)
_FIELDS = {"data": 0}


class ModelsRepository(InDatabase, Repository):
    stored_in = MODELS
    indexes = (Index(MODELS, "created_at", (("created_at", DESCENDING),)),)

    def versions(self) -> list[mm.ModelVersionReply]:
        """Every version, newest first (without their bytes)."""
        return [reply_of(d) for d in self._records.find({}, _FIELDS).sort("created_at", -1)]

    def get(self, version: str) -> mm.ModelVersionReply | None:
        found = self._records.find_one({"_id": version}, _FIELDS)
        return reply_of(found) if found else None

    def active(self) -> tuple[str, bytes] | None:
        """(version, bytes) of the active version; None: none was trained (the shipped file
        serves)."""
        found = self._records.find_one({"active": True}, {"data": 1})
        return (str(found["_id"]), bytes(found["data"])) if found else None

    def seed(self, version: str, data: bytes, description: dict[str, Any]) -> None:
        """The shipped model as the first version, active, once: it can then be restored
        like any other."""
        if self._records.find_one({}, {"_id": 1}) is None:
            with contextlib.suppress(DuplicateKeyError):
                self._records.insert_one({"_id": version, "data": Binary(data), "active": True,
                                          **description})

    def add(self, version: str, data: bytes, description: dict[str, Any]) -> None:
        self.queue(DocumentWrite(MODELS, version, insert={
            "_id": version, "data": Binary(data), "active": False, **description}))

    def activate(self, version: str, actor: str, now: datetime) -> None:
        """This version active, every other one not (the state's `model` counter tells the
        replicas)."""
        others = [d["_id"] for d in self._records.find({"active": True, "_id": {"$ne": version}},
                                                       {"_id": 1})]
        if others:
            self.queue(DocumentWrite(MODELS, others, update={"$set": {"active": False}}))
        self.queue(DocumentWrite(MODELS, version, update={"$set": {
            "active": True, "activated_at": now, "activated_by": actor}}))


class ModelJobsRepository(InDatabase, Repository):
    """Written at once, not at commit: a job's progress is read while it runs."""

    stored_in = MODEL_JOBS

    def start(self, job_id: str, actor: str, now: datetime) -> bool:
        """Take the training lock and record the job; False: another training runs."""
        jobs = self._records
        jobs.delete_one({"_id": LOCK, "started_at": {"$lt": now - STALE_LOCK}})
        try:
            jobs.insert_one({"_id": LOCK, "job_id": job_id, "started_at": now})
        except DuplicateKeyError:
            return False
        jobs.insert_one({"_id": job_id, "state": "running", "progress": 0.0, "stage": "queued",
                         "started_at": now, "started_by": actor})
        return True

    def progress(self, job_id: str, fraction: float, stage: str) -> None:
        self._records.update_one({"_id": job_id}, {"$set": {
            "progress": round(min(max(fraction, 0.0), 1.0), 3), "stage": stage[:100]}})

    def finish(self, job_id: str, now: datetime, **outcome: Any) -> None:
        """The job's outcome (`state` done or failed, `version`, `activated`, `error`), and
        the lock released."""
        self._records.update_one({"_id": job_id}, {"$set": {"finished_at": now, **outcome}})
        self._records.delete_one({"_id": LOCK, "job_id": job_id})

    def get(self, job_id: str) -> mm.TrainJobReply | None:
        found = self._records.find_one({"_id": job_id}) if job_id != LOCK else None
        return mm.TrainJobReply.model_validate({**found, "job_id": found["_id"]}) \
            if found else None


def reply_of(document: dict[str, Any]) -> mm.ModelVersionReply:
    return mm.ModelVersionReply.model_validate({**document, "version": document["_id"]})
