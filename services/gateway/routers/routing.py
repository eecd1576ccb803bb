"""The router every gateway module declares its routes on."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope


class Router(APIRouter):
    """An `APIRouter` that answers "no match" at once for a path outside its prefix: FastAPI
    tries the included routers one by one, each route's pattern in turn, so a request paid for
    every route of every router ahead of its own. Included without a prefix of its own (the
    app's `include_router(module.router)`), so the path starts with the router's prefix."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._path_start = self.prefix.split("{", 1)[0]  # a parameter matches any text

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not get_route_path(scope).startswith(self._path_start):
            return Match.NONE, {}
        return super().matches(scope)
