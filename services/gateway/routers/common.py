"""Query parameters every list shares: an opaque cursor and a capped page size."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import Path, Query, Response
from pydantic import BaseModel, create_model

from services.contracts.plans_common import PLAN_ID_MAX_LENGTH, TASK_ID_MAX_LENGTH

Cursor = Annotated[str | None, Query(max_length=100, pattern=r"^[A-Za-z0-9._:-]+$",
                                     description="`next_cursor` of the previous page.")]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size (at most 200).")]

# 401, 403, 429 (and 404 for ids in the path, 413, 422, 503) are documented per route by
# services/gateway/openapi from what the route depends on; routers need not pass this.
AUTH_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "missing, expired or invalid credentials"},
    403: {"description": "the caller lacks the permission (scope)"},
    429: {"description": "rate limit exceeded; see Retry-After"},
}
NOT_FOUND: dict[int | str, dict[str, str]] = {404: {"description": "no such object visible "
                                                                   "to the caller"}}
# A plan or task command: 404, or 409 when the command does not fit its state.
TRANSITION_CONFLICTS: dict[int | str, dict[str, str]] = {
    **NOT_FOUND, 409: {"description": "conflict or invalid transition"}}

# Ids in paths: letters, digits and . _ : - (what every service issues); anything else is 422
# at the edge instead of travelling to a service. Their lengths are the services' contracts'
# (units, notices, reports... 100; plans and tasks 200), so that what the published schema
# allows the service accepts too.
PATH_ID_PATTERN = r"^[A-Za-z0-9._:-]+$"
PathId = Annotated[str, Path(min_length=1, max_length=100, pattern=PATH_ID_PATTERN)]
PlanPathId = Annotated[str, Path(min_length=1, max_length=PLAN_ID_MAX_LENGTH,
                                 pattern=PATH_ID_PATTERN)]
TaskPathId = Annotated[str, Path(min_length=1, max_length=TASK_ID_MAX_LENGTH,
                                 pattern=PATH_ID_PATTERN)]


def page_by_id(replies: Sequence[BaseModel] | Sequence[Mapping[str, Any]], cursor: str | None,
               limit: int) -> dict[str, Any]:
    """A page of a short list the service answers whole (topics, alert rules, unit groups), by
    id: its replies as the RPC catalogue types them, models or plain documents."""
    items = [x.model_dump() if isinstance(x, BaseModel) else x for x in replies]
    rest = sorted((x for x in items if cursor is None or str(x["id"]) > cursor),
                  key=lambda x: str(x["id"]))
    page = rest[:limit]
    return {"items": page, "next_cursor": str(page[-1]["id"]) if len(rest) > limit else None}


def no_store(response: Response) -> None:
    """For answers that carry a secret (a token, a key shown once): never cached."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


def page_of(item: type[BaseModel], name: str) -> type[BaseModel]:
    """The model of one page of a listing, named `name` in the API document: the items and
    the cursor of the next page (null on the last)."""
    return create_model(name, items=(list[item], ...),  # type: ignore[valid-type]
                        next_cursor=(str | None, ...))


def deletion_of(id_field: str, name: str) -> type[BaseModel]:
    """The model of a deletion's answer, named `name`: the id it was asked for, under
    `id_field`, and whether something was deleted."""
    return create_model(name, **{id_field: (str, ...), "deleted": (bool, ...)})  # type: ignore[call-overload]
