"""Registering and reading sources."""

from __future__ import annotations

from services.contracts import monitoring
from services.contracts.errors import DomainError, ErrorCode, not_found, validation_failed
from services.monitoring.domain import POLLED_KINDS, Source
from services.monitoring.use_cases.context import Context, as_reply
from services.runtime.ssrf import UrlNotAllowed, check_url
from services.runtime.unit_of_work import StaleWrite, retrying


def source_reply(source: Source) -> monitoring.SourceReply:
    return monitoring.SourceReply.model_validate(as_reply(source))


def check_place(place_id: str | None, ctx: Context, location: list[str]) -> None:
    """A default place must be one the gazetteer knows (422 otherwise)."""
    if place_id is not None and place_id not in ctx.ingestion.reference.gazetteer.places:
        raise validation_failed(f"unknown place {place_id!r}", location, "unknown_place",
                                "not a place id of the gazetteer (e.g. gia_lai, pleiku, "
                                "gia_lai.xa_ia_hru)")


def upsert_source(request: monitoring.UpsertSourceRequest, ctx: Context) -> monitoring.SourceReply:
    described = request.source
    check_place(described.default_place, ctx, ["source", "default_place"])
    if described.kind in POLLED_KINDS and not described.url:
        raise validation_failed(f"a {described.kind} source needs a url", ["source", "url"],
                                "missing", "required")
    if described.url:
        try:  # the rule every fetch applies, told now rather than at the first poll
            check_url(described.url, ctx.fetcher.allowlist, unresolved_ok=True)
        except UrlNotAllowed as exc:
            raise validation_failed(f"url not allowed: {exc}", ["source", "url"],
                                    "url_not_allowed", f"not allowed: {exc.reason}",
                                    reason=exc.reason) from None
    description = described.model_dump(exclude={"id"})

    def upsert() -> monitoring.SourceReply:
        now = ctx.now()
        with ctx.uow as uow:
            source = uow.sources.get(described.id)
            if source is None:
                source = Source.register(described.id, description, request.actor, now)
                uow.sources.add(source)
            else:
                source.describe(description, request.actor, now)
            if uow.sources.refused(uow.commit(), source):
                raise StaleWrite(f"source {described.id} was registered meanwhile")
            return source_reply(source)

    return retrying(upsert)


def get_source(request: monitoring.SourceRef, ctx: Context) -> monitoring.SourceReply:
    source = ctx.uow.sources.find(request.source_id)
    if source is None:
        raise not_found(f"source {request.source_id}")
    return source_reply(source)


def list_sources(request: monitoring.ListSourcesRequest, ctx: Context) -> monitoring.Page:
    sources, cursor = ctx.uow.sources.page(request)
    return monitoring.Page(items=[source_reply(s) for s in sources], next_cursor=cursor)


def polled_source(request: monitoring.SourceRef, ctx: Context) -> Source:
    """A source that is polled, for `poll_now`."""
    source = ctx.uow.sources.find(request.source_id)
    if source is None:
        raise not_found(f"source {request.source_id}")
    if not source.polled:
        raise DomainError(ErrorCode.INVALID_TRANSITION, f"a {source.kind} source is not polled")
    return source
