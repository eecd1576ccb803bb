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
from services.notifications.repositories.changing import Changing
from services.notifications.use_cases.delivery_planning import plan_deliveries
from services.runtime.unit_of_work import StaleWrite

log = logging.getLogger(__name__)


def _task(ctx: Context, notice_id: str, language: str) -> Changing[TranslationTask]:
    """The notice's task for the language, or an error saying plainly why there is none."""
    if language not in TRANSLATION_LANGUAGES:
        raise ValidationFailedError(
            f"no translation workflow for language {language!r}; translations are made for "
            f"{', '.join(sorted(TRANSLATION_LANGUAGES))}",
            {"language": language, "supported": sorted(TRANSLATION_LANGUAGES)})
    task = ctx.uow.translations.get(notice_id, language)
    if task is not None:
        return task
    if ctx.uow.notices.find(notice_id) is None:
        raise NotFoundError(f"notice {notice_id} not found", {"notice_id": notice_id})
    raise NotFoundError(
        f"notice {notice_id} needs no {language_name(language)} translation: none of its "
        f"recipients reads {language}", {"notice_id": notice_id, "language": language})


def _commit(ctx: Context, task: Changing[TranslationTask]) -> dict[str, Any]:
    """Write the changed task (with its events) if nobody changed it since it was read."""
    try:
        ctx.uow.commit()
    except StaleWrite:
        raise InvalidTransitionError("translation changed meanwhile; reload and retry",
                                     {"task": task.value.key}) from None
    TRANSLATION_BACKLOG.set(ctx.uow.translations.backlog())
    return view_of(ctx, task.value)


def submit_translation(ctx: Context, notice_id: str, language: str, translator_id: str,
                       subject: str, body: str) -> dict[str, Any]:
    """A first submission, or a corrected one after a rejection."""
    with ctx.uow:
        task = _task(ctx, notice_id, language)
        task.change(task.value.submit(translator_id, subject, body, ctx.now()))
        return _commit(ctx, task)


def approve_translation(ctx: Context, notice_id: str, language: str, reviewer_id: str
                        ) -> dict[str, Any]:
    """Approve a submitted translation; that version (and, under policy wait, the held
    Vietnamese copy) goes to the units reading it at once."""
    with ctx.uow:
        task = _task(ctx, notice_id, language)
        task.change(task.value.approve(reviewer_id, ctx.now()), TranslationApproved(
            translation_id=task.value.key, notice_id=notice_id, language=language,
            approved_by=reviewer_id))
        result = _commit(ctx, task)
    notice = ctx.uow.notices.find(notice_id)
    if notice is not None:
        plan_deliveries(ctx, notice)
    return result


def reject_translation(ctx: Context, notice_id: str, language: str, reviewer_id: str,
                       reason: str) -> dict[str, Any]:
    """Return a submitted translation to its translator with the reason."""
    with ctx.uow:
        task = _task(ctx, notice_id, language)
        task.change(task.value.reject(reviewer_id, reason, ctx.now()))
        return _commit(ctx, task)


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
        with ctx.uow as uow:
            uow.notices.close_translation_hold(notice["_id"], now)
            uow.commit()
        released += 1
    if released:
        log.info("translation deadlines passed", extra={"notices": released})
    return released


