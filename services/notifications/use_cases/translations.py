"""Human translations of a notice (Jrai `jra`, Bahnar `bdq`): the translator's list, submit,
an officer's approval or rejection with a reason, and what approval and the deadline of
policy wait release (`delivery_planning.plan_deliveries`)."""

from __future__ import annotations

import logging
from typing import Any

from services.contracts.events.notifications import TranslationApproved
from services.notifications.context import Context
from services.notifications.domain.errors import (
    InvalidTransitionError,
    NotFoundError,
    ValidationFailedError,
)
from services.notifications.domain.translations import (
    TRANSLATION_LANGUAGES,
    TranslationTask,
    language_name,
)
from services.notifications.metrics import TRANSLATION_BACKLOG
from services.notifications.use_cases.delivery_planning import plan_deliveries
from services.runtime.logging import correlation_id

log = logging.getLogger(__name__)


def _task(ctx: Context, notice_id: str, language: str) -> TranslationTask:
    """The notice's task for the language, or an error saying plainly why there is none."""
    if language not in TRANSLATION_LANGUAGES:
        raise ValidationFailedError(
            f"no translation workflow for language {language!r}; translations are made for "
            f"{', '.join(sorted(TRANSLATION_LANGUAGES))}",
            {"language": language, "supported": sorted(TRANSLATION_LANGUAGES)})
    task = ctx.uow.translations.find(notice_id, language)
    if task is not None:
        return task
    if ctx.uow.notices.find(notice_id) is None:
        raise NotFoundError(f"notice {notice_id} not found", {"notice_id": notice_id})
    raise NotFoundError(
        f"notice {notice_id} needs no {language_name(language)} translation: none of its "
        f"recipients reads {language}", {"notice_id": notice_id, "language": language})


def _save(ctx: Context, before: TranslationTask, after: TranslationTask,
          events: list[Any] | None = None) -> dict[str, Any]:
    envelopes = [e.to_envelope(correlation_id.get()) for e in events or []]
    if not ctx.uow.translations.save(before, after, envelopes):
        raise InvalidTransitionError("translation changed meanwhile; reload and retry",
                                     {"task": before.key})
    TRANSLATION_BACKLOG.set(ctx.uow.translations.backlog())
    return view_of(ctx, after)


def submit_translation(ctx: Context, notice_id: str, language: str, translator_id: str,
                       subject: str, body: str) -> dict[str, Any]:
    """A first submission, or a corrected one after a rejection."""
    task = _task(ctx, notice_id, language)
    return _save(ctx, task, task.submit(translator_id, subject, body, ctx.now()))


def approve_translation(ctx: Context, notice_id: str, language: str, reviewer_id: str
                        ) -> dict[str, Any]:
    """Approve a submitted translation; that version (and, under policy wait, the held
    Vietnamese copy) goes to the units reading it at once."""
    task = _task(ctx, notice_id, language)
    approved = task.approve(reviewer_id, ctx.now())
    event = TranslationApproved(translation_id=task.key, notice_id=notice_id,
                                language=language, approved_by=reviewer_id)
    result = _save(ctx, task, approved, [event])
    notice = ctx.uow.notices.find(notice_id)
    if notice is not None:
        plan_deliveries(ctx, notice)
    return result


def reject_translation(ctx: Context, notice_id: str, language: str, reviewer_id: str,
                       reason: str) -> dict[str, Any]:
    """Return a submitted translation to its translator with the reason."""
    task = _task(ctx, notice_id, language)
    return _save(ctx, task, task.reject(reviewer_id, reason, ctx.now()))


def list_translations(ctx: Context, status: str | None, language: str | None,
                      notice_id: str | None, limit: int,
                      after: str | None = None) -> list[dict[str, Any]]:
    """Translation tasks with the Vietnamese text to translate and the notice's deadline,
    a page at a time (`after`: the last id of the previous page)."""
    rows = ctx.uow.translations.rows(status=status, language=language, notice_id=notice_id,
                                     limit=limit, after=after)
    notices = ctx.uow.notices.by_id(sorted({r["notice_id"] for r in rows}))
    return [_view(row, notices.get(row["notice_id"])) for row in rows]


def view_of(ctx: Context, task: TranslationTask) -> dict[str, Any]:
    [row] = ctx.uow.translations.rows(status=None, language=task.language,
                                      notice_id=task.notice_id, limit=1)
    return _view(row, ctx.uow.notices.find(task.notice_id))


def _view(row: dict[str, Any], notice: dict[str, Any] | None) -> dict[str, Any]:
    fields = {k: v for k, v in row.items() if not k.startswith("_")}
    notice = notice or {}
    return {"id": row["_id"], **fields, "source_subject": notice.get("subject"),
            "source_body": notice.get("body"),
            "translation_policy": notice.get("translation_policy"),
            "translation_deadline": notice.get("translation_deadline")}


def release_past_deadline(ctx: Context) -> int:
    """Policy wait: once a notice's translation deadline passes, the Vietnamese copies held
    for units whose translation is not approved go out (each translation still follows when
    approved). Each notice once; a re-run releases nothing twice."""
    now = ctx.now()
    released = 0
    for notice in ctx.uow.notices.past_translation_deadline(now):
        plan_deliveries(ctx, notice)
        ctx.uow.notices.close_translation_hold(notice["_id"], now)
        released += 1
    if released:
        log.info("translation deadlines passed", extra={"notices": released})
    return released


