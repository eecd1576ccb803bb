"""Versions of the learned model: trained on demand as a job (the labelled sets shipped in
data/eval and operators' labels), evaluated on a held-out fifth of the stories with the rules,
activated only when topic micro-F1 and harmful recall do not drop against the active version
on the same held-out set; any version can be activated again (restored)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from services.contracts import monitoring_models as mm
from services.contracts.errors import Conflict, NotFound
from services.monitoring.domain.model import TextModel
from services.monitoring.domain.training import (
    Labelled,
    evaluate,
    held_out_split,
    no_worse,
    train_model,
)
from services.monitoring.model_files import eval_sets
from services.monitoring.use_cases.context import Context


class Running(Protocol):
    """Work running elsewhere (a green thread over an OS thread): done when `dead`."""

    dead: bool

    def wait(self) -> Any: ...


# Runs a CPU-bound call off the service's event loop, and a call in the background.
Offload = Callable[[Callable[[], Any]], Running]
Spawn = Callable[[Callable[[], None]], Any]


def operator_items(ctx: Context) -> list[Labelled]:
    """Items officers labelled with both topics and the harmful flag."""
    return [Labelled(row.id, row.title, row.body, frozenset(row.topics or ()),
                     bool(row.harmful), row.dup_of or row.id, "operators")
            for row in ctx.uow.labels.labelled_items()
            if row.topics is not None and row.harmful is not None]


def start_training(request: mm.TrainModelRequest, ctx: Context, spawn: Spawn,
                   offload: Offload, sleep: Callable[[float], Any]) -> mm.TrainJobReply:
    """Start a training job (409 while another runs); its progress: `train_job`."""
    now = ctx.now()
    job_id = f"job-{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    if not ctx.uow.model_jobs.start(job_id, request.actor, now):
        raise Conflict("a model is being trained: wait for its job to finish")
    work = ctx.fresh()
    spawn(lambda: run_training(job_id, request, work, offload, sleep))
    return train_job(mm.TrainJobRef(job_id=job_id), ctx)


def run_training(job_id: str, request: mm.TrainModelRequest, ctx: Context, offload: Offload,
                 sleep: Callable[[float], Any]) -> None:
    jobs = ctx.uow.model_jobs
    try:
        jobs.progress(job_id, 0.02, "reading labelled items")
        items = eval_sets() + (operator_items(ctx) if request.operator_labels else [])
        train, held_out = held_out_split(items)
        reference = ctx.ingestion.reference
        ctx.ingestion.start()
        classifier, scorer, active = reference.classifier, reference.scorer, reference.model
        assert classifier is not None
        now = ctx.now()
        version = f"m-{now:%Y%m%d-%H%M%S}-{job_id[-6:]}"
        progress: dict[str, Any] = {"fraction": 0.05, "stage": "features"}

        def report(fraction: float, stage: str) -> None:
            progress.update(fraction=0.05 + 0.75 * fraction, stage=stage)

        def work() -> tuple[TextModel, dict[str, float], dict[str, float], float]:
            started = time.perf_counter()
            model = train_model(train, version, progress=report)
            seconds = time.perf_counter() - started
            progress.update(fraction=0.85, stage="evaluating on the held-out set")
            return (model, evaluate(classifier, scorer, model, held_out),
                    evaluate(classifier, scorer, active, held_out), seconds)

        running = offload(work)
        while not running.dead:  # progress written from here: the work runs off the loop
            jobs.progress(job_id, progress["fraction"], str(progress["stage"]))
            sleep(0.5)
        model, metrics, before, seconds = running.wait()
        activate = no_worse(metrics, before)
        sources = "data/eval/*.jsonl" + (" and operators' labels" if request.operator_labels
                                         else "")
        with ctx.uow as uow:
            uow.models.add(version, model.to_bytes(), {
                "created_at": now, "trained_by": request.actor,
                "training_set": f"{sources}: {len(train)} items trained on, {len(held_out)} "
                                f"held out (a stable fifth of the stories)"
                                + (f"; {request.note}" if request.note else ""),
                "training_items": len(train), "held_out_items": len(held_out),
                "metrics": metrics, "seconds": round(seconds, 2),
                "compared_with": {"version": active.version if active else None, **before}})
            if activate:
                uow.models.activate(version, request.actor, ctx.now())
                uow.state.bump("model")
            uow.commit()
        jobs.finish(job_id, ctx.now(), state="done", progress=1.0, stage="done",
                    version=version, activated=activate)
    except Exception as exc:  # the job says what went wrong; the lock is released
        jobs.finish(job_id, ctx.now(), state="failed", stage="failed", error=str(exc)[:500])


def train_job(request: mm.TrainJobRef, ctx: Context) -> mm.TrainJobReply:
    found = ctx.uow.model_jobs.get(request.job_id)
    if found is None:
        raise NotFound(f"training job {request.job_id} not found")
    return found


def list_models(ctx: Context) -> list[mm.ModelVersionReply]:
    return ctx.uow.models.versions()


def activate_model(request: mm.ModelVersionRef, ctx: Context) -> mm.ModelVersionReply:
    """Make a version the active one (restore an earlier one); every replica loads it
    before its next batch."""
    with ctx.uow as uow:
        if uow.models.get(request.version) is None:
            raise NotFound(f"model version {request.version} not found")
        uow.models.activate(request.version, request.actor, ctx.now())
        uow.state.bump("model")
        uow.commit()
    found = ctx.uow.models.get(request.version)
    assert found is not None
    return found
