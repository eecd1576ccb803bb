"""The operators' console (the built single-page app in `console/dist`), served from the
gateway's own origin so the browser needs no CORS: `/console/` and every path below it.

Hashed assets (`/console/assets/<name>-<hash>.js`) never change under the same name, so they
are cached for a year; `index.html` is always revalidated so a new build shows at once. Any
other path under `/console/` answers `index.html` (the app's router decides what it shows).
The build writes a gzip copy of each text asset (`name.js.gz`), sent to browsers that accept
gzip: compressed once at build time, never per request.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from services.contracts.errors import ErrorCode, ServiceError
from services.gateway.routers.routing import Router

router = Router(include_in_schema=False)
DEFAULT_DIST = Path(__file__).resolve().parents[3] / "console" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def dist_dir(request: Request) -> Path:
    configured: str = request.app.state.settings.console_dist_dir
    return Path(configured) if configured else DEFAULT_DIST


def resolve_file(root: Path, path: str) -> Path | None:
    """The file at `path` under `root`, or None (also for anything that escapes `root`)."""
    if not path:
        return None
    candidate = (root / path).resolve()
    try:
        candidate.relative_to(root.resolve())
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


@router.get("/console")
async def console_root() -> Response:
    return RedirectResponse("/console/", status_code=308)


@router.get("/console/{path:path}")
async def console_file(path: str, request: Request) -> Response:
    root = dist_dir(request)
    index = root / "index.html"
    if not index.is_file():
        raise ServiceError(ErrorCode.NOT_FOUND, "the console is not built: run `make run` "
                                                "or `npm ci && npm run build` in console/")
    found = resolve_file(root, path)
    if found is not None:
        cache = IMMUTABLE if path.startswith("assets/") else REVALIDATE
        return file_response(found, request, cache)
    if path.startswith("assets/"):  # a missing asset is a 404, never the app's page
        raise ServiceError(ErrorCode.NOT_FOUND, f"no console asset {path}")
    return file_response(index, request, REVALIDATE)


def file_response(found: Path, request: Request, cache: str) -> FileResponse:
    """The file, or its build-time gzip copy when the browser accepts gzip."""
    media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": cache, "Vary": "Accept-Encoding"}
    packed = found.with_name(found.name + ".gz")
    if "gzip" in request.headers.get("accept-encoding", "") and packed.is_file():
        return FileResponse(packed, media_type=media_type,
                            headers={**headers, "Content-Encoding": "gzip"})
    return FileResponse(found, media_type=media_type, headers=headers)
